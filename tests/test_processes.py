"""Several processes on one data folder: two web servers and a separate worker.

As operators run wissen for many users: `wissen serve --no-worker` twice (as behind a
load balancer) and one `wissen worker`. An upload through the first server is read by the
worker, written to the index by it, and found through the second server, which never
restarts.
"""

from __future__ import annotations

import http.client
import http.cookiejar
import io
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from bench.minipdf import pdf_bytes

from . import databases
from .conftest import PASSWORD, STARTER, free_port, wait_until_up

ADMIN = "admin@example.org"
WORD = "Zweiprozessprobe"  # a word no starter text has


class Browserless:
    """A signed-in HTTP client with cookies, as a browser would be."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as answer:
            return answer.read().decode("utf-8")

    def post(self, path: str, body: bytes, content_type: str) -> tuple[int, str]:
        request = urllib.request.Request(
            self.base + path, data=body, headers={"Content-Type": content_type}
        )
        with self.opener.open(request, timeout=60) as answer:
            return answer.status, answer.read().decode("utf-8")

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get(path))
        assert found, path
        return found.group(1)

    def sign_in(self, email: str) -> None:
        fields = {"csrf_token": self.csrf("/-/anmelden"), "email": email, "password": PASSWORD}
        body = urllib.parse.urlencode(fields).encode()
        _, page = self.post("/-/anmelden", body, "application/x-www-form-urlencoded")
        assert "Angemeldet als" in page


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, str]]:
    data = tmp_path / "data"
    env = databases.process_env(data, STARTER)
    wissen = str(Path(sys.executable).with_name("wissen"))

    def cli(*args: str, stdin: str = "") -> None:
        subprocess.run([wissen, *args], env=env, input=stdin.encode(), check=True, timeout=300)

    cli("init")
    cli("import")
    cli("user", "create", ADMIN, "--role", "admin", "--password-stdin", stdin=PASSWORD)
    ports = [free_port(), free_port()]
    commands = [[wissen, "serve", "--no-worker", "--port", str(p)] for p in ports]
    commands.append([wissen, "worker"])
    processes: list[subprocess.Popen] = []
    logs = [tmp_path / f"prozess-{n}.log" for n in range(len(commands))]
    try:
        for command, log in zip(commands, logs, strict=True):
            with log.open("wb") as out:
                processes.append(
                    subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
                )
        bases = [f"http://127.0.0.1:{p}" for p in ports]
        for base, process, log in zip(bases, processes, logs, strict=False):
            wait_until_up(base, process, log)
        yield bases[0], bases[1]
        for process, log in zip(processes, logs, strict=True):
            assert process.poll() is None, f"{log.name} endete:\n{log.read_text()[-3000:]}"
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _search(base: str, word: str) -> dict:
    with urllib.request.urlopen(f"{base}/api/v1/search?q={word}", timeout=30) as answer:
        return json.loads(answer.read())


def test_an_upload_through_one_server_is_found_through_the_other(
    cluster: tuple[str, str],
) -> None:
    first, second = cluster
    assert _search(second, WORD)["total"] == 0
    client = Browserless(first)
    client.sign_in(ADMIN)
    pdf = pdf_bytes("Probe", [["Einleitung"], [f"Auf Seite zwei steht das Wort {WORD}."]])
    fields = MultiDict(
        {"csrf_token": client.csrf("/dokumente/neu"), "kind": "praesentation", "title": "Probe"}
    )
    fields.add("dateien", FileStorage(stream=io.BytesIO(pdf), filename="probe.pdf"))
    boundary, body = encode_multipart(fields)
    status, page = client.post("/dokumente/neu", body, f"multipart/form-data; boundary={boundary}")
    assert status == 200 and "wird jetzt ausgelesen" in page

    deadline = time.monotonic() + 60  # read by the worker, then indexed
    found: dict = {}
    while time.monotonic() < deadline:
        found = _search(second, WORD)
        if found["total"]:
            break
        time.sleep(0.5)
    assert found.get("total") == 1, found
    hit = found["hits"][0]
    assert hit["type"] == "document"
    assert hit["page"] == 2 and hit["pages"] == [2]


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="braucht Linux (/proc)")
def test_serve_with_several_workers_runs_them_and_one_job_worker(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = databases.process_env(data, STARTER)
    wissen = str(Path(sys.executable).with_name("wissen"))
    subprocess.run([wissen, "init"], env=env, check=True, timeout=300, capture_output=True)
    subprocess.run([wissen, "import"], env=env, check=True, timeout=300, capture_output=True)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [wissen, "serve", "--workers", "2", "--threads", "2", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server, log)
        children = [_command_line(pid) for pid in _children(server.pid)]
        assert sum("wissen worker" in c for c in children) == 1, children
        deadline = time.monotonic() + 30  # gunicorn forks its workers one by one
        while sum("wissen worker" not in c for c in children) < 2:
            assert time.monotonic() < deadline, children
            time.sleep(0.2)
            children = [_command_line(pid) for pid in _children(server.pid)]
        assert _search(base, "ehrenamt")["total"] > 0
        _connection_survives_a_pause(port, seconds=3)
        _job_worker_yields_to_web_processes(_children(server.pid))
        started = _children(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=40)
    deadline = time.monotonic() + 30  # stopping the server stops its workers and the job worker
    while any(_alive(pid) for pid in started):
        assert time.monotonic() < deadline, [_command_line(p) for p in started if _alive(p)]
        time.sleep(0.2)
    assert "Traceback" not in log.read_text()


def _job_worker_yields_to_web_processes(children: list[int]) -> None:
    """Indexing and PDF reading must not take a core from a waiting search."""
    niceness = {pid: os.getpriority(os.PRIO_PROCESS, pid) for pid in children}
    job = [n for pid, n in niceness.items() if "wissen worker" in _command_line(pid)]
    web = [n for pid, n in niceness.items() if "wissen worker" not in _command_line(pid)]
    assert len(job) == 1 and web, niceness
    assert job[0] >= max(web) + 5, niceness


def _connection_survives_a_pause(port: int, seconds: float) -> None:
    """A person pauses between two requests: the kept-alive connection must still be open
    (gunicorn closes idle ones after 2 s by default; a form sent then would be lost)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        for _ in range(2):
            connection.request("GET", "/-/health")
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200 and not answer.will_close
            time.sleep(seconds)
    finally:
        connection.close()


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"  # a zombie has ended; only its exit status waits to be collected
