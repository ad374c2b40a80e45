"""Hostile input in a real browser (issue 8, part 3).

1. XSS payloads (wfuzz's XSS list and the script injections of the Big List of Naughty
   Strings) stored in articles (title, summary, body, tags), contacts, a theme and a region,
   and typed into the search box: no page that shows them runs any of them. Every payload
   calls ``alert``/``prompt``/``confirm`` or does something a Content-Security-Policy
   violation reveals, so a page counts as clean when no dialog opened, the trap in
   ``window.__xss`` stayed unset and the browser reported no blocked inline script (that
   would mean markup got through and only the CSP stopped it).
2. Every file of ``pdf-hostile`` (with ``derived/``) uploaded through the upload form: each
   ends "bereit" or "fehlgeschlagen" in time, or is refused at once with a German message
   and not stored; never a 5xx, and the server stays up.

These tests run their own ``wissen serve`` (starter content, an admin): hostile titles and
70 odd documents would otherwise show up on the pages the other browser tests look at.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
import yaml

from tests import databases
from tests.browser.conftest import Site, serving, sign_in
from tests.conftest import PASSWORD, STARTER, TESTDATA, free_port

ADMIN = "admin@example.org"
STRINGS = TESTDATA / "hostile-strings"
PDFS = TESTDATA / "pdf-hostile"
# A bounded extraction, so that "never stuck" has a number: a file that takes longer is
# stopped and marked failed (production default: 120 s).
EXTRACT_TIMEOUT = 40
PER_FILE = 60  # seconds a document may take from upload to "bereit"/"fehlgeschlagen"
BATCH = 6  # files per submission of the upload form

TRAP = """
window.__xss = false;
window.__csp = [];
const trap = () => { window.__xss = true; };
window.alert = window.confirm = window.prompt = trap;
document.addEventListener("securitypolicyviolation", (event) => {
  if (event.violatedDirective.startsWith("script-src")) {
    window.__csp.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
  }
});
"""

# BLNS entries that are script injections (the list's "Script Injection" and "XSS" parts).
SCRIPTY = re.compile(
    r"(?i)<\s*/?\s*(script|img|svg|iframe|body|input|div|a\s|style|object|embed|meta|link"
    r"|xss|frame|table|td|br|video|audio|math|details|marquee|isindex|form|button)"
    r"|javascript:|vbscript:|\bon\w+\s*=|alert\s*\(|prompt\s*\(|confirm\s*\("
)


# --- the payloads ------------------------------------------------------------------------


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} fehlt (../shared/testdata)")
    return path


def xss_payloads() -> list[str]:
    wfuzz = _need(STRINGS / "wfuzz-XSS.txt").read_text(encoding="utf-8", errors="replace")
    blns = json.loads(_need(STRINGS / "blns.json").read_text(encoding="utf-8"))
    found = [line for line in wfuzz.splitlines() if line.strip()]
    found += [text for text in blns if SCRIPTY.search(text)]
    return list(dict.fromkeys(found))


def chunks(payloads: list[str], limit: int = 280) -> list[list[str]]:
    """The payloads in groups whose joined length fits a title."""
    groups: list[list[str]] = [[]]
    for payload in payloads:
        if groups[-1] and len(" ".join([*groups[-1], payload])) > limit:
            groups.append([])
        groups[-1].append(payload[:limit])
    return groups


def _body(group: list[str]) -> str:
    """Each payload raw (an HTML block of its own), inline in a sentence, as a link."""
    parts = []
    for payload in group:
        parts += [
            payload,
            f"Im Satz: {payload} – Ende.",
            f"[Verweis]({payload.replace(' ', '%20')})",
        ]
    parts.append("[klick](javascript:alert(1)) <javascript:alert(2)> [[<script>alert(3)</script>]]")
    return "\n\n".join(parts) + "\n"


def write_bundle(root: Path, groups: list[list[str]]) -> None:
    """A bundle (../shared/BUNDLE.md) that puts every payload into every kind of field."""
    flat = [p for group in groups for p in group]
    (root / "articles").mkdir(parents=True)
    theme = {"slug": "angriff", "name": flat[0][:200], "description": " ".join(flat)[:2000]}
    region = {"slug": "angriffsregion", "name": flat[1][:200]}
    region |= {"kind": "Landkreis", "state": "Hessen"}
    _yaml(root / "themes.yml", [theme])
    _yaml(root / "regions.yml", [region])
    contacts = [
        {
            "id": f"kontakt-{n}",
            "name": " ".join(group)[:200],
            "role": group[-1][:300],
            "organisation": group[0][:300],
            "region": "angriffsregion",
            "email": f"kontakt-{n}@example.org",
            "themes": ["angriff"],
        }
        for n, group in enumerate(groups)
    ]
    _yaml(root / "contacts.yml", contacts)
    for n, group in enumerate(groups):
        meta = {
            "title": " ".join(group),
            "kind": "praxisbeispiel",
            "region": "angriffsregion",
            "themes": ["angriff"],
            "tags": [p[:120] for p in group],
            "contacts": [f"kontakt-{n}"],
            "summary": " ".join(group)[:2000],
        }
        text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        (root / "articles" / f"angriff-{n}.md").write_text(f"---\n{text}---\n{_body(group)}")


def _yaml(path: Path, data: Any) -> None:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


# --- a server of their own -----------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    payloads = xss_payloads()
    root = tmp_path_factory.mktemp("hostile")
    env = databases.process_env(root / "data", STARTER)
    env["WISSEN_EXTRACT_TIMEOUT"] = str(EXTRACT_TIMEOUT)
    port = free_port()
    site = Site(f"http://127.0.0.1:{port}", root / "data", env, root / "server.log")
    site.cli("init")
    site.cli("import", str(STARTER))
    write_bundle(root / "angriff", chunks(payloads))
    site.cli("import", str(root / "angriff"))
    site.cli("user", "create", ADMIN, "--role", "admin", "--password-stdin", stdin=PASSWORD)
    with serving(site):
        yield site
    output = site.log.read_text(errors="replace")
    assert "Unerwarteter Fehler" not in output, output[-3000:]  # written by the 500 handler


class Watched:
    """A browser tab with the XSS trap installed; ``problems`` lists what it caught."""

    def __init__(self, tab: Any) -> None:
        self.tab = tab
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.problems: list[str] = []
        tab.add_init_script(TRAP)
        tab.on("dialog", self._dialog)
        tab.on("pageerror", lambda error: self.errors.append(str(error)))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def visit(self, path: str) -> Any:
        response = self.tab.goto(path)
        if response is None or not 200 <= response.status < 300:
            self.problems.append(f"{path}: Status {response.status if response else '–'}")
        self.check(path)
        return response

    def check(self, where: str) -> None:
        """Let handlers (onload, onerror of broken images, timers) run, then look."""
        self.tab.wait_for_load_state("load")
        self.tab.wait_for_timeout(50)
        ran = self.tab.evaluate(
            "(() => { const seen = [window.__xss, window.__csp || []];"
            " window.__xss = false; window.__csp = []; return seen; })()"
        )
        if ran[0]:
            self.problems.append(f"{where}: Skript ausgeführt (window.__xss)")
        if ran[1]:
            self.problems.append(
                f"{where}: eingeschleustes Skript, nur von der CSP blockiert {ran[1][:2]}"
            )
        if self.dialogs:
            self.problems.append(f"{where}: Dialog {self.dialogs[:2]}")
            self.dialogs.clear()
        if self.errors:
            self.problems.append(f"{where}: JavaScript-Fehler {self.errors[:2]}")
            self.errors.clear()

    def assert_clean(self, title: str) -> None:
        shown = "\n".join(self.problems[:40])
        assert not self.problems, f"{title}: {len(self.problems)} Funde\n{shown}"


@pytest.fixture
def tab(browser, hostile_site: Site) -> Iterator[Watched]:
    context = browser.new_context(locale="de-DE", base_url=hostile_site.base)
    context.set_default_timeout(20_000)
    yield Watched(context.new_page())
    context.close()


def _wait_for_index(watched: Watched, word: str, wanted: int) -> None:
    """The import's index entries are written by the server's worker: wait for them."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answer = watched.tab.request.get(f"/api/v1/search?q={quote(word)}&per_page=50")
        if answer.ok and answer.json()["total"] >= wanted:
            return
        time.sleep(0.5)
    raise AssertionError(f"Suchindex nach 60 s noch ohne die {wanted} Angriffsartikel")


