"""Hostile input (issue 8, part 3): every string of the Big List of Naughty Strings into
every form field, the search box, the query parameters and the JSON API.

For each string the app must either keep it exactly as typed, or refuse it with a German
message (a 4xx page, or the form shown again with the error) and then have stored nothing
and left the existing data alone. A 5xx is always a failure, and so is a page that carries
active content a visitor did not write into it as text (a script, an ``on…`` handler, a
``javascript:`` link).

"Exactly as typed" means after wissen's own, deliberate tidying, which the tests spell out
(see the ``expected_…`` helpers): one-line fields (titles, names, roles, places, tag names,
token names) have runs of whitespace – Python's idea of it, ``str.split()`` – folded into
one space and none at the ends; multi-line fields keep their inner text and lose only the
whitespace around it (the summary), or get LF line ends and a final newline (the body).

Each test loops over the strings inside one app and collects what went wrong, so that one
report shows every failing string; the strings come from ``../shared/testdata`` and the
tests are skipped without it.

Cost: a request costs about 10 ms here, and all strings into all forms, read back, are
some 15,000 requests. So by default every string goes through the article form and the
search (box, API, suggestions), and each other form takes a different sixth of the list
(``spread``), so that every string still meets several of them. ``WISSEN_HOSTILE_ALL=1``
sends every string into every form (about four minutes). Forms that check a password (a
deliberately slow hash per attempt) always take a small sample.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from wissen import jobs
from wissen.extensions import db
from wissen.models import Article, Contact, Document, Region, Theme, User
from wissen.services.bundle import import_bundle
from wissen.storage import BlobStore

from . import databases
from .conftest import PASSWORD, STARTER, TESTDATA, load_bundle, login, make_app, make_user

STRINGS = TESTDATA / "hostile-strings"
ADMIN = "admin@example.org"
# Existing things of the starter bundle that hostile requests aim at.
THEME = "ehrenamt"
EXISTING_ARTICLE = "zwk-beirat-bremerhaven"


# --- the inputs --------------------------------------------------------------------------


def _read(name: str) -> Path:
    path = STRINGS / name
    if not path.is_file():
        pytest.skip(f"{path} fehlt (../shared/testdata)")
    return path


@pytest.fixture(scope="module")
def blns() -> list[str]:
    return json.loads(_read("blns.json").read_text(encoding="utf-8"))


def wfuzz(name: str) -> list[str]:
    """One of wfuzz's payload lists (XSS, SQL, Traversal): hostile strings of another kind."""
    text = _read(f"wfuzz-{name}.txt").read_text(encoding="utf-8", errors="replace")
    return [line for line in text.splitlines() if line.strip()]


@pytest.fixture(scope="module")
def file_names() -> list[str]:
    return json.loads(_read("hostile-filenames.json").read_text(encoding="utf-8"))


ALL = os.environ.get("WISSEN_HOSTILE_ALL", "") not in ("", "0")
SHARE = 6  # without WISSEN_HOSTILE_ALL a form takes every sixth string


@pytest.fixture
def spread(request: pytest.FixtureRequest, blns: list[str]) -> list[str]:
    """This test's share of the BLNS: all of it with WISSEN_HOSTILE_ALL, else every sixth
    string, starting where the test's name says, so that the tests share the list out."""
    if ALL:
        return blns
    start = zlib.crc32(request.node.originalname.encode()) % SHARE
    return blns[start::SHARE]


def sample(strings: list[str], size: int) -> list[str]:
    """About ``size`` strings spread over the whole list (every section of the BLNS)."""
    step = max(1, len(strings) // size)
    return strings[::step]


# Not in the BLNS, but the same spirit for the fields that take a date or a number.
DATES_AND_NUMBERS = [
    "31.12.99999999999999999999",
    "1.1.99999999999999999999999999999999",
    "99999999999999999999-01-01",
    "0.0.0",
    "29.02.2023",
    "2024-02-30",
    "١٥.٠٣.٢٠٢٤",
    "15.03.2026.1",
    "-1",
    "1e308",
    "NaN",
    "²",
    "⁰⁴⁵",
    "٣",
    "9" * 400,
]


# --- what wissen does with what was typed ------------------------------------------------


def one_line(text: str) -> str:
    """Titles, names, roles, places: whitespace runs folded, none at the ends."""
    return " ".join(text.split())


def expected_body(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") or not text else text + "\n"


def expected_tags(text: str) -> list[str]:
    names = (one_line(part)[:120] for part in text.split(","))
    return list(dict.fromkeys(name for name in names if name))


# --- reading pages -----------------------------------------------------------------------

DANGEROUS_TAGS = frozenset({"iframe", "object", "embed", "base", "frame", "applet"})
URL_ATTRIBUTES = frozenset({"href", "src", "action", "formaction", "xlink:href", "data"})
SCRIPT_SCHEMES = ("javascript", "vbscript")


def runs_script(url: str) -> bool:
    """Whether a browser would run ``url`` (WHATWG URL parsing: tabs and newlines removed,
    C0 controls and spaces trimmed, then the scheme up to the first colon)."""
    url = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33))))
    scheme, colon, rest = url.partition(":")
    if not colon or not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme):
        return False
    return scheme.lower() in SCRIPT_SCHEMES or (
        scheme.lower() == "data" and rest.lstrip().lower().startswith("text/html")
    )


class Page:
    """What a browser shows in a page's fields and headings (parsed by libxml2 through
    lxml, which python-docx brings), and anything active in it that no template of wissen
    writes: a sign of injected markup."""

    def __init__(self, text: str) -> None:
        self.root = lxml.html.document_fromstring(text if text.strip() else "<html></html>")
        self.fields: dict[str, str] = {}
        for element in self.root.iter("input", "textarea"):
            if element.get("id"):
                value = element.get("value", "") if element.tag == "input" else element.text
                # Browsers drop the one newline right after <textarea>.
                if element.tag == "textarea" and (value or "").startswith("\n"):
                    value = value[1:]
                self.fields[element.get("id")] = value or ""
        for element in self.root.iter("select"):
            chosen = [
                o.get("value") for o in element.iter("option") if o.get("selected") is not None
            ]
            if element.get("id"):
                self.fields[element.get("id")] = chosen[0] if chosen else ""
        self.headings = [h.text_content() for h in self.root.iter("h1", "h2")]

    @property
    def active(self) -> list[str]:
        found = []
        for element in self.root.iter():
            tag = element.tag if isinstance(element.tag, str) else ""
            if tag == "script" and not element.get("src", "").startswith("/static/"):
                found.append(f"<script>{(element.text or '')[:60]}")
            if tag in DANGEROUS_TAGS:
                found.append(f"<{tag}>")
            for name, value in element.attrib.items():
                if name.lower().startswith("on"):
                    found.append(f"<{tag} {name}=…>")
                if name.lower() in URL_ATTRIBUTES and runs_script(value):
                    found.append(f"<{tag} {name}={value[:60]}>")
        return found


