"""wissen as the benchmark drives it: the CLI for init and import, HTTP for all the rest."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bench import procs
from bench.httptiming import Client

REPO = Path(__file__).resolve().parents[1]
WISSEN = Path(sys.executable).with_name("wissen")
USER = "bench@example.org"
PASSWORD = "bench-passwort-nur-lokal-1"


def environment(data: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WISSEN_")}
    env.update(WISSEN_DATA_DIR=str(data), WISSEN_PUBLIC_READ="ja")
    return env


@dataclass
class Run:
    seconds: float
    peak_mb: float
    code: int
    output: str


def cli(data: Path, *args: str, stdin: str = "", check: bool = True) -> Run:
    """Run ``wissen ARGS``: time, peak resident size (from wait4) and output of that process."""
    log = data.parent / "wissen-cli.log"
    started = time.perf_counter()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(WISSEN), *args], env=environment(data), cwd=REPO, stdin=subprocess.PIPE, stdout=out
        )
        try:
            assert process.stdin is not None
            process.stdin.write(stdin.encode())
            process.stdin.close()
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:  # Ctrl+C or SIGTERM: the import must not run on alone
            process.kill()
            process.wait()
            raise
    process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    output = log.read_text(errors="replace")
    if check and process.returncode != 0:
        raise RuntimeError(f"wissen {' '.join(args)}: Code {process.returncode}\n{output[-3000:]}")
    return Run(seconds, usage.ru_maxrss / 1024, process.returncode, output)


def fresh_instance(data: Path) -> None:
    if data.exists():
        shutil.rmtree(data)
    data.mkdir(parents=True)
    cli(data, "init")
    cli(data, "user", "create", USER, "--role", "admin", "--password-stdin", stdin=PASSWORD)


def serve(data: Path, port: int, log: Path, *options: str) -> subprocess.Popen:
    command = [str(WISSEN), "serve", "--port", str(port), *options]
    return procs.start(command, environment(data), REPO, log)


# --- waiting for background work ---------------------------------------------------------


def document_status(client: Client, slug: str) -> str:
    answer = client.get(f"/api/v1/documents/{slug}")
    if answer.status != 200:
        return f"http-{answer.status}"
    return json.loads(answer.body)["status"]


def wait_documents(client: Client, slugs: list[str], timeout: float) -> dict[str, int]:
    """Poll every unfinished document until all are ready or failed; count the outcomes."""
    pending, outcome = list(slugs), {"ready": 0, "failed": 0}
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        still = []
        for slug in pending:
            status = document_status(client, slug)
            if status in outcome:
                outcome[status] += 1
            else:
                still.append(slug)
        if still:
            print(f"  {len(still)} Dokumente noch in Arbeit", file=sys.stderr)
            time.sleep(3)
        pending = still
    outcome["unfinished"] = len(pending)
    return outcome


def search_total(client: Client, query: str, extra: str = "") -> int:
    answer = client.get(f"/api/v1/search?q={query}{extra}")
    return json.loads(answer.body).get("total", 0) if answer.status == 200 else -1


def wait_searchable(client: Client, words: list[str], timeout: float, extra: str = "") -> float:
    """Seconds until every word is found by the search API (-1 on timeout)."""
    started = time.perf_counter()
    for word in words:
        while search_total(client, word, extra) < 1:
            if time.perf_counter() - started > timeout:
                return -1.0
            time.sleep(0.2)
    return time.perf_counter() - started


# --- editing like a person ------------------------------------------------------------------


class FormFields(HTMLParser):
    """The values a browser would submit from the form ``form_id`` (None: every form)."""

    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.fields: list[tuple[str, str]] = []
        self.inside = form_id is None
        self.select: str | None = None
        self.textarea: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.form_id and a.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") not in ("checkbox", "radio") or "checked" in a:
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "select":
            self.select = a.get("name")
        elif tag == "option" and self.select and "selected" in a:
            self.fields.append((self.select, a.get("value", "")))
        elif tag == "textarea":
            self.textarea, self.text = a.get("name"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.form_id:
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            value = "".join(self.text)
            self.fields.append((self.textarea, value[1:] if value.startswith("\n") else value))
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.text.append(data)


def login(client: Client) -> None:
    page = client.get("/-/anmelden")
    token = next(v for k, v in _inputs(page.body.decode()) if k == "csrf_token")
    answer = client.post("/-/anmelden", {"csrf_token": token, "email": USER, "password": PASSWORD})
    if answer.status not in (302, 303):
        raise RuntimeError(f"Anmeldung bei wissen fehlgeschlagen: HTTP {answer.status}")


def _inputs(html: str, form_id: str | None = None) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def edit_article(client: Client, slug: str, body: str, message: str) -> int:
    """Open the editor, change the text, save; answer the HTTP status of the save."""
    page = client.get(f"/artikel/{slug}/bearbeiten")
    if page.status != 200:
        return page.status
    fields = _inputs(page.body.decode(), "artikel-formular")
    form = [(k, v) for k, v in fields if k not in ("body", "message")]
    form += [("body", body), ("message", message), ("aktion", "speichern")]
    return client.post(f"/artikel/{slug}/bearbeiten", form).status