# --- 1. stored and typed XSS -------------------------------------------------------------


def test_stored_payloads_never_run_on_any_page_that_shows_them(tab: Watched) -> None:
    groups = chunks(xss_payloads())
    sign_in(tab.tab, ADMIN)
    _wait_for_index(tab, "Verweis", len(groups))
    pages = [f"/artikel/angriff-{n}" for n in range(len(groups))]
    pages += [f"/kontakte/kontakt-{n}" for n in range(len(groups))]
    pages += [
        "/",
        "/themen",
        "/themen/angriff",
        "/regionen",
        "/regionen/angriffsregion",
        "/kontakte",
        "/kontakte?thema=angriff",
        "/transfermatrix",
        "/-/letzte-aenderungen",
        "/-/pruefen",
        "/-/kontakte-bestaetigen",
        "/artikel/angriff-0/versionen",
        "/suche?q=Verweis",
        "/suche?q=Verweis&page=2",
        "/suche?q=alert",
        "/suche?q=script&type=contact",
        "/suche?q=Satz&theme=angriff",
        "/-/admin/themen",
        "/-/admin/regionen",
        "/-/admin/protokoll",
    ]
    for path in pages:
        tab.visit(path)
        own_page = re.fullmatch(r"/(?:artikel/angriff|kontakte/kontakt)-(\d+)", path)
        if own_page:
            # The page does show the payloads (as text), or it would prove nothing.
            group = groups[int(own_page.group(1))]
            heading = " ".join(tab.tab.locator("h1").first.inner_text().split())
            if " ".join(group[0].split())[:30] not in heading:
                tab.problems.append(f"{path}: Überschrift {heading[:80]!r} ohne {group[0]!r}")
        if path.startswith("/suche?q=Verweis") and not tab.tab.locator("mark").count():
            tab.problems.append(f"{path}: keine hervorgehobenen Fundstellen")
    for path in ("/", "/suche?q=Verweis", "/kontakte"):  # the same as a visitor
        tab.tab.context.clear_cookies()
        tab.visit(path)
    tab.assert_clean("Seiten mit gespeicherten Angriffen")