def page_of(response: TestResponse) -> Page:
    return Page(response.get_data(as_text=True))


def shows(response: TestResponse, message: str) -> bool:
    return str(escape(message)) in response.get_data(as_text=True)


def shows_raw(response: TestResponse, markup: str) -> bool:
    return markup in response.get_data(as_text=True)


def refused(response: TestResponse, *messages: str, statuses: range = range(400, 500)) -> bool:
    return response.status_code in statuses and all(shows(response, m) for m in messages)


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def slug_from(response: TestResponse) -> str:
    return response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]


def submit(client: FlaskClient, path: str, **kwargs: Any) -> TestResponse:
    """POST as the browser does, without following the redirect; the flash message the
    next page would have shown is dropped, so that 500 of them do not pile up in the
    session cookie."""
    response = client.post(path, **kwargs)
    if response.status_code in (301, 302, 303):
        with client.session_transaction() as browser_session:
            browser_session.pop("_flashes", None)
    return response


class Problems:
    """What went wrong, string by string; the test fails once, listing all of them."""

    def __init__(self) -> None:
        self.found: list[str] = []

    def add(self, text: str, what: str) -> None:
        self.found.append(f"{text!r}: {what}")

    def check(self, ok: bool, text: str, what: str) -> bool:
        if not ok:
            self.add(text, what)
        return ok

    def page(self, response: TestResponse, text: str, where: str, ok=range(200, 400)) -> bool:
        """A status from ``ok`` and no injected active content; False if not."""
        if response.status_code not in ok:
            self.add(text, f"{where}: Status {response.status_code}")
            return False
        if response.mimetype == "text/html" and response.status_code < 300:
            active = page_of(response).active
            if active:
                self.add(text, f"{where}: aktiver Inhalt {active[:3]}")
                return False
        return True

    def same(self, text: str, where: str, got: Any, wanted: Any) -> None:
        if got != wanted:
            self.add(text, f"{where}: gespeichert {got!r}, erwartet {wanted!r}")

    def assert_none(self, title: str) -> None:
        shown = "\n".join(self.found[:60])
        more = f"\n… und {len(self.found) - 60} weitere" if len(self.found) > 60 else ""
        assert not self.found, f"{title}: {len(self.found)} Fälle\n{shown}{more}"


# --- the app -----------------------------------------------------------------------------


def _new_site(root: Path) -> Flask:
    """The starter bundle and an admin. Background jobs wait in the queue, so that 500
    uploads do not start 500 extraction processes, and the search index is built when a
    test needs it (``index_everything``), not after each of thousands of saves."""
    app = make_app(root, JOBS_IMMEDIATE=False)
    app.config["WTF_CSRF_ENABLED"] = False  # CSRF has its own tests (test_security)
    with app.app_context():
        load_bundle(app, STARTER)
        make_user(ADMIN, "admin")
        db.session.remove()
    return app


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of a new instance, made once and copied for each test."""
    root = tmp_path_factory.mktemp("vorlage")
    _new_site(root)
    db.session.remove()
    db.engine.dispose()
    return root / "data"


def _copy_of(prepared: Path, root: Path) -> Flask:
    databases.copy_data(prepared, root / "data")
    app = make_app(root, JOBS_IMMEDIATE=False)
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def fresh(prepared: Path, tmp_path: Path) -> Iterator[Flask]:
    """A new instance for each form test: what one test stores (500 regions, say) must not
    swell the forms of the next (every form lists the regions)."""
    with jobs.index_hook_paused():
        yield _copy_of(prepared, tmp_path)
    db.session.remove()


@pytest.fixture
def admin(fresh: Flask) -> FlaskClient:
    client = fresh.test_client()
    login(client, ADMIN)
    return client


def index_everything(app: Flask) -> None:
    with app.app_context():
        jobs.rebuild_index.call_local()
        db.session.remove()


# --- articles ----------------------------------------------------------------------------

NEW_ARTICLE = {"kind": "praxisbeispiel", "aktion": "veroeffentlichen"}
TAG_MESSAGE = "Ein Schlagwort darf höchstens 120 Zeichen lang sein."
SAFE_ARTICLE_FIELDS = {
    "Bitte einen Titel eingeben.": {"title": "Ersatztitel"},
    "Der Titel darf höchstens 300 Zeichen lang sein.": {"title": "Ersatztitel"},
    "Der Ort darf höchstens 200 Zeichen lang sein.": {"place": ""},
    TAG_MESSAGE: {"tags": ""},
}


def article_refusals(fields: dict[str, str]) -> list[str]:
    """The German messages the article form must answer ``fields`` with (none: saved)."""
    title = one_line(fields["title"])
    messages = []
    if not title:
        messages.append("Bitte einen Titel eingeben.")
    elif len(title) > 300:
        messages.append("Der Titel darf höchstens 300 Zeichen lang sein.")
    if len(one_line(fields["place"])) > 200:
        messages.append("Der Ort darf höchstens 200 Zeichen lang sein.")
    if any(len(one_line(tag)) > 120 for tag in fields["tags"].split(",")):
        messages.append(TAG_MESSAGE)
    return messages


def _place_and_note(app: Flask, slug: str) -> tuple[str, str]:
    """Place and change note, which neither the API nor the article page show."""
    with app.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == slug))
        assert article is not None and article.current_revision is not None
        return article.place, article.current_revision.message


def test_the_article_form_keeps_every_string_exactly(admin: FlaskClient, blns: list[str]):
    """Title, summary, body, tags, place and change note of a new article: stored as typed
    and shown escaped; an empty or too long title, place or tag is refused in German and
    nothing is stored (then the string goes again into the other fields alone). Every BLNS
    string, and wfuzz's XSS payloads."""
    app, problems = admin.application, Problems()
    for number, text in enumerate([*blns, *wfuzz("XSS")]):
        fields = {"title": text, "summary": text, "body": text, "tags": text, "place": text}
        fields["message"] = text
        expected = article_refusals(fields)
        if expected:
            before = count(app, Article)
            response = submit(admin, "/artikel/neu", data={**NEW_ARTICLE, **fields})
            problems.check(
                refused(response, *expected) and count(app, Article) == before,
                text,
                f"nicht mit {expected} abgelehnt ({response.status_code})",
            )
            for message in expected:
                fields |= SAFE_ARTICLE_FIELDS[message]
        response = submit(admin, "/artikel/neu", data={**NEW_ARTICLE, **fields})
        if not problems.check(response.status_code == 302, text, f"{response.status_code}"):
            continue
        slug = slug_from(response)
        api = admin.get(f"/api/v1/articles/{slug}").get_json()
        title = one_line(fields["title"])
        problems.same(text, "Titel", api["title"], title)
        problems.same(text, "Zusammenfassung", api["summary"], text.strip())
        problems.same(text, "Text", api["body"], expected_body(text))
        # Tags are listed in alphabetical order (Article.tags).
        problems.same(text, "Schlagworte", api["tags"], sorted(expected_tags(fields["tags"])))
        place, note = _place_and_note(app, slug)
        problems.same(text, "Ort", place, one_line(fields["place"]))
        problems.same(text, "Änderungsnotiz", note, (text or "Angelegt").strip())
        if ALL or number % 2 == 0:
            shown = admin.get(f"/artikel/{slug}")
            if problems.page(shown, text, "Artikelseite"):
                heading = title in page_of(shown).headings
                problems.check(heading, text, "Titel nicht als Überschrift")
        else:  # the rendered text alone (the live preview); the title is in the lists below
            problems.page(submit(admin, "/-/vorschau", data={"body": text}), text, "Vorschau")
    for path in ("/", "/-/letzte-aenderungen", "/-/letzte-aenderungen?page=2", "/feeds/neu.atom"):
        problems.page(admin.get(path), path, path)
    problems.assert_none("Artikelformular")


