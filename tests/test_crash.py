"""Crash tests: ``kill -9`` in the middle of edits and uploads, restart, nothing lost.

Two writers edit the starter articles through the edit form and upload small PDFs while a
large PDF is being read; then the server (and in the second variant the separate
``wissen worker``) is killed with SIGKILL, twice, each time while that PDF is in status
``processing``. After the restart:

- every edit and upload that got its success answer is there (read back through the API)
  and findable by its unique word;
- no document is left waiting or processing: all end ``ready`` or ``failed`` (the PDFs
  killed mid-extraction must end ``ready``: the start queues them again);
- ``wissen check`` exits 0 without ``--repair``: the start applies the outbox itself.

Opt-in, because it takes minutes: ``.venv/bin/pytest -m load tests/test_crash.py``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import procs, wissen_steps
from bench.loadmix import Session, Write, WritePlan, Writer, form_fields, multipart
from tests.conftest import PASSWORD, STARTER, TESTDATA

pytestmark = pytest.mark.load

EDITOR = "redaktion-absturz@example.org"
ARTICLES = sorted(p.stem for p in (STARTER / "articles").glob("*.md"))
# Large enough that extraction takes seconds, so the kill lands while it runs.
BIG_PDFS = ["developers-reference.de.pdf", "maint-guide.de.pdf"]
DOCUMENTS_DONE_WITHIN = 300.0  # seconds; generous, a loaded 2-core machine reads slowly
FINDABLE_WITHIN = 60.0
DONE = ("ready", "failed")


class Site:
    """One wissen instance: ``serve``, or ``serve --no-worker`` plus ``worker``."""

    def __init__(self, data: Path, separate_worker: bool) -> None:
        self.data, self.separate = data, separate_worker
        self.processes: list[subprocess.Popen] = []
        self.port = 0
        self.log = data.parent / "site.log"

    def start(self) -> None:
        self.port = procs.free_port()
        env = wissen_steps.environment(self.data)
        serve = [str(wissen_steps.WISSEN), "serve", "--port", str(self.port)]
        if self.separate:
            serve.append("--no-worker")
            worker = [str(wissen_steps.WISSEN), "worker"]
            self.processes.append(procs.start(worker, env, wissen_steps.REPO, self.log))
        server = procs.start(serve, env, wissen_steps.REPO, self.log)
        self.processes.append(server)
        procs.wait_http(f"http://127.0.0.1:{self.port}/-/health", server, 120)

    def kill(self) -> None:
        """SIGKILL to every process group: no handler runs, nothing is flushed or closed."""
        for process in self.processes:
            os.killpg(process.pid, signal.SIGKILL)  # a group this test started (own session)
            process.wait(10)
        self.processes.clear()

    def stop(self) -> None:
        for process in self.processes:
            procs.stop(process)
        self.processes.clear()

    def session(self, name: str) -> Session:
        return Session(self.port, name, timeout=20)

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""

    def wait_quiet(self) -> None:
        for process in self.processes:
            procs.wait_quiet(process.pid, 120)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    if not TESTDATA.is_dir():
        pytest.skip("../shared/testdata fehlt")
    folder = tmp_path / "data"
    folder.mkdir()
    wissen_steps.cli(folder, "init")
    wissen_steps.cli(folder, "import", str(STARTER))
    create = ("user", "create", EDITOR, "--role", "admin", "--password-stdin")
    wissen_steps.cli(folder, *create, stdin=PASSWORD)
    return folder


@pytest.fixture
def cleanup() -> Iterator[list[Site]]:
    sites: list[Site] = []
    yield sites
    for site in sites:
        site.stop()


def upload_file(session: Session, path: Path) -> str:
    """Upload one file through the upload form; answer the new document's slug."""
    page = session.call("upload-formular", "GET", "/dokumente/neu")
    assert page is not None and page.status == 200
    csrf = dict(form_fields(page.body, "upload-formular"))["csrf_token"]
    fields = [("csrf_token", csrf), ("title", path.stem), ("kind", "bericht"), ("region", "")]
    body, headers = multipart(fields, "dateien", path.name, path.read_bytes())
    headers["Accept"] = "application/json"
    answer = session.call("upload", "POST", "/dokumente/neu", body, headers)
    assert answer is not None and answer.status == 200, answer
    return json.loads(answer.body)["results"][0]["slug"]


def status_of(session: Session, slug: str) -> str:
    answer = session.call("dokument", "GET", f"/api/v1/documents/{slug}")
    return json.loads(answer.body)["status"] if answer and answer.status == 200 else "?"


