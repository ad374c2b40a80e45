"""The `wissen` command line, run as an operator would."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wissen.cli import main

from . import databases
from .conftest import EVAL_DEV, STARTER


def run(data_dir: Path, *args: str, stdin: str | None = None) -> Result:
    env = databases.env_for(data_dir, STARTER)
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "daten"
    result = run(folder, "init")
    assert result.exit_code == 0, result.output
    return folder


def test_init_creates_everything_and_can_run_again(tmp_path: Path) -> None:
    folder = tmp_path / "daten"
    first = run(folder, "init")
    assert first.exit_code == 0, first.output
    assert (folder / "wissen.sqlite3").is_file() != databases.ON_POSTGRES
    assert databases.run_sql(folder, "SELECT count(*) FROM alembic_version") == [(1,)]
    assert (folder / "uploads").is_dir() and (folder / "index").is_dir()
    second = run(folder, "init")
    assert second.exit_code == 0 and "unverändert" in second.output


def test_every_command_has_german_and_english_help_with_an_example(tmp_path: Path) -> None:
    commands = (["init"], ["serve"], ["import"], ["export"], ["user", "create"], ["backup"])
    for command in (*commands, ["restore"], ["check"]):
        result = run(tmp_path, *command, "--help")
        assert result.exit_code == 0, command
        assert "Beispiel / example" in result.output, command


def test_commands_refuse_an_uninitialised_database(tmp_path: Path) -> None:
    result = run(tmp_path / "leer", "import")
    assert result.exit_code == 2
    assert "wissen init" in result.output


def test_bad_setting_stops_with_one_line(tmp_path: Path) -> None:
    env = {"WISSEN_DATA_DIR": str(tmp_path), "WISSEN_PUBLIC_READ": "vielleicht"}
    result = CliRunner().invoke(main, ["init"], env=env)
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "WISSEN_PUBLIC_READ" in lines[0] and "Fehler" in lines[0]


def test_import_of_the_starter_content_and_if_empty(data: Path) -> None:
    result = run(data, "import", "--if-empty")
    assert result.exit_code == 0, result.output
    assert "Artikel: 3 neu" in result.output
    again = run(data, "import", "--if-empty")
    assert again.exit_code == 0 and "nichts importiert" in again.output


def test_import_eval_dev_counts_idempotence_and_round_trip(data: Path, tmp_path: Path) -> None:
    if not EVAL_DEV.is_dir():
        pytest.skip("../shared/eval-dev fehlt")
    first = run(data, "import", str(EVAL_DEV))
    assert first.exit_code == 0, first.output
    for line in (
        "Themen: 12 neu",
        "Regionen: 12 neu",
        "Kontakte: 20 neu",
        "Artikel: 35 neu",
        "Dokumente: 6 neu",
    ):
        assert line in first.output
    second = run(data, "import", str(EVAL_DEV))
    assert second.exit_code == 0
    assert (
        "0 neu, 0 geändert" in second.output and " neu, 0 geändert, 35 unverändert" in second.output
    )
    assert second.output.count("0 neu, 0 geändert") == 5

    run(data, "export", str(tmp_path / "eins"))
    other = tmp_path / "andere"
    run(other, "init")
    assert run(other, "import", str(tmp_path / "eins")).exit_code == 0
    run(other, "export", str(tmp_path / "zwei"))
    assert _tree(tmp_path / "eins") == _tree(tmp_path / "zwei")


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_import_reports_bad_items_and_exits_non_zero(data: Path, tmp_path: Path) -> None:
    bundle = tmp_path / "kaputt"
    (bundle / "articles").mkdir(parents=True)
    (bundle / "themes.yml").write_text("- slug: gut\n  name: Gut\n", encoding="utf-8")
    (bundle / "articles" / "ok.md").write_text(
        "---\ntitle: Gut\nkind: leitfaden\nthemes: [gut]\n---\nText\n", encoding="utf-8"
    )
    (bundle / "articles" / "schlecht.md").write_text(
        "---\ntitle: Schlecht\nkind: leitfaden\nthemes: [unbekannt]\n---\nText\n", encoding="utf-8"
    )
    result = run(data, "import", str(bundle))
    assert result.exit_code == 1
    assert "articles/schlecht.md:1: unbekanntes Thema „unbekannt“" in result.output
    assert "Artikel: 1 neu, 0 geändert, 0 unverändert, 1 abgelehnt" in result.output


def test_export_refuses_a_non_empty_folder(data: Path, tmp_path: Path) -> None:
    target = tmp_path / "voll"
    target.mkdir()
    (target / "notiz.txt").write_text("bleibt", encoding="utf-8")
    result = run(data, "export", str(target))
    assert result.exit_code == 2 and "nicht leer" in result.output
    assert (target / "notiz.txt").read_text(encoding="utf-8") == "bleibt"


def test_user_create_generates_a_strong_password(data: Path) -> None:
    result = run(data, "user", "create", "Anna@Kreis.example", "--role", "admin")
    assert result.exit_code == 0, result.output
    password = result.output.split("Passwort (wird nur jetzt angezeigt): ")[1].strip()
    assert len(password) >= 20
    again = run(data, "user", "create", "anna@kreis.example", "--role", "leser")
    assert again.exit_code == 2 and "schon ein Konto" in again.output


def test_user_create_with_region_and_password_from_stdin(data: Path) -> None:
    run(data, "import")
    result = run(
        data,
        "user",
        "create",
        "red@bremerhaven.example",
        "--role",
        "redaktion",
        "--region",
        "bremerhaven",
        "--password-stdin",
        stdin="ein-langes-passwort-42\n",
    )
    assert result.exit_code == 0, result.output
    assert "Passwort" not in result.output.split("Konto angelegt")[1]
    short = run(
        data, "user", "create", "b@x.example", "--role", "leser", "--password-stdin", stdin="kurz\n"
    )
    assert short.exit_code == 2 and "mindestens 12 Zeichen" in short.output
    unknown = run(
        data, "user", "create", "c@x.example", "--role", "redaktion", "--region", "atlantis"
    )
    assert unknown.exit_code == 2 and "Unbekannte Region „atlantis“" in unknown.output


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_runs_the_production_server_on_loopback(data: Path) -> None:
    run(data, "import")
    port = _free_port()
    env = databases.process_env(data, STARTER)
    wissen = Path(sys.executable).with_name("wissen")
    server = subprocess.Popen(
        [str(wissen), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        body = _wait_for(f"http://127.0.0.1:{port}/")
        assert "Aktivierung lokaler Dynamiken" in body
        assert _header(f"http://127.0.0.1:{port}/-/health", "Server") == "wissen"
    finally:
        server.terminate()
        server.wait(timeout=10)
        assert server.stdout is not None
        output = server.stdout.read().decode()
        server.stdout.close()
    assert f"http://127.0.0.1:{port}/" in output


def _wait_for(url: str, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read().decode()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _header(url: str, name: str) -> str:
    with urllib.request.urlopen(url, timeout=2) as response:
        return response.headers.get(name, "")


def test_serve_processes_documents_left_waiting_or_stuck_by_a_crash(data: Path) -> None:
    if not EVAL_DEV.is_dir():
        pytest.skip("../shared/eval-dev fehlt")
    assert run(data, "import", str(EVAL_DEV)).exit_code == 0
    # A crash mid-extraction leaves a document "processing": restart must pick it up.
    databases.run_sql(data, "UPDATE documents SET status='processing' WHERE id=1")
    port = _free_port()
    env = databases.process_env(data, STARTER)
    wissen = Path(sys.executable).with_name("wissen")
    server = subprocess.Popen(
        [str(wissen), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(f"http://127.0.0.1:{port}/-/health")
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            states = {row[0] for row in databases.run_sql(data, "SELECT status FROM documents")}
            if states == {"ready"}:
                break
            time.sleep(0.5)
        assert states == {"ready"}
    finally:
        server.kill()  # like a crash: no graceful shutdown
        server.wait(timeout=10)