def test_the_article_form_refuses_values_it_does_not_offer(admin: FlaskClient, spread: list[str]):
    """Kind, region, themes, contacts, date, the button and the hidden revision numbers
    are choices: any other value is refused with the German message, nothing changes."""
    problems = Problems()
    path, api = f"/artikel/{EXISTING_ARTICLE}", f"/api/v1/articles/{EXISTING_ARTICLE}"
    original = admin.get(api).get_json()
    for text in [*spread, *DATES_AND_NUMBERS]:
        form = dict.fromkeys(("kind", "region", "themes", "contacts", "date", "aktion"), text)
        form |= {"title": "Auswahl", "base_revision": text, "base_version": text}
        response = submit(admin, f"{path}/bearbeiten", data=form)
        if problems.page(response, text, "Formular mit Fehlern", ok=range(422, 423)):
            problems.check(refused(response, "Bitte eine Art auswählen."), text, "Meldung fehlt")
    problems.same("(Ende)", "Artikel", admin.get(api).get_json(), original)
    # The date alone, on a new article.
    for text in DATES_AND_NUMBERS:
        form = {**NEW_ARTICLE, "title": "Datum", "date": text}
        response = submit(admin, "/artikel/neu", data=form)
        if response.status_code == 302:
            stored = admin.get(f"/api/v1/articles/{slug_from(response)}").get_json()["date"]
            problems.check(bool(stored) == bool(text.strip()), text, f"Datum {stored!r}")
        else:
            message = "Bitte ein Datum im Format TT.MM.JJJJ oder JJJJ-MM-TT eingeben."
            problems.check(refused(response, message), text, f"Datum: {response.status_code}")
    problems.assert_none("Auswahlfelder des Artikelformulars")


def test_article_buttons_and_renaming_survive_any_value(admin: FlaskClient, spread: list[str]):
    """The status buttons and the rename form take forged values, a stale revision number
    shows the conflict page: refused in German (or a valid new short name taken), and the
    article's text stays as it was."""
    problems = Problems()
    slug = "leuchtturm-strategie-ludwigslust-parchim"
    original = admin.get(f"/api/v1/articles/{slug}").get_json()
    for text in spread:
        response = submit(admin, f"/artikel/{slug}/status", data={"status": text})
        problems.check(
            refused(response, "Ungültige Anfrage"), text, f"Status: {response.status_code}"
        )
        response = submit(admin, f"/artikel/{slug}/umbenennen", data={"slug": text})
        if response.status_code == 302:
            problems.check(slug_from(response) == text.strip(), text, "anders umbenannt")
            slug = slug_from(response)
            continue
        problems.check(
            refused(response, "Der Kurzname darf nur a–z, 0–9 und Bindestriche enthalten.")
            or refused(response, "ist schon vergeben."),
            text,
            f"Umbenennen: {response.status_code}",
        )
    form = {"title": original["title"], "kind": original["kind"], "body": original["body"]}
    form |= {"summary": original["summary"], "tags": ", ".join(original["tags"])}
    form |= {"region": (original["region"] or {}).get("slug", ""), "aktion": "speichern"}
    form |= {"themes": [t["slug"] for t in original["themes"]], "contacts": original["contacts"]}
    for text in sample(spread, 10):
        response = submit(
            admin, f"/artikel/{slug}/bearbeiten", data={**form, "base_revision": text}
        )
        problems.check(
            response.status_code == 302 or refused(response, "Jemand war schneller"),
            text,
            f"Versionsnummer: {response.status_code}",
        )
    now = admin.get(f"/api/v1/articles/{slug}").get_json()
    for key in ("title", "body", "summary", "tags", "themes", "region", "status"):
        problems.same("(Ende)", key, now[key], original[key])
    problems.assert_none("Knöpfe am Artikel")


# --- contacts ----------------------------------------------------------------------------

PUBLIC_CONTACT = {"visibility": "oeffentlich"}
CONTACT_LIMITS = {"name": 200, "role": 300, "organisation": 300}
SAFE_CONTACT_FIELDS = {"name": "Ersatzname", "role": "Ersatzfunktion", "organisation": ""}


def contact_refusals(fields: dict[str, str]) -> dict[str, str]:
    """Field → the German message the contact form must answer with."""
    messages = {}
    for key, limit in CONTACT_LIMITS.items():
        if len(one_line(fields[key])) > limit:
            messages[key] = f"Höchstens {limit} Zeichen."
    if not one_line(fields["name"]):
        messages["name"] = "Bitte den Namen eingeben."
    if not one_line(fields["role"]):
        messages["role"] = "Bitte die Funktion eingeben"
    return messages