def wait_processing(session: Session, slug: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while (status := status_of(session, slug)) != "processing":
        assert time.monotonic() < deadline, f"{slug} kam nie in die Verarbeitung ({status})"
        time.sleep(0.1)


def start_writers(site: Site, number: int, stop: threading.Event) -> tuple[list[Writer], list]:
    """Two signed-in writers in threads, editing and uploading until ``stop`` is set."""
    plan = WritePlan(ARTICLES, upload_share=0.2, think=0.02)
    writers = []
    for letter in "ab":
        session = site.session(f"schreiber-{letter}")
        session.login(EDITOR, PASSWORD)
        writers.append(Writer(session, plan, f"{letter}{'xyz'[number]}", seed=number))
    deadline = time.monotonic() + 600
    threads = [
        threading.Thread(
            target=w.run_until, args=(deadline, stop), kwargs={"until_failure": True}, daemon=True
        )
        for w in writers
    ]
    for thread in threads:
        thread.start()
    return writers, threads


def wait_acknowledged(writers: list[Writer], count: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(w.acknowledged for x in writers for w in x.session.tally.writes) >= count:
            return
        time.sleep(0.05)


def crash_round(site: Site, pdf: Path, number: int) -> tuple[list[Write], str]:
    """A large PDF in extraction, writers busy: kill -9 in the middle of both; answer the
    writers' writes and the large PDF's slug."""
    site.start()
    watcher = site.session("beobachter")
    stop, threads = threading.Event(), []
    try:
        watcher.login(EDITOR, PASSWORD)
        # The last crash's backlog first, or the large PDF would queue behind it.
        wait_documents_done(site.data)
        slug = upload_file(watcher, pdf)
        writers, threads = start_writers(site, number, stop)
        wait_processing(watcher, slug)
        wait_acknowledged(writers, 3 + random.randrange(4))  # then kill, mid-request
        at_kill = status_of(watcher, slug)
        site.kill()
    finally:
        stop.set()
        watcher.finish()
        for thread in threads:
            thread.join(60)
    assert at_kill == "processing", f"{pdf.name} war beim Abbruch schon {at_kill}"
    return [w for writer in writers for w in writer.session.tally.writes], slug


def document_states(data: Path) -> dict[str, str]:
    """Every live document's status, straight from the database file."""
    with contextlib.closing(sqlite3.connect(data / "wissen.sqlite3")) as connection:
        rows = connection.execute("SELECT slug, status FROM documents WHERE deleted_at IS NULL")
        return dict(rows.fetchall())


def wait_documents_done(data: Path) -> dict[str, str]:
    deadline = time.monotonic() + DOCUMENTS_DONE_WITHIN
    states = document_states(data)
    while any(s not in DONE for s in states.values()) and time.monotonic() < deadline:
        time.sleep(1)
        states = document_states(data)
    return states


def stored(session: Session, write: Write) -> bool:
    if write.kind == "upload":
        return status_of(session, write.slug) != "?"
    answer = session.call("artikel", "GET", f"/api/v1/articles/{write.slug}")
    return answer is not None and write.token in json.loads(answer.body)["body"]


def findable(session: Session, write: Write) -> bool:
    answer = session.call("api", "GET", f"/api/v1/search?q={write.token}&per_page=5")
    hits = json.loads(answer.body)["hits"] if answer and answer.status == 200 else []
    return any(hit["slug"] == write.slug for hit in hits)


def not_findable(session: Session, writes: list[Write]) -> list[str]:
    deadline = time.monotonic() + FINDABLE_WITHIN
    missing = list(writes)
    while missing and time.monotonic() < deadline:
        missing = [w for w in missing if not findable(session, w)]
        if missing:
            time.sleep(0.5)
    return [f"{w.kind} {w.slug} {w.token}" for w in missing]


@pytest.mark.parametrize("separate_worker", [False, True], ids=["serve", "serve+worker"])
def test_kill_9_loses_no_acknowledged_write(
    data: Path, cleanup: list[Site], separate_worker: bool
) -> None:
    site = Site(data, separate_worker)
    cleanup.append(site)
    writes: list[Write] = []
    big: list[str] = []
    for number, name in enumerate(BIG_PDFS):
        done, slug = crash_round(site, TESTDATA / "pdf-de" / name, number)
        writes += done
        big.append(slug)
    acknowledged = [w for w in writes if w.acknowledged]
    # Sent but never answered: the kill came while the server was working on them.
    cut = [w.kind for w in writes if w.error and w.error != "ConnectionRefusedError"]
    print(f"{len(writes)} Schreibvorgänge, {len(acknowledged)} bestätigt, abgeschnitten: {cut}")
    assert sum(w.kind == "edit" for w in acknowledged) >= 2, "die Schreiber kamen nicht zum Zug"

    site.start()
    states = wait_documents_done(data)
    stuck = {slug: s for slug, s in states.items() if s not in DONE}
    assert not stuck, f"hängende Dokumente: {stuck}\n{site.log_tail()}"
    # Killed in the middle of their extraction: the start queued them again.
    assert all(states[slug] == "ready" for slug in big), states
    reader = site.session("pruefer")
    try:
        lost = [f"{w.kind} {w.slug} {w.token}" for w in acknowledged if not stored(reader, w)]
        missing = not_findable(reader, acknowledged)
    finally:
        reader.finish()
    assert not lost, f"bestätigt, aber verloren: {lost}"
    assert not missing, f"bestätigt, aber nicht auffindbar: {missing}"

    site.wait_quiet()
    check = wissen_steps.cli(data, "check", check=False)
    assert check.code == 0, check.output + site.log_tail()
