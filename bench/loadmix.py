"""Clients of the load benchmark and the crash test: readers and writers over real HTTP.

A reader asks for search pages, the search API, article and document pages. A writer
signs in and, like a person, edits shared articles through the edit form (CSRF token,
every field the form has) and uploads PDFs through the upload form. Every request
becomes one ``Sample``; every write attempt becomes one ``Write`` that says whether the
server acknowledged it, so that the caller can later check that none was lost.

An edit conflict (409) is not an error: the conflict page shows the newer version and
keeps the writer's text, and the writer merges the two and saves again, as the page asks
a person to do. Only the final success counts as an acknowledged write.
"""

from __future__ import annotations

import html
import http.client
import json
import random
import re
import threading
import time
import urllib.parse
import uuid
from dataclasses import asdict, dataclass, field

from bench import minipdf
from bench.corpus import marker_word
from bench.httptiming import Answer, Client
from bench.wissen_steps import FormFields

# Status answers that mean success per request kind; anything else is an error, except
# a conflict on a save (409), which is counted on its own.
EXPECTED = {
    "suche": (200,),
    "api": (200,),
    "artikel": (200,),
    "dokument": (200,),
    "editor": (200,),
    "speichern": (302, 303),
    "upload-formular": (200,),
    "upload": (200,),
}
READ_WEIGHTS = {"suche": 0.3, "api": 0.3, "artikel": 0.25, "dokument": 0.15}
MAX_MERGES = 5  # a writer gives up an edit after this many conflicts in a row
DOCUMENT_KIND = "bericht"
CURRENT_TEXT = re.compile(r'<textarea id="aktuelle-fassung-text"[^>]*>(.*?)</textarea>', re.S)


class LoadClient(Client):
    """``Client`` plus raw POST bodies (multipart) and an Accept header; writes are
    sent once: a write repeated after a dropped connection could be applied twice."""

    def send_once(self, method: str, path: str, body: bytes | None, headers: dict) -> Answer:
        headers = {"Accept-Encoding": "identity", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            return self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException):
            self.close()
            raise


@dataclass
class Sample:
    kind: str
    at: float  # seconds since the client's start
    ms: float
    status: int  # 0: no answer (connection refused, reset, timeout)
    outcome: str  # "ok", "konflikt" or "fehler"


@dataclass
class Write:
    """One intended write; ``acknowledged`` only once the server answered success."""

    kind: str  # "edit" or "upload"
    slug: str
    token: str
    acknowledged: bool = False
    conflicts: int = 0
    status: int = 0  # of the last request; 0: it got no answer
    error: str = ""  # why it got no answer, e.g. ConnectionRefusedError


@dataclass
class Tally:
    """What one client did: every request and every write, plus short error notes."""

    name: str
    samples: list[Sample] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    reconnects: int = 0

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Tally:
        tally = cls(data["name"])
        tally.samples = [Sample(**s) for s in data["samples"]]
        tally.writes = [Write(**w) for w in data["writes"]]
        tally.errors = data["errors"]
        tally.cpu_seconds = data["cpu_seconds"]
        tally.wall_seconds = data["wall_seconds"]
        tally.reconnects = data["reconnects"]
        return tally