def test_the_contact_form_keeps_every_string_exactly(admin: FlaskClient, spread: list[str]):
    """Name, function and organisation of a new contact: stored as typed; empty or too
    long ones refused with the German message and nothing stored."""
    app, problems = admin.application, Problems()
    for number, text in enumerate(spread):
        fields = {"name": text, "role": text, "organisation": text}
        expected = contact_refusals(fields)
        if expected:
            before = count(app, Contact)
            response = submit(admin, "/kontakte/neu", data={**PUBLIC_CONTACT, **fields})
            problems.check(
                refused(response, *expected.values()) and count(app, Contact) == before,
                text,
                f"nicht mit {list(expected.values())} abgelehnt ({response.status_code})",
            )
            fields |= {key: SAFE_CONTACT_FIELDS[key] for key in expected}
        response = submit(admin, "/kontakte/neu", data={**PUBLIC_CONTACT, **fields})
        if not problems.check(response.status_code == 302, text, f"{response.status_code}"):
            continue
        slug = slug_from(response)
        stored = admin.get(f"/api/v1/contacts/{slug}").get_json()
        for name in ("name", "role", "organisation"):
            problems.same(text, name, stored[name], one_line(fields[name]))
        if number % 5 == 0:
            shown = admin.get(f"/kontakte/{slug}")
            if problems.page(shown, text, "Kontaktseite"):
                problems.check(stored["name"] in page_of(shown).headings, text, "Name fehlt")
            card = admin.get(f"/kontakte/{slug}/visitenkarte.vcf")
            problems.check(card.status_code == 200, text, f"vCard: {card.status_code}")
    problems.page(admin.get("/kontakte"), "", "Kontaktliste mit allen Namen")
    problems.assert_none("Kontaktformular")


def test_contact_details_are_checked_and_a_refusal_keeps_the_old_ones(
    admin: FlaskClient, spread: list[str]
):
    """E-mail, telephone and consent date of an existing contact: a valid value is taken
    (in wissen's format), anything else refused in German with the contact unchanged;
    region, themes and visibility only take what the form offers."""
    app, problems = admin.application, Problems()
    person = {**PUBLIC_CONTACT, "name": "Erika Muster", "role": "Koordinatorin"}
    slug = slug_from(submit(admin, "/kontakte/neu", data=person))
    messages = (
        "Bitte eine gültige E-Mail-Adresse eingeben",
        "Bitte eine gültige Telefonnummer eingeben",
        "Bitte ein Datum wie 2026-03-15 eingeben.",
        "Die Einwilligung kann nicht in der Zukunft liegen.",
    )
    state = admin.get(f"/api/v1/contacts/{slug}").get_json()
    for text in [*spread, *DATES_AND_NUMBERS]:
        form = {**person, "email": text, "phone": text, "consent_date": text}
        response = submit(admin, f"/kontakte/{slug}/bearbeiten", data=form)
        if response.status_code == 302:
            state = admin.get(f"/api/v1/contacts/{slug}").get_json()
            problems.check(
                not text or ((state["email"] or "").count("@") == 1 and state["phone"]),
                text,
                f"angenommen: {state['email']!r}, {state['phone']!r}",
            )
            continue
        problems.check(
            response.status_code == 400 and any(shows(response, m) for m in messages),
            text,
            f"{response.status_code} ohne deutsche Meldung",
        )
    # Refusals change nothing: the contact is as the last accepted edit left it.
    problems.same("(Ende)", "Kontakt", admin.get(f"/api/v1/contacts/{slug}").get_json(), state)
    before = count(app, Contact)
    for text in spread:
        form = {"name": "Andere Person", "role": "Funktion", "region": text}
        form |= {"themes": text, "visibility": text}
        response = submit(admin, "/kontakte/neu", data=form)
        problems.check(
            refused(response, "Bitte „öffentlich“ oder „intern“ wählen."),
            text,
            f"Auswahl: {response.status_code}",
        )
    problems.same("(Ende)", "Zahl der Kontakte", count(app, Contact), before)
    problems.assert_none("Kontaktangaben")


# --- regions and themes ------------------------------------------------------------------


def _listed(client: FlaskClient, path: str) -> dict[str, str]:
    """Slug → name of the rows of an admin list."""
    body = client.get(path).get_data(as_text=True)
    rows = re.findall(r'<th scope="row"><a href="/(?:themen|regionen)/([^"]+)">(.*?)</a>', body)
    return {slug: html.unescape(name) for slug, name in rows}


def _theme_cards(client: FlaskClient) -> dict[str, str]:
    """Name → description, as the public theme overview shows them."""
    root = page_of(client.get("/themen")).root
    cards = {}
    for card in root.find_class("karte"):
        text = card.find_class("karte-text")
        cards[card.find(".//h2").text_content()] = text[0].text_content() if text else ""
    return cards


def name_problem(name: str, taken: set[str]) -> str:
    if not name:
        return "Bitte einen Namen eingeben."
    if len(name) > 200:
        return "Höchstens 200 Zeichen."
    return "mit diesem Namen gibt es schon." if name in taken else ""


def test_region_and_theme_forms_keep_every_name_exactly(admin: FlaskClient, spread: list[str]):
    """Region and theme names (and theme descriptions): stored as typed, listed as typed;
    an empty, too long or already used name refused in German, nothing stored."""
    app, problems = admin.application, Problems()
    regions = set(_listed(admin, "/-/admin/regionen").values())
    themes = _theme_cards(admin)
    region_form = {"kind": "Landkreis", "state": "Hessen", "ags": ""}
    for text in spread:
        name = one_line(text)
        for path, taken, form, model in (
            ("/-/admin/regionen/neu", regions, region_form, Region),
            ("/-/admin/themen/neu", set(themes), {"description": text, "position": ""}, Theme),
        ):
            message = name_problem(name, taken)
            before = count(app, model) if message else 0
            response = submit(admin, path, data={**form, "name": text})
            if message:
                problems.check(
                    refused(response, message) and count(app, model) == before,
                    text,
                    f"{path}: nicht mit „{message}“ abgelehnt ({response.status_code})",
                )
            elif not problems.check(response.status_code == 302, text, f"{path}: Status"):
                pass
            elif model is Region:
                regions.add(name)
            else:
                themes[name] = text.strip()
    listed_regions = _listed(admin, "/-/admin/regionen")
    problems.same("(Liste)", "Regionen", sorted(listed_regions.values()), sorted(regions))
    problems.same("(Liste)", "Themen mit Beschreibung", _theme_cards(admin), themes)
    for path in ("/regionen", "/", "/transfermatrix", "/-/admin/themen"):
        problems.page(admin.get(path), path, path)
    for slug in sample(sorted(listed_regions), 20):
        problems.page(admin.get(f"/regionen/{slug}"), slug, "Regionsseite")
        problems.page(admin.get(f"/feeds/region/{slug}.atom"), slug, "Regionsfeed")
    problems.assert_none("Regionen und Themen")