def test_payloads_typed_into_the_search_box_never_run(tab: Watched) -> None:
    """The wfuzz payloads typed into the header's search box (its autocomplete asks the
    server as one types) and sent, a third of the others as search addresses: the results
    page shows the query back, escaped. Words of the stored titles bring those titles up
    as suggestions."""
    payloads = xss_payloads()
    wfuzz = [p for p in payloads if p in _wfuzz()]
    tab.visit("/")
    for payload in wfuzz:
        box = tab.tab.locator("input[data-vorschlaege]")
        box.fill(payload)
        box.press("End")
        box.type(" a")  # a keystroke, so that the suggestions are fetched and shown
        tab.tab.wait_for_timeout(200)
        tab.check(f"Vorschläge für {payload!r}")
        box.press("Enter")
        tab.check(f"Suche nach {payload!r}")
        shown = tab.tab.locator("#seiten-suche").input_value()
        if shown != f"{payload} a".strip()[:300]:
            tab.problems.append(f"{payload!r}: Suchfeld zeigt {shown!r}")
    for payload in payloads[::3]:  # (all of them are on the stored pages as well)
        tab.visit(f"/suche?q={quote(payload)}")
    shown_labels = []
    for word in ("scri", "alert", "java", "onerror", "Verweis"):
        box = tab.tab.locator("input[data-vorschlaege]")
        box.fill("")
        box.type(word)
        tab.tab.wait_for_timeout(400)
        tab.check(f"Vorschläge für {word!r}")
        shown_labels += tab.tab.locator("#kopf-suche-vorschlaege li").all_inner_texts()
    # The stored titles did come up, as text.
    assert any("<" in label for label in shown_labels), shown_labels
    tab.assert_clean("Eingetippte Angriffe")