class Session:
    """One client connection that times and classifies every request into its tally."""

    def __init__(self, port: int, name: str, timeout: float = 60.0) -> None:
        self.client = LoadClient(port, timeout=timeout)
        self.tally = Tally(name)
        self.origin = time.monotonic()
        self.last_error = ""

    def call(
        self,
        kind: str,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict | None = None,
    ) -> Answer | None:
        """Send one request; None when no answer came (counted as a connection error)."""
        started = time.monotonic()
        try:
            if method == "GET":
                answer = self.client.get(path)
            else:
                answer = self.client.send_once(method, path, body, headers or {})
        except (OSError, http.client.HTTPException) as error:
            self.client.close()
            self.last_error = type(error).__name__
            self._record(kind, started, (time.monotonic() - started) * 1000, 0, "fehler")
            self._note(f"{kind} {method} {path}: {type(error).__name__}: {error}")
            return None
        outcome = "ok" if answer.status in EXPECTED[kind] else "fehler"
        if kind == "speichern" and answer.status == 409:
            outcome = "konflikt"
        self._record(kind, started, answer.seconds * 1000, answer.status, outcome)
        if outcome == "fehler":
            self._note(f"{kind} {method} {path}: HTTP {answer.status}")
        return answer

    def _record(self, kind: str, started: float, ms: float, status: int, outcome: str) -> None:
        self.tally.samples.append(Sample(kind, started - self.origin, ms, status, outcome))

    def _note(self, text: str) -> None:
        if len(self.tally.errors) < 50:  # enough to see the pattern, not a flood
            self.tally.errors.append(text)

    def login(self, email: str, password: str) -> None:
        page = self.client.get("/-/anmelden")
        token = dict(form_fields(page.body, None))["csrf_token"]
        form = {"csrf_token": token, "email": email, "password": password}
        answer = self.client.post("/-/anmelden", form)
        if answer.status not in (302, 303):
            raise RuntimeError(f"Anmeldung als {email}: HTTP {answer.status}")

    def finish(self) -> Tally:
        self.client.close()
        self.tally.reconnects = self.client.reconnects
        self.tally.wall_seconds = time.monotonic() - self.origin
        return self.tally


def form_fields(body: bytes, form_id: str | None) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(body.decode("utf-8", errors="replace"))
    return parser.fields


def encoded(fields: list[tuple[str, str]]) -> tuple[bytes, dict]:
    body = urllib.parse.urlencode(fields).encode()
    return body, {"Content-Type": "application/x-www-form-urlencoded"}


def multipart(fields: list[tuple[str, str]], file_field: str, name: str, data: bytes) -> tuple:
    """A multipart/form-data body as a browser sends it for the upload form."""
    boundary = f"----wissenlast{uuid.uuid4().hex}"
    parts = []
    for key, value in fields:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
        parts.append(head.encode() + value.encode() + b"\r\n")
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; '
        f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
    )
    parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


# --- readers ---------------------------------------------------------------------------------


@dataclass
class ReadPlan:
    """What readers ask for: queries (for /suche and the API), article and document slugs."""

    queries: list[str]
    articles: list[str]
    documents: list[str]

    def pick(self, rng: random.Random) -> tuple[str, str]:
        kind = rng.choices(list(READ_WEIGHTS), weights=list(READ_WEIGHTS.values()))[0]
        if kind == "dokument" and not self.documents:
            kind = "suche"
        if kind in ("suche", "api"):
            query = urllib.parse.quote(rng.choice(self.queries))
            return kind, (f"/suche?q={query}" if kind == "suche" else f"/api/v1/search?q={query}")
        if kind == "artikel":
            return kind, f"/artikel/{rng.choice(self.articles)}"
        return kind, f"/dokumente/{rng.choice(self.documents)}"


def read_until(
    session: Session, plan: ReadPlan, deadline: float, seed: int, pause: float = 0.0
) -> Tally:
    """A closed loop: the next request when the last one is answered (after a random
    pause of ``pause`` seconds on average; 0: at once, the most load a reader can make)."""
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        kind, path = plan.pick(rng)
        session.call(kind, "GET", path)
        if pause:
            time.sleep(rng.uniform(0, 2 * pause))
    return session.finish()


# --- writers ---------------------------------------------------------------------------------


@dataclass
class WritePlan:
    """Which articles the writers share, how often they upload, how long they think."""

    articles: list[str]
    upload_share: float = 0.2
    think: float = 0.05  # mean seconds between opening the editor and saving