def _as_int(text: str) -> int:
    try:
        return int(text.strip() or "0")
    except ValueError:
        return -1


AGS_MESSAGE = "Der Amtliche Gemeindeschlüssel besteht aus Ziffern"


def _valid_ags(text: str) -> bool:
    ags = "".join(text.split())
    return not ags or (ags.isascii() and ags.isdigit() and len(ags) in (2, 3, 5, 8, 12))


def test_region_and_theme_details_refuse_odd_values_and_keep_the_old_ones(
    admin: FlaskClient, spread: list[str]
):
    """Kind, Bundesland and AGS of a region, the order number of a theme: a forged or
    mistyped value is refused in German, and the region or theme keeps its values; an AGS
    is taken only as 2, 3, 5, 8 or 12 ASCII digits (not "²⁵" or Arabic-Indic digits)."""
    problems = Problems()
    region_path, theme_path = "/-/admin/regionen/bremerhaven", f"/-/admin/themen/{THEME}"
    region_before = page_of(admin.get(region_path)).fields
    theme_before = page_of(admin.get(theme_path)).fields
    for text in [*spread, *DATES_AND_NUMBERS]:
        form = {"name": region_before["feld-name"], "kind": text, "state": text, "ags": text}
        response = submit(admin, region_path, data=form)
        messages = ["Bitte eine Art auswählen"] + ([] if _valid_ags(text) else [AGS_MESSAGE])
        problems.check(refused(response, *messages), text, f"Region: {response.status_code}")
        form = {"name": theme_before["feld-name"], "position": text}
        form["description"] = theme_before["feld-description"]
        response = submit(admin, theme_path, data=form)
        if response.status_code == 302:
            problems.check(0 <= _as_int(text) <= 9999, text, "Reihenfolge angenommen")
        else:
            message = "Bitte eine ganze Zahl von 0 bis 9999 eingeben."
            problems.check(refused(response, message), text, f"Thema: {response.status_code}")
    problems.same("(Ende)", "Region", page_of(admin.get(region_path)).fields, region_before)
    # Digits of other scripts, with the rest of the form right: only ASCII digits pass.
    form = {key: region_before[f"feld-{key}"] for key in ("name", "kind", "state")}
    for text in ["0" * 5, "²²", "⁰⁴⁵₀₁", "١٢٣٤٥", "１２３４５", "12 345", " 07317000 "]:
        response = submit(admin, region_path, data={**form, "ags": text})
        wanted = "".join(text.split())
        if _valid_ags(text):
            stored = page_of(admin.get(region_path)).fields.get("feld-ags")
            problems.check(response.status_code == 302 and stored == wanted, text, "AGS")
        else:
            problems.check(refused(response, AGS_MESSAGE), text, f"AGS: {response.status_code}")
    problems.assert_none("Angaben zu Regionen und Themen")


# --- accounts, own name, API tokens, login -----------------------------------------------


def name_refusal(text: str, limit: int = 200) -> str:
    name = one_line(text)
    if not name:
        return "Bitte den Namen eingeben."
    return f"Höchstens {limit} Zeichen." if len(name) > limit else ""


def _accounts(client: FlaskClient) -> dict[str, str]:
    """E-mail → name, as the admin's account list shows them."""
    body = client.get("/-/admin/konten").get_data(as_text=True)
    rows = re.findall(
        r'<th scope="row"><a href="/-/admin/konten/\d+">(.*?)</a>.*?<td>(.*?)</td>', body, re.S
    )
    return {html.unescape(email): html.unescape(name) for name, email in rows}


def test_invitations_keep_every_name_exactly(admin: FlaskClient, spread: list[str]):
    """The admin invites a person: the name is stored as typed (the account list shows
    it), an empty or too long one refused with nothing stored; an address that is none,
    a forged role or region are refused too."""
    app, problems = admin.application, Problems()
    invited: dict[str, str] = {}
    for number, text in enumerate(spread):
        message = name_refusal(text)
        email = f"person-{number}@example.org"
        form = {"email": email, "name": text, "role": "leser"}
        response = submit(admin, "/-/admin/konten/einladen", data=form)
        if message:
            problems.check(refused(response, message), text, f"Name: {response.status_code}")
        elif problems.page(response, text, "Einladung"):
            invited[email] = one_line(text)
        form = {"email": text, "name": f"Person {number}", "role": "leser"}
        response = submit(admin, "/-/admin/konten/einladen", data=form)
        if response.status_code == 200:
            invited[text.strip().lower()] = f"Person {number}"
        else:
            problems.check(
                refused(response, "Bitte eine gültige E-Mail-Adresse eingeben"),
                text,
                f"Adresse: {response.status_code}",
            )
        form = {"email": f"rolle-{number}@example.org", "name": "Person", "role": text}
        response = submit(admin, "/-/admin/konten/einladen", data={**form, "regions": text})
        problems.check(
            refused(response, "Bitte eine der drei Rollen wählen."),
            text,
            f"Rolle: {response.status_code}",
        )
    listed = _accounts(admin)
    problems.same("(Liste)", "Konten", {e: listed.get(e) for e in invited}, invited)
    problems.same("(Ende)", "Zahl der Konten", count(app, User), len(invited) + 1)
    problems.assert_none("Einladungsformular")


def _signed_in_as_new_reader(app: Flask, number: int) -> FlaskClient:
    email = f"leser-{number}@example.org"
    with app.app_context():
        make_user(email, "leser")
        db.session.remove()
    client = app.test_client()
    login(client, email)
    return client