def _wfuzz() -> set[str]:
    text = (STRINGS / "wfuzz-XSS.txt").read_text(encoding="utf-8", errors="replace")
    return {line for line in text.splitlines() if line.strip()}


def test_the_trap_notices_a_script_that_runs(tab: Watched) -> None:
    """The XSS check itself: a script that calls alert(), and markup with an inline
    handler that only the Content-Security-Policy stops, are both reported."""
    tab.visit("/")
    tab.tab.evaluate("alert('Probe')")
    tab.check("Probe 1")
    tab.tab.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<img src=/fehlt.png onerror=alert(2)>')"
    )
    tab.tab.wait_for_timeout(300)
    tab.check("Probe 2")
    found = "\n".join(tab.problems)
    assert "window.__xss" in found and "CSP" in found, found


def test_payloads_typed_into_the_editor_never_run(tab: Watched) -> None:
    """An article written in the browser with every payload in title, tags, summary and
    body: the live preview (filled by script as one types), the saved article page and its
    edit form stay inert."""
    payloads = xss_payloads()
    sign_in(tab.tab, ADMIN)
    tab.visit("/artikel/neu?art=praxisbeispiel")
    page = tab.tab
    page.fill("#feld-title", " ".join(payloads)[:300])
    page.fill("#feld-tags", ", ".join(p.replace(",", " ")[:120] for p in payloads[:40]))
    page.fill("#feld-summary", " ".join(payloads)[:2000])
    page.fill("#feld-body", "\n\n".join(payloads))
    page.locator("#feld-body").press("End")
    page.locator("#feld-body").type("\n\nEnde.")
    page.wait_for_timeout(1200)  # the live preview asks the server 400 ms after typing
    tab.check("Live-Vorschau")
    page.click("button[name=aktion][value=vorschau]")
    tab.check("Vorschau-Knopf")
    page.click("button[name=aktion][value=veroeffentlichen]")
    tab.check("gespeicherter Artikel")
    path = urlsplit(page.url).path
    if not path.startswith("/artikel/") or path.endswith("/neu"):
        tab.problems.append(f"nicht gespeichert: {page.url}")
    else:
        heading = " ".join(page.locator("h1").first.inner_text().split())
        if not heading.startswith(" ".join(payloads[0].split())[:20]):
            tab.problems.append(f"Überschrift {heading[:80]!r} statt der eingegebenen")
        tab.visit(path + "/bearbeiten")
        tab.visit(path + "/versionen")
    tab.assert_clean("Angriffe im Editor")


# --- 2. hostile PDFs through the upload form ---------------------------------------------


def _hostile_files() -> list[Path]:
    _need(PDFS)
    return sorted(p for p in PDFS.rglob("*") if p.is_file())


def _listed_documents(tab: Watched) -> set[str]:
    page = tab.tab.request.get("/dokumente").text()
    return set(re.findall(r'href="/dokumente/([a-z0-9-]+)"', page)) - {"neu"}


