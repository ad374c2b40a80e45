"""Every page type passes axe-core's WCAG 2.1 A/AA rules (BITV 2.0), signed out and signed in.

Each page is its own test id, so a finding names the page. Pages that only exist as the
answer to a form (validation errors, the edit conflict, the one-time invitation link) are
produced the way a user produces them and then scanned too.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from tests.browser.conftest import ADMIN, EDITOR, READER, axe_violations, describe, sign_in
from tests.conftest import PASSWORD

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Without Playwright the browser tests are skipped (see conftest), not broken.
expect = pytest.importorskip("playwright.sync_api").expect

ARTICLE = "digitallotsen-werra-meissner"  # in the editor's region
SEMINAR = "rueckkehrertag-mansfeld-suedharz"
DOCUMENT = "buergerbus-suederbrarup-jahresbilanz-2023"
EDITOR_DOCUMENT = "digitallotsen-schulungsunterlage"  # in the editor's region
CONTACT = "voigt-helge"
EDITOR_CONTACT = "engel-markus"  # in the editor's region
THEME = "mobilitaet"
REGION = "werra-meissner-kreis"

# Scan document pages and hits as users see them: with the page texts read out.
pytestmark = pytest.mark.usefixtures("documents_ready")

READING = {
    "start": "/",
    "suche-leer": "/suche",
    "suche-treffer": "/suche?q=ehrenamt+gewinnen",
    "suche-ohne-treffer": "/suche?q=xyzzyquuxplonk",
    "suche-facette": "/suche?q=ehrenamt+gewinnen&theme=ehrenamt",
    "suche-zwei-facetten": "/suche?q=ehrenamt&theme=ehrenamt&type=document",
    "suche-hilfe": "/suche/hilfe",
    "artikel": f"/artikel/{ARTICLE}",
    "artikel-seminar": f"/artikel/{SEMINAR}",
    "artikel-versionen": f"/artikel/{ARTICLE}/versionen",
    "artikel-version": f"/artikel/{ARTICLE}/versionen/1",
    "artikel-vergleich": f"/artikel/{ARTICLE}/vergleich",
    "dokumente": "/dokumente",
    "dokument": f"/dokumente/{DOCUMENT}",
    "themen": "/themen",
    "thema": f"/themen/{THEME}",
    "thema-gefiltert": f"/themen/{THEME}?region=amt-suederbrarup",
    "regionen": "/regionen",
    "region": f"/regionen/{REGION}",
    "kontakte": "/kontakte",
    "kontakte-gefiltert": f"/kontakte?thema={THEME}",
    "kontakt": f"/kontakte/{CONTACT}",
    "seminare": "/seminare",
    "transfermatrix": "/transfermatrix",
    "letzte-aenderungen": "/-/letzte-aenderungen",
    "datenschutz": "/datenschutz",
    "404": "/diese-seite-gibt-es-nicht",
}
ANONYMOUS = {**READING, "anmelden": "/-/anmelden"}
WRITING = {
    "artikel-neu-art": "/artikel/neu",
    "artikel-neu-formular": "/artikel/neu?art=erfahrungsbericht",
    "artikel-bearbeiten": f"/artikel/{ARTICLE}/bearbeiten",
    "artikel-umbenennen": f"/artikel/{ARTICLE}/umbenennen",
    "dokument-hochladen": "/dokumente/neu",
    "dokument-bearbeiten": f"/dokumente/{EDITOR_DOCUMENT}/bearbeiten",
    "kontakt-neu": "/kontakte/neu",
    "kontakt-bearbeiten": f"/kontakte/{EDITOR_CONTACT}/bearbeiten",
    "kontakt-entfernen": f"/kontakte/{EDITOR_CONTACT}/entfernen",
    "kontakte-bestaetigen": "/-/kontakte-bestaetigen",
    "papierkorb": "/-/papierkorb",
    "zu-pruefen": "/-/pruefen",
    "konto": "/-/konto",
    "konto-tokens": "/-/konto/tokens",
}
ADMINISTRATION = {
    "admin-uebersicht": "/-/admin/",
    "admin-regionen": "/-/admin/regionen",
    "admin-region-neu": "/-/admin/regionen/neu",
    "admin-region": f"/-/admin/regionen/{REGION}",
    "admin-themen": "/-/admin/themen",
    "admin-thema-neu": "/-/admin/themen/neu",
    "admin-thema": f"/-/admin/themen/{THEME}",
    "admin-konten": "/-/admin/konten",
    # Account 2 is the editor: the site fixture creates admin, editor and reader in order.
    "admin-konto": "/-/admin/konten/2",
    "admin-konto-loeschen": "/-/admin/konten/2/loeschen",
    "admin-einladen": "/-/admin/konten/einladen",
    "admin-protokoll": "/-/admin/protokoll",
    "admin-suche-thesaurus": "/-/admin/suche",
}
# Signed in, the header changes on every page (scanned on all the admin's pages below) and
# the main content on these: edit and restore controls, upload buttons, contact details.
# The editor's pages differ from the admin's where the region decides what the form offers
# or which controls show; the reader sees e-mail and telephone of contacts.
SIGNED_IN_READING = {
    name: READING[name]
    for name in (
        "start",
        "suche-treffer",
        "artikel",
        "artikel-versionen",
        "artikel-version",
        "dokumente",
        "dokument",
        "thema",
        "region",
        "kontakte",
        "kontakt",
    )
}
EDITOR_PAGES = {
    "artikel": f"/artikel/{ARTICLE}",
    "dokument": f"/dokumente/{EDITOR_DOCUMENT}",
    "artikel-neu-formular": WRITING["artikel-neu-formular"],
    "dokument-hochladen": WRITING["dokument-hochladen"],
    "kontakt-neu": WRITING["kontakt-neu"],
}
READER_PAGES = {"kontakt": f"/kontakte/{CONTACT}"}
EMAILS = {"admin": ADMIN, "redaktion": EDITOR, "leser": READER}


@pytest.fixture(scope="module")
def context_of(browser, site) -> Iterator[Callable[[str | None], Any]]:
    """One browser context per role for this module, signed in once rather than once per
    page; every scan still opens a tab of its own."""
    made: dict[str | None, Any] = {}

    def get(role: str | None) -> Any:
        if role not in made:
            made[role] = browser.new_context(locale="de-DE", base_url=site.base)
            made[role].set_default_timeout(15_000)
            if role:
                tab = made[role].new_page()
                sign_in(tab, EMAILS[role])
                tab.close()
        return made[role]

    yield get
    for context in made.values():
        context.close()


def open_page(page, path: str, role: str | None) -> None:
    response = page.goto(path)
    if role and "Angemeldet als" not in page.content():
        # Somebody signed this account out everywhere (signing out ends all its sessions).
        sign_in(page, EMAILS[role])
        response = page.goto(path)
    assert response is not None
    expected = 404 if path == READING["404"] else 200
    assert response.status == expected, f"{path}: HTTP {response.status}"
    if role:
        assert "Angemeldet als" in page.content()


def signed_in(page, role: str, context_of) -> None:
    """The form tests' own fresh context, with the module's session of ``role``."""
    page.context.add_cookies(context_of(role).cookies())


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"{page.url}:\n{describe(violations)}"


def _cases(role: str | None, pages: dict[str, str]) -> list:
    label = role or "abgemeldet"
    return [pytest.param(role, path, id=f"{label}-{name}") for name, path in pages.items()]


CASES = (
    _cases(None, ANONYMOUS)
    + _cases("admin", {**SIGNED_IN_READING, **WRITING, **ADMINISTRATION})
    + _cases("redaktion", EDITOR_PAGES)
    + _cases("leser", READER_PAGES)
)


@pytest.mark.parametrize(("role", "path"), CASES)
def test_page_has_no_wcag_violations(context_of, role: str | None, path: str) -> None:
    tab = context_of(role).new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        open_page(tab, path, role)
        assert_accessible(tab)
    finally:
        tab.close()
    assert not errors, f"JavaScript-Fehler: {errors}"


# --- pages that are the answer to a form --------------------------------------------------


def test_failed_sign_in_page_is_accessible(page) -> None:
    page.goto("/-/anmelden")
    page.get_by_label("E-Mail-Adresse").fill(f"niemand-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label("Passwort").fill("falsch-falsch-falsch")
    page.locator("main").get_by_role("button", name="Anmelden").click()
    page.get_by_text("E-Mail-Adresse oder Passwort ist falsch.").wait_for()
    assert_accessible(page)


def test_contact_form_with_errors_is_accessible(page, context_of) -> None:
    signed_in(page, "admin", context_of)
    open_page(page, "/kontakte/neu", "admin")
    page.get_by_label("E-Mail", exact=True).fill("keine-adresse")
    page.get_by_role("button", name="Kontakt anlegen").click()
    invalid = page.locator("[aria-invalid=true]").first
    expect(invalid, "no field is marked invalid").to_be_visible()
    assert_accessible(page)


def test_article_form_with_errors_is_accessible(page, context_of) -> None:
    signed_in(page, "redaktion", context_of)
    open_page(page, "/artikel/neu?art=erfahrungsbericht", "redaktion")
    page.get_by_label(re.compile(r"^Titel")).fill("")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    page.get_by_role("heading", name="Bitte prüfen Sie diese Angaben").wait_for()
    assert_accessible(page)


def test_upload_form_without_file_is_accessible(page, context_of) -> None:
    signed_in(page, "redaktion", context_of)
    open_page(page, "/dokumente/neu", "redaktion")
    page.get_by_role("button", name="Hochladen").click()
    page.get_by_text("Bitte mindestens eine Datei auswählen.").wait_for()
    assert_accessible(page)


def test_invitation_pages_are_accessible(page, context_of) -> None:
    signed_in(page, "admin", context_of)
    open_page(page, "/-/admin/konten/einladen", "admin")
    page.get_by_role("button", name="Einladungslink erzeugen").click()
    invalid = page.locator("[aria-invalid=true]").first
    expect(invalid, "the empty invitation was accepted").to_be_visible()
    assert_accessible(page)

    page.get_by_label("E-Mail-Adresse").fill(f"a11y-{uuid.uuid4().hex[:8]}@example.org")
    page.get_by_label(re.compile(r"^Name")).fill("Barrierefreie Prüfung")
    page.get_by_role("radio", name=re.compile(r"^Lesen:")).check()
    page.get_by_role("button", name="Einladungslink erzeugen").click()
    link = page.get_by_label("Einladungslink").input_value()
    assert_accessible(page)

    page.context.clear_cookies()  # the invited person, in another browser
    page.goto(link)
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Neues Passwort \(")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Neues Passwort wiederholen")).fill(PASSWORD + "x")
    page.get_by_role("button", name="Konto einrichten und anmelden").click()
    invalid = page.locator("[aria-invalid=true]").first
    expect(invalid, "different passwords were accepted").to_be_visible()
    assert_accessible(page)


def form_in_two_tabs(page: Page, url: str) -> Page:
    """The same edit form opened in ``page`` and in a second tab, which is returned."""
    page.goto(url)
    other = page.context.new_page()
    other.goto(url)
    return other


def test_edit_conflict_view_is_accessible(page, context_of) -> None:
    marker = uuid.uuid4().hex[:8]
    signed_in(page, "redaktion", context_of)
    open_page(page, "/artikel/neu?art=praxisbeispiel", "redaktion")
    page.get_by_label(re.compile(r"^Titel")).fill(f"Konfliktansicht {marker}")
    page.get_by_role("button", name="Als Entwurf speichern").click()
    page.get_by_text("wurde angelegt").wait_for()
    edit_url = page.url + "/bearbeiten"

    other = form_in_two_tabs(page, edit_url)
    body = other.get_by_label("Text", exact=True)
    body.fill(body.input_value() + f"\n\nZwischenstand {marker}.")
    other.get_by_role("button", name="Speichern").click()
    other.get_by_text("Gespeichert.").wait_for()
    other.close()

    body = page.get_by_label("Text", exact=True)
    body.fill(body.input_value() + f"\n\nAndere Ergänzung {marker}.")
    page.get_by_role("button", name="Speichern").click()
    page.get_by_role("heading", name="Jemand war schneller").wait_for()
    assert_accessible(page)


def test_contact_conflict_view_is_accessible(page, context_of) -> None:
    marker = uuid.uuid4().hex[:8]
    signed_in(page, "admin", context_of)
    open_page(page, "/kontakte/neu", "admin")
    page.get_by_label(re.compile(r"^Name")).fill(f"Konflikt {marker}")
    page.get_by_label(re.compile(r"^Funktion")).fill("Koordination")
    page.get_by_role("button", name="Kontakt anlegen").click()
    page.get_by_text("angelegt").wait_for()
    edit_url = page.url + "/bearbeiten"

    other = form_in_two_tabs(page, edit_url)
    other.get_by_label(re.compile(r"^Organisation")).fill(f"Amt {marker}")
    other.locator("main").get_by_role("button", name="Speichern").click()
    other.get_by_text("Gespeichert").wait_for()
    other.close()

    page.get_by_label(re.compile(r"^Funktion")).fill("Leitung")
    page.locator("main").get_by_role("button", name="Speichern").click()
    page.get_by_role("heading", name=re.compile("Jetzt gespeichert")).wait_for()
    assert_accessible(page)


def test_new_api_token_page_is_accessible(page, context_of) -> None:
    signed_in(page, "redaktion", context_of)
    open_page(page, "/-/konto/tokens", "redaktion")
    page.get_by_label(re.compile(r"^Name")).fill(f"Prüfung {uuid.uuid4().hex[:6]}")
    page.get_by_role("button", name="Token anlegen").click()
    page.get_by_role("heading", name="Ihr neuer Token").wait_for()
    assert_accessible(page)