def test_own_name_and_token_names_are_kept_exactly(fresh: Flask, spread: list[str]):
    """ "Mein Konto": the own name (shown in the page head too) and the names of API tokens
    are stored as typed, or refused in German (empty, too long), the old name kept.
    A new account every 60 strings keeps the token list short."""
    problems = Problems()
    for first in range(0, len(spread), 60):
        client, name = _signed_in_as_new_reader(fresh, first), None
        for text in spread[first : first + 60]:
            response = submit(client, "/-/konto/name", data={"name": text})
            message = name_refusal(text)
            if message:
                problems.check(refused(response, message), text, f"{response.status_code}")
            elif problems.check(response.status_code == 302, text, f"{response.status_code}"):
                name = one_line(text)
            response = submit(client, "/-/konto/tokens", data={"name": text, "lifetime": text})
            if name is not None:  # every page's head names whoever is signed in
                head = f"Angemeldet als <strong>{escape(name)}</strong>"
                problems.check(shows_raw(response, head), text, "Name nicht im Seitenkopf")
            message = name_refusal(text, 100).replace("den Namen eingeben.", "einen Namen")
            if text:  # a lifetime that is not offered
                message = "Bitte eine der angebotenen Gültigkeiten wählen."
            if message:
                problems.check(refused(response, message), text, f"{response.status_code}")
            form = {"name": text, "lifetime": "30"}
            response = submit(client, "/-/konto/tokens", data=form)
            message = name_refusal(text, 100).replace("den Namen eingeben.", "einen Namen")
            if message:
                problems.check(refused(response, message), text, f"{response.status_code}")
            elif problems.page(response, text, "Token anlegen", ok=range(201, 202)):
                heading = f"Ihr neuer Token „{one_line(text)}“"
                problems.check(heading in page_of(response).headings, text, "Tokenname")
        own = client.get("/-/konto")
        if name is not None and problems.page(own, text, "Mein Konto"):
            problems.same(text, "eigener Name", page_of(own).fields.get("feld-name"), name)
    problems.assert_none("Eigener Name und Tokennamen")


def test_the_login_form_answers_any_input_in_german(fresh: Flask, blns: list[str]):
    """A spread sample (each attempt runs the slow password hash): never a 5xx, never a
    redirect off the site, always the German refusal (or the throttle's German page)."""
    problems = Problems()
    for number, text in enumerate(sample(blns, 8)):
        client = fresh.test_client()
        client.environ_base["REMOTE_ADDR"] = f"10.8.0.{number}"
        response = client.post("/-/anmelden", data={"email": text, "password": text})
        problems.check(
            refused(response, "E-Mail-Adresse oder Passwort ist falsch.", statuses=range(401, 402))
            or refused(response, "Zu viele fehlgeschlagene", statuses=range(429, 430)),
            text,
            f"{response.status_code}",
        )
        problems.page(response, text, "Anmeldeseite", ok=range(400, 500))
    for text in sample(blns, 4):
        # The right password with a hostile "next": signed in, but never sent elsewhere.
        form = {"email": ADMIN, "password": PASSWORD}
        response = fresh.test_client().post(f"/-/anmelden?next={quote(text, safe='')}", data=form)
        target = response.headers.get("Location", "")
        problems.check(
            response.status_code == 302
            and target.startswith("/")
            and not target.startswith(("//", "/\\")),
            text,
            f"nach der Anmeldung {response.status_code} → {target!r}",
        )
    problems.assert_none("Anmeldeformular")


# --- thesaurus ---------------------------------------------------------------------------


def test_the_thesaurus_is_stored_exactly_or_refused_with_the_old_one_kept(
    admin: FlaskClient, spread: list[str]
):
    problems = Problems()
    stored = page_of(admin.get("/-/admin/suche")).fields["thesaurus-text"]
    for text in [*spread, "\n".join(spread)]:
        response = submit(admin, "/-/admin/suche/thesaurus", data={"text": text})
        if response.status_code != 302:
            problems.check(
                refused(response, "Der Thesaurus wurde nicht gespeichert."),
                text,
                f"{response.status_code}",
            )
            continue
        stored = text
        page = admin.get("/-/admin/suche")
        if problems.page(page, text, "Sucheinstellungen"):
            problems.same(text, "Thesaurus", page_of(page).fields.get("thesaurus-text"), stored)
    # A refusal keeps the text saved last.
    page = page_of(admin.get("/-/admin/suche"))
    problems.same("(Ende)", "Thesaurus", page.fields.get("thesaurus-text"), stored)
    problems.assert_none("Thesaurus")


# --- uploads -----------------------------------------------------------------------------


def browser_file_name(name: str) -> str:
    """The file name as a browser puts it into the request (HTML's multipart rules)."""
    return name.replace("\r", "%0D").replace("\n", "%0A").replace('"', "%22")


def _upload(client: FlaskClient, content: bytes, file_name: str, **form: Any) -> TestResponse:
    data = {"kind": "praesentation", **form}
    data["dateien"] = (io.BytesIO(content), browser_file_name(file_name))
    return submit(client, "/dokumente/neu", data=data, content_type="multipart/form-data")


def _check_file_name(problems: Problems, text: str, sent: str, stored: str) -> None:
    """A safe label: no folders, no control characters, no leading dot, at most 200
    characters; a name that is one already is kept exactly."""
    problems.check(
        bool(stored)
        and len(stored) <= 200
        and not re.search(r"[\x00-\x1f\x7f/\\]", stored)
        and not stored.startswith("."),
        text,
        f"Dateiname {stored!r}",
    )
    plain = not re.search(r"[\x00-\x1f\x7f/\\]", sent) and not sent.startswith(".")
    if plain and sent == sent.strip() and len(sent) <= 200:
        problems.same(text, "Dateiname", stored, sent)


def test_the_upload_form_keeps_title_summary_and_file_name(admin: FlaskClient, spread: list[str]):
    """Title and summary typed beside an upload, and the file's name: stored as typed
    (the title tidied like every title, the name reduced to a safe label)."""
    problems = Problems()
    for number, text in enumerate(spread):
        file_name = f"{text}.txt"
        content = f"Datei {number}\n{text}\n".encode()
        response = _upload(admin, content, file_name, title=text, summary=text)
        if not problems.check(response.status_code == 302, text, f"{response.status_code}"):
            continue
        slug = slug_from(response)
        stored = admin.get(f"/api/v1/documents/{slug}").get_json()
        if one_line(text):
            problems.same(text, "Titel", stored["title"], one_line(text))
        else:
            problems.check(bool(stored["title"]), text, "kein Titel aus dem Dateinamen")
        _check_file_name(problems, text, file_name, stored["file_name"])
        editor = admin.get(f"/dokumente/{slug}/bearbeiten")
        if problems.page(editor, text, "Dokument bearbeiten"):
            summary = page_of(editor).fields.get("feld-summary")
            problems.same(text, "Kurzbeschreibung", summary, text.strip())
        if number % 5 == 0:
            problems.page(admin.get(f"/dokumente/{slug}"), text, "Dokumentseite")
    problems.page(admin.get("/dokumente"), "", "Dokumentliste")
    problems.assert_none("Upload-Formular")