def _upload(tab: Watched, files: list[Path]) -> list[dict[str, str]]:
    """Submit the upload form with ``files``; the results its script lists."""
    page = tab.tab
    tab.visit("/dokumente/neu")
    page.set_input_files("#feld-dateien", [str(p) for p in files])
    with page.expect_response(
        lambda r: r.url.endswith("/dokumente/neu") and r.request.method == "POST"
    ) as answer:
        page.click("#upload-formular button[type=submit]")
    response = answer.value
    if response.status >= 500:
        tab.problems.append(f"{[p.name for p in files]}: Upload {response.status}")
        return []
    page.wait_for_selector("#upload-status li", state="attached")
    tab.check(f"Upload {[p.name for p in files]}")
    return response.json()["results"]


def _batches(files: list[Path]) -> list[list[Path]]:
    """Groups of BATCH files, none of one alone (the form's script opens the document
    when a single file was accepted, instead of listing the results)."""
    groups = [files[start : start + BATCH] for start in range(0, len(files), BATCH)]
    if len(groups) > 1 and len(groups[-1]) == 1:
        groups[-2] += groups.pop()
    return groups


def test_every_hostile_pdf_ends_ready_or_failed_or_is_refused(
    tab: Watched, hostile_site: Site
) -> None:
    files = _hostile_files()
    sign_in(tab.tab, ADMIN)
    before = _listed_documents(tab)
    outcomes: dict[str, str] = {}
    accepted = 0
    for batch in _batches(files):
        results = _upload(tab, batch)
        if len(results) != len(batch):
            tab.problems.append(f"{[p.name for p in batch]}: {len(results)} Ergebnisse")
            continue
        waiting = {}
        for path, result in zip(batch, results, strict=True):
            if not result["ok"]:
                # Refused at once: the message says why, in German, and names the file.
                if not re.search(r"ist leer|hat ein Format|ist größer", result["message"]):
                    tab.problems.append(f"{path.name}: Ablehnung ohne Grund: {result['message']}")
                if result["message"] not in tab.tab.locator("#upload-status").inner_text():
                    tab.problems.append(f"{path.name}: Ablehnung nicht angezeigt")
                outcomes[path.name] = "abgelehnt: " + result["message"]
            elif not result["duplicate"]:
                waiting[path.name] = result["slug"]
                accepted += 1
            else:
                outcomes[path.name] = "schon vorhanden: " + result["title"]
        outcomes |= _wait_until_done(tab, waiting, deadline=PER_FILE * max(1, len(waiting)))
    stuck = {name: state for name, state in outcomes.items() if state.startswith("hängt")}
    assert not stuck, f"nicht rechtzeitig fertig: {stuck}"
    added = _listed_documents(tab) - before
    assert len(added) == accepted, f"{len(added)} neue Dokumente, {accepted} angenommen"
    with urllib.request.urlopen(hostile_site.url("/-/health"), timeout=10) as health:
        assert health.status == 200, "der Server antwortet nicht mehr"
    tab.assert_clean("Upload der schwierigen PDFs")
    print("\n".join(f"{name}: {state}" for name, state in sorted(outcomes.items())))


def _wait_until_done(tab: Watched, waiting: dict[str, str], deadline: float) -> dict[str, str]:
    """Poll the JSON API until each document is ready or failed; open its page then."""
    done: dict[str, str] = {}
    end = time.monotonic() + deadline
    while waiting and time.monotonic() < end:
        for name, slug in list(waiting.items()):
            answer = tab.tab.request.get(f"/api/v1/documents/{slug}")
            if answer.status >= 500:
                tab.problems.append(f"{name}: API {answer.status}")
            state = answer.json().get("status") if answer.ok else None
            if state in ("ready", "failed"):
                label = answer.json()["status_label"]
                done[name] = f"{label} ({answer.json().get('error') or answer.json().get('pages')})"
                del waiting[name]
                tab.visit(f"/dokumente/{slug}")
                if label not in ("bereit", "fehlgeschlagen"):
                    tab.problems.append(f"{name}: Status {label!r}")
        time.sleep(0.5)
    done |= {name: f"hängt nach {deadline} s" for name in waiting}
    return done
