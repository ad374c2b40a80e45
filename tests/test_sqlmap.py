"""sqlmap (Debian package) against a running wissen: search, login and article URLs.

Opt-in, because it takes minutes: ``.venv/bin/pytest -m sqlmap`` (needs ``apt-get install
sqlmap``; without it the test is skipped with that hint). The default run leaves it out.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests import databases
from tests.conftest import PASSWORD, STARTER, free_port, wait_until_up

pytestmark = pytest.mark.sqlmap

# The app exactly as `wissen serve` builds it, on waitress, with one difference: login
# throttling is off, or the login form would answer sqlmap's probes with 429 after 20
# failures and the probe would test the throttle instead of the SQL behind the form.
SERVER = """
import sys
from waitress import serve
from wissen import create_app
from wissen.extensions import limiter
app = create_app()
limiter.enabled = False
serve(app, host="127.0.0.1", port=int(sys.argv[1]), threads=4)
"""

FOUND = ("identified the following injection point", "is vulnerable")


def _wissen(data: Path, *args: str, stdin: str = "") -> None:
    env = databases.process_env(data, STARTER)
    wissen = Path(sys.executable).with_name("wissen")
    subprocess.run([str(wissen), *args], env=env, input=stdin.encode(), check=True, timeout=300)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("sqlmap") is None:
        pytest.skip("sqlmap fehlt: apt-get install sqlmap")
    data = tmp_path_factory.mktemp("sqlmap") / "data"
    _wissen(data, "init")
    _wissen(data, "import")
    _wissen(
        data,
        "user",
        "create",
        "admin@example.org",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD,
    )
    port = free_port()
    env = databases.process_env(data)
    log = data.parent / "server.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(port)], env=env, stdout=output, stderr=output
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


def _sqlmap(output: Path, *target: str) -> str:
    command = [
        "sqlmap",
        "--batch",
        "--flush-session",
        f"--output-dir={output}",
        "--risk=1",  # no OR-based or heavy queries that could change data
        *target,
    ]
    if "--level" not in " ".join(target):
        command.append("--level=2")  # also cookies and the Referer/User-Agent headers
    if "--csrf-url" not in " ".join(target):  # sqlmap refuses threads with a CSRF refresh
        command.append("--threads=2")
    run = subprocess.run(command, capture_output=True, text=True, timeout=1500)
    return run.stdout + run.stderr


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(
            ["-u", "/suche?q=ehrenamt&theme=ehrenamt&region=x&art=y&sort=datum&page=1"], id="suche"
        ),
        pytest.param(["-u", "/api/v1/search?q=ehrenamt&type=article&page=1&per_page=5"], id="api"),
        pytest.param(["-u", "/artikel/zwk-beirat-bremerhaven*"], id="artikel"),
        pytest.param(
            [
                "-u",
                "/-/anmelden",
                "--data=email=admin%40example.org&password=x&csrf_token=t",
                "--csrf-token=csrf_token",
                "--csrf-url=/-/anmelden",
                "-p",
                "email,password",
                "--level=1",  # each probe fetches a fresh form and checks a password: slow
                "--ignore-code=401",  # a failed login answers 401, the probe must go on
            ],
            id="anmelden",
        ),
    ],
)
def test_sqlmap_finds_no_injection(site: str, target: list[str], tmp_path: Path) -> None:
    # sqlmap wants absolute URLs; the paths above are made absolute here.
    args = [site + a if a.startswith("/") else a.replace("=/", "=" + site + "/") for a in target]
    report = _sqlmap(tmp_path, *args)
    assert "all tested parameters do not appear to be injectable" in report, report[-3000:]
    assert not any(marker in report for marker in FOUND), report[-3000:]