def test_the_upload_form_refuses_odd_metadata_and_stores_no_file(
    admin: FlaskClient, spread: list[str]
):
    """A forged kind, region, theme, contact or article, or a date that is none: the file
    is refused with the German reason, and no document is made."""
    app, problems = admin.application, Problems()
    before = count(app, Document)
    for number, text in enumerate([*spread, *DATES_AND_NUMBERS]):
        content = f"Abgelehnt {number}\n".encode()
        choices = dict.fromkeys(("region", "themes", "contacts", "articles", "date"), text)
        for form, message in (
            ({"kind": text}, "Bitte eine Dokumentart auswählen."),
            (choices, "Unbekannte"),
        ):
            response = _upload(admin, content, "datei.txt", **form)
            if response.status_code == 302:
                problems.check(text == "" and "kind" not in form, text, f"angenommen: {form}")
                before += 1
                continue
            problems.check(
                response.status_code == 400
                and shows(response, "abgelehnt")
                and shows(response, message),
                text,
                f"{list(form)}: {response.status_code}",
            )
    problems.same("(Ende)", "Zahl der Dokumente", count(app, Document), before)
    problems.assert_none("Metadaten beim Upload")


def test_hostile_file_names_become_safe_labels(admin: FlaskClient, file_names: list[str]):
    """Traversal, NUL, newline, RLO, device names, 255+ bytes: the document keeps a safe
    label, the download's header is well-formed, nothing lands outside uploads/."""
    problems = Problems()
    data_dir = Path(admin.application.config["UPLOAD_DIR"]).parent
    for number, name in enumerate(file_names):
        response = _upload(admin, f"Name {number}\n".encode(), name)
        if not problems.check(response.status_code == 302, name, f"{response.status_code}"):
            continue
        slug = slug_from(response)
        stored = admin.get(f"/api/v1/documents/{slug}").get_json()
        _check_file_name(problems, name, name, stored["file_name"])
        download = admin.get(f"/dokumente/{slug}/datei")
        header = download.headers.get("Content-Disposition", "")
        download.close()
        problems.check(
            download.status_code == 200 and header.isascii() and "\n" not in header,
            name,
            f"Download {download.status_code} {header!r}",
        )
    outside = [p for p in data_dir.rglob("*") if "passwd" in p.name or "boot.ini" in p.name]
    problems.check(not outside, "(Dateien)", f"außerhalb von uploads/: {outside}")
    problems.assert_none("Dateinamen")


# --- what others read: feeds and the sitemap ---------------------------------------------

NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def test_feeds_stay_well_formed_xml_whatever_the_titles(admin: FlaskClient, blns: list[str]):
    """Feed readers reject a whole feed for one character XML forbids (the BLNS has ESC,
    BEL and BS in titles): published titles and summaries never break the Atom feeds or
    the sitemap, and the feed shows the title without them."""
    problems = Problems()
    published = [text for text in blns if NOT_XML.search(text)] + sample(blns, 20)
    published = [
        t for t in published if not article_refusals({"title": t, "place": "", "tags": ""})
    ]
    for text in published:
        form = {**NEW_ARTICLE, "title": text, "summary": text}
        response = submit(admin, "/artikel/neu", data=form)
        problems.check(response.status_code == 302, text, "nicht angelegt")
    titles: set[str] = set()
    for path in ("/feeds/neu.atom", "/feeds/aenderungen.atom", "/sitemap.xml"):
        response = admin.get(path)
        if not problems.page(response, path, path):
            continue
        try:
            document = ET.fromstring(response.data)
        except ET.ParseError as error:
            problems.add(path, f"kein wohlgeformtes XML: {error}")
            continue
        for entry in document.iter("{http://www.w3.org/2005/Atom}entry"):
            titles.add(entry.findtext("{http://www.w3.org/2005/Atom}title") or "")
    for text in published:
        problems.check(NOT_XML.sub("", one_line(text)) in titles, text, "fehlt im Feed")
    problems.assert_none("Feeds")


# --- search box, query parameters, JSON API ----------------------------------------------