class Writer:
    """One signed-in person who edits shared articles and uploads PDFs."""

    def __init__(self, session: Session, plan: WritePlan, letter: str, seed: int) -> None:
        self.session, self.plan, self.letter = session, plan, letter
        self.rng = random.Random(seed)
        self.count = 0

    def token(self) -> str:
        """A word found nowhere else (letters only, so no analyzer splits it)."""
        self.count += 1
        return marker_word(f"l{self.letter}", self.count)

    def step(self) -> Write:
        if self.rng.random() < self.plan.upload_share:
            return self.upload()
        return self.edit(self.rng.choice(self.plan.articles))

    def run_until(
        self, deadline: float, stop: threading.Event | None = None, *, until_failure: bool = False
    ) -> Tally:
        """Write until ``deadline`` or ``stop``; ``until_failure``: also stop after the first
        request without an answer (a crash test's writer, whose server was just killed)."""
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            if self.step().error and until_failure:
                break
        return self.session.finish()

    def _think(self) -> None:
        if self.plan.think:
            time.sleep(self.rng.uniform(0, 2 * self.plan.think))

    def edit(self, slug: str) -> Write:
        write = Write("edit", slug, self.token())
        self.session.tally.writes.append(write)  # recorded before it is sent: nothing hides
        page = self.session.call("editor", "GET", f"/artikel/{slug}/bearbeiten")
        if page is None or page.status != 200:
            write.error = self.session.last_error if page is None else ""
            return write
        fields = form_fields(page.body, "artikel-formular")
        self._think()
        for _ in range(MAX_MERGES):
            answer = self._save(slug, fields, write.token)
            write.status = answer.status if answer else 0
            write.error = self.session.last_error if answer is None else ""
            if answer is None or answer.status != 409:
                write.acknowledged = answer is not None and answer.status in (302, 303)
                return write
            write.conflicts += 1
            fields = merged_fields(answer.body)
        return write

    def _save(self, slug: str, fields: list[tuple[str, str]], token: str) -> Answer | None:
        form = [(k, v) for k, v in fields if k not in ("body", "message", "aktion")]
        body = dict(fields).get("body", "").rstrip("\n")
        body += f"\n\nNachtrag aus der Lastprobe ({self.letter}): Kennung {token}.\n"
        form += [("body", body), ("message", f"Lastprobe {token}"), ("aktion", "speichern")]
        data, headers = encoded(form)
        return self.session.call("speichern", "POST", f"/artikel/{slug}/bearbeiten", data, headers)

    def upload(self) -> Write:
        write = Write("upload", "", self.token())
        self.session.tally.writes.append(write)
        page = self.session.call("upload-formular", "GET", "/dokumente/neu")
        if page is None or page.status != 200:
            write.error = self.session.last_error if page is None else ""
            return write
        csrf = dict(form_fields(page.body, "upload-formular")).get("csrf_token", "")
        fields = [("csrf_token", csrf), ("title", f"Lastprobe {write.token}")]
        fields += [("kind", DOCUMENT_KIND), ("region", "")]
        pdf = probe_pdf(write.token)
        data, headers = multipart(fields, "dateien", f"lastprobe-{write.token}.pdf", pdf)
        # As the upload page's script sends it: the answer names the new document.
        headers["Accept"] = "application/json"
        answer = self.session.call("upload", "POST", "/dokumente/neu", data, headers)
        write.status = answer.status if answer else 0
        write.error = self.session.last_error if answer is None else ""
        if answer is not None and answer.status == 200:
            result = json.loads(answer.body)["results"][0]
            write.slug = result.get("slug", "")
            write.acknowledged = bool(result.get("ok")) and not result.get("duplicate")
        return write


def merged_fields(conflict_page: bytes) -> list[tuple[str, str]]:
    """The conflict page's form, its text replaced by the newer saved version (the writer
    then adds its own paragraph again): what a person does with both versions side by side."""
    fields = form_fields(conflict_page, "artikel-formular")
    found = CURRENT_TEXT.search(conflict_page.decode("utf-8", errors="replace"))
    if found is None:
        raise RuntimeError("Konfliktseite ohne die gespeicherte Fassung")
    current = html.unescape(found.group(1))
    return [(k, v) for k, v in fields if k != "body"] + [("body", current)]


PDF_LINES = [
    "Die Lastprobe lädt diese Datei hoch, während andere suchen und Artikel ändern.",
    "Ehrenamtliche Fahrdienste, Nachbarschaftshilfe und Dorfläden im ländlichen Raum.",
    "Bürgerbusse verbinden die Dörfer mit Bahnhof, Arztpraxen und Geschäften.",
]


def probe_pdf(token: str) -> bytes:
    """A small two-page PDF, unique by its token (a repeated file would be a duplicate)."""
    pages = [PDF_LINES * 8, [*PDF_LINES * 4, f"Kennung der Lastprobe: {token}."]]
    return minipdf.pdf_bytes(f"Lastprobe {token}", pages)