def _write_search_bundle(root: Path, strings: list[str]) -> None:
    """Strings as articles (title, summary, tags, body) and as contacts (every third and
    every twelfth; all with WISSEN_HOSTILE_ALL), written as a bundle (../shared/BUNDLE.md):
    importing is quicker than hundreds of form posts."""
    (root / "articles").mkdir(parents=True)
    contacts = []
    for number, text in enumerate(strings):
        if number % 3 and not ALL:  # every string is in the long article in any case
            continue
        tags = [tag for tag in expected_tags(text) if len(tag) <= 120]
        meta = {"title": one_line(text)[:300] or f"Leer {number}", "kind": "praxisbeispiel"}
        meta |= {"summary": text, "tags": tags}
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        article = root / "articles" / f"s-{number}.md"
        article.write_text(f"---\n{front}---\n{text}\n", encoding="utf-8")
        if number % 4 == 0 or ALL:
            name = one_line(text)[:200] or f"Leer {number}"
            contacts.append({"id": f"k-{number}", "name": name, "role": name})
    (root / "contacts.yml").write_text(
        yaml.safe_dump(contacts, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


@pytest.fixture(scope="module")
def searchable(
    prepared: Path, tmp_path_factory: pytest.TempPathFactory, blns: list[str]
) -> Iterator[FlaskClient]:
    """An instance whose index holds every string: all together in one long article, and
    many as article titles, summaries, tags and bodies and as contact names, so that
    searches find hostile text and show it in titles and highlighted snippets.
    (Module-wide: the search tests only read; they come last in this file.)"""
    root = tmp_path_factory.mktemp("suche")
    with jobs.index_hook_paused():
        app = _copy_of(prepared, root)
        _write_search_bundle(root / "bundle", blns)
        with app.app_context():
            report = import_bundle(db.session, BlobStore(app.config["UPLOAD_DIR"]), root / "bundle")
            assert len(report.rejected) < 10, [str(p) for p in report.rejected]
            db.session.remove()
        client = app.test_client()
        login(client, ADMIN)
        body = "\n\n".join(f"Absatz {n}: {text}" for n, text in enumerate(blns))
        article = {**NEW_ARTICLE, "title": "Sammlung", "body": body}
        assert submit(client, "/artikel/neu", data=article).status_code == 302
        index_everything(app)
        yield client
    db.session.remove()


FACETS = ("type", "kind", "theme", "region", "year")
SEARCH_PARAMS = (*FACETS, "sort", "page", "per_page")


def test_the_search_box_and_its_api_answer_any_query(searchable: FlaskClient, blns: list[str]):
    """``/suche?q=…`` shows the query in the box as typed (trimmed, at most 300 characters)
    and its snippets escaped; the JSON API (with the string in every parameter too) and
    the suggestions answer with JSON. Every BLNS string, and wfuzz's SQL injections."""
    problems = Problems()
    visitor = searchable.application.test_client()
    sql = wfuzz("SQL") if ALL else sample(wfuzz("SQL"), 40)
    for number, text in enumerate([*blns, *sql, "\n".join(blns)[:2000]]):
        response = visitor.get("/suche", query_string={"q": text})
        if problems.page(response, text, "/suche"):
            box = page_of(response).fields.get("seiten-suche", "")
            problems.same(text, "Suchfeld", box, text.strip()[:300])
        query = {"q": text, **dict.fromkeys(SEARCH_PARAMS, text)}
        response = visitor.get("/api/v1/search", query_string=query)
        if problems.page(response, text, "/api/v1/search"):
            problems.check(isinstance(response.get_json().get("total"), int), text, "kein total")
        if number % 2:  # what browsers ask for (opensearch.xml), else the search box's own
            query = {"q": text, "format": "opensearch"}
            response = visitor.get("/suche/vorschlaege", query_string=query)
            if problems.page(response, text, "OpenSearch-Vorschläge"):
                problems.same(text, "OpenSearch", response.get_json()[0], text[:100])
        else:
            response = visitor.get("/suche/vorschlaege", query_string={"q": text})
            if problems.page(response, text, "Vorschläge"):
                problems.check(isinstance(response.get_json(), list), text, "keine Liste")
    problems.page(searchable.get("/-/admin/suche"), "", "Suchen ohne Treffer")
    problems.page(searchable.get("/artikel/sammlung"), "", "Artikel mit allen Strings")
    problems.assert_none("Suchfeld und Such-API")


def test_query_parameters_never_cause_a_server_error(searchable: FlaskClient, spread: list[str]):
    """Facets and sort of a search with hits, filters of the contact list and of a theme
    page, the admin's account list and audit log (page and CSV, with its date filters):
    an odd value is ignored or refused in German, never a 5xx."""
    problems = Problems()
    strings = [*spread, *DATES_AND_NUMBERS]
    for first in range(0, len(strings), 10):
        # Facets take many values: ten strings at once, on a search with hits.
        batch = strings[first : first + 10]
        params = {"q": "Ehrenamt", **dict.fromkeys(FACETS, batch), "sort": batch[0]}
        for path in ("/suche", "/api/v1/search"):
            response = searchable.get(path, query_string=params)
            problems.page(response, " | ".join(batch), path, ok=range(200, 201))
    for number, text in enumerate(strings):
        audit = dict.fromkeys(("aktion", "person", "art", "objekt", "page"), text)
        queries = [
            ("/kontakte", {"thema": text, "region": text, "funktion": text}),
            (f"/themen/{THEME}", {"region": text, "art": text}),
            ("/-/admin/konten", {"rolle": text, "status": text}),
            ("/-/admin/protokoll", audit),
            ("/-/admin/protokoll", {"von": text, "bis": text}),
        ]
        if number % 4 == 0 or text in DATES_AND_NUMBERS:
            queries.append(("/-/admin/protokoll.csv", {"person": text, "von": text}))
            queries.append(("/-/letzte-aenderungen", {"page": text}))
            queries.append(("/-/anmelden", {"next": text}))
            queries.append((f"/artikel/{EXISTING_ARTICLE}/vergleich", {"von": text, "zu": text}))
        for path, params in queries:
            response = searchable.get(path, query_string=params)
            if response.status_code == 400 and "protokoll" in path:
                problems.check(shows(response, "Bitte so eingeben"), text, f"{path}: Meldung")
            elif response.status_code == 404 and "vergleich" in path:
                problems.check(shows(response, "Nicht gefunden"), text, f"{path}: Meldung")
            else:
                problems.page(response, text, path, ok=range(200, 201))
    problems.assert_none("URL-Parameter")


def test_odd_addresses_are_answered_with_german_404s(searchable: FlaskClient, spread: list[str]):
    """A hostile string where a slug belongs, on pages and in the JSON API: 404 (German
    page or JSON error), or the page when the string happens to be a slug, never a 5xx."""
    problems = Problems()
    every = ("/artikel/{}", "/kontakte/{}", "/api/v1/articles/{}", "/api/v1/documents/{}")
    some = ("/dokumente/{}", "/regionen/{}", "/themen/{}", "/feeds/thema/{}.atom")
    some += ("/api/v1/contacts/{}", "/kontakte/{}/visitenkarte.vcf")
    for number, text in enumerate([*spread, *sample(wfuzz("Traversal"), 20)]):
        part = quote(text, safe="")
        for pattern in every + (some if number % 3 == 0 else ()):
            path = pattern.format(part)
            response = searchable.get(path)
            if not problems.page(response, text, path, ok=range(200, 500)):
                continue
            if response.status_code == 404 and path.startswith("/api/"):
                error = (response.get_json(silent=True) or {}).get("error", {})
                problems.check(error.get("title") == "Nicht gefunden", text, f"{path}: {error}")
            elif response.status_code == 404:
                problems.check(shows(response, "Nicht gefunden"), text, f"{path}: ohne Text")
    # Numbers in addresses beyond what the database can hold (they would overflow its query).
    big, slug = "9" * 40, EXISTING_ARTICLE
    for path in (
        f"/artikel/{slug}/versionen/{big}",
        f"/artikel/{slug}/versionen/{2**63}",
        f"/-/admin/konten/{big}",
        f"/-/admin/konten/{big}/auskunft.json",
        f"/dokumente/x/fruehere/{big}",
    ):
        response = searchable.get(path)
        problems.check(refused(response, "Nicht gefunden"), path, f"{response.status_code}")
    for path in (
        f"/artikel/{slug}/versionen/{big}/wiederherstellen",
        f"/-/admin/konten/{big}/sperren",
        f"/-/admin/konten/{big}/passwort-link",
        f"/-/konto/tokens/{big}/widerrufen",
    ):
        response = searchable.post(path)
        problems.check(refused(response, "Nicht gefunden"), path, f"{response.status_code}")
    problems.assert_none("Adressen")
