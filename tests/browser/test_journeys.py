"""The journeys of issue 8, done in Chromium the way the three kinds of users do them.

Each journey makes its own uniquely named content and relies on nothing another test did:
the server is shared by the whole session. Locators are roles, labels and visible texts
where practical, so a passing journey also shows that the interface is labelled.
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.browser.conftest import ADMIN, EDITOR, fresh_tab, sign_in
from tests.conftest import TESTDATA

# Without Playwright the browser tests are skipped (see conftest), not broken.
expect = pytest.importorskip("playwright.sync_api").expect

PDF_DIR = TESTDATA / "pdf-de"
# 3 pages, 63 KB, LibreOffice-exported German help text (see MANIFEST.md there).
SMALL_PDF = PDF_DIR / "libreoffice-hilfe-digitale-signaturen.pdf"
LINKED_ARTICLE = "digitallotsen-werra-meissner"  # in the editor's region


def suffix() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
def second_page(browser, site) -> Iterator:
    """Another person's browser: a separate context, also failing on JavaScript errors."""
    yield from fresh_tab(browser, site)


def header_search(page):
    return page.get_by_role("search", name="Schnellsuche").get_by_label("Suche", exact=True)


def result_count(page) -> int:
    text = page.get_by_text(re.compile(r"^\d+ Treffer")).inner_text()
    return int(text.split()[0])


def page_link_number(link) -> int:
    """``Folie 4`` / ``Seite 4`` → 4."""
    match = re.fullmatch(r"(Folie|Seite) (\d+)", link.inner_text().strip())
    assert match, link.inner_text()
    return int(match.group(2))


def write_article(page, kind: str, title: str, body: str, publish: bool = True) -> None:
    """Through the menu: Neu → kind → form → save; ends on the new article's page."""
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Neu").click()
    page.get_by_role("link", name=kind, exact=True).click()
    page.get_by_label(re.compile(r"^Titel")).fill(title)
    page.get_by_label("Text", exact=True).fill(body)
    button = "Veröffentlichen" if publish else "Als Entwurf speichern"
    page.get_by_role("button", name=button).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("status").filter(has_text="wurde angelegt")).to_be_visible()


# --- (a) a newcomer searches, narrows by theme and opens a slide ----------------------------


def test_newcomer_searches_narrows_by_theme_and_opens_the_slide(page, documents_ready) -> None:
    # WISSEN_PUBLIC_READ is on by default: no sign-in needed to read.
    page.goto("/")
    header_search(page).fill("ehrenamt gewinnen")
    page.get_by_role("search", name="Schnellsuche").get_by_role("button", name="Suchen").click()
    page.wait_for_url(re.compile(r"/suche\?q=ehrenamt\+gewinnen"))
    expect(page.get_by_text("Treffer für „ehrenamt gewinnen“")).to_be_visible()
    everything = result_count(page)

    facets = page.get_by_role("navigation", name="Ergebnisse eingrenzen")
    facets.get_by_role("region", name="Thema").get_by_role(
        "link", name=re.compile(r"^Ehrenamt und Engagement")
    ).click()
    page.wait_for_url(re.compile(r"theme=ehrenamt"))
    chosen = page.get_by_role("list", name="Gewählte Filter")
    expect(chosen).to_contain_text("Thema: Ehrenamt und Engagement")
    narrowed = result_count(page)
    assert 0 < narrowed < everything

    open_first_document_hit(page)


def open_first_document_hit(page, click=None) -> None:
    """Follow the first "Folie N"/"Seite N" link of the first document hit and check that
    the document opens at that page, showing the page's text with the found word."""
    places = page.get_by_role("list", name=re.compile(r"^Fundstellen in")).first
    expect(places).to_be_visible()
    hit = page.locator("ol.such-treffer > li").filter(has=places)
    found_word = hit.locator(".ausschnitt mark").first.inner_text().lower()
    link = places.get_by_role("link").first
    number = page_link_number(link)
    unit = link.inner_text().split()[0]
    (click or link.click)()
    page.wait_for_url(re.compile(rf"/dokumente/[^/#]+#seite-{number}$"))

    heading = page.get_by_role("heading", name=f"{unit} {number}", exact=True)
    expect(heading).to_be_in_viewport()
    section = page.get_by_role("region", name=f"{unit} {number}", exact=True)
    assert found_word in section.inner_text().lower(), (found_word, section.inner_text())

    # The original file opens at the same page and has the word there.
    pdf_link = section.get_by_role("link", name=f"im PDF öffnen, {unit} {number}")
    href = pdf_link.get_attribute("href")
    assert href and href.endswith(f"/datei#page={number}")
    response = page.request.get(href.split("#")[0])
    assert response.ok and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[number - 1].extract_text()
    assert found_word in text.lower()


# --- the same journey by keyboard only ------------------------------------------------------


def focused(page) -> dict:
    return page.evaluate(
        """() => {
            const e = document.activeElement;
            const s = getComputedStyle(e);
            return {id: e.id, tag: e.tagName, text: (e.innerText || '').trim(),
                    inPlaces: !!e.closest('ul.fundstellen'), inFacets: !!e.closest('nav.facetten'),
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
                    shadow: s.boxShadow !== 'none'};
        }"""
    )


def assert_focus_visible(page) -> dict:
    state = focused(page)
    assert state["outline"] or state["shadow"], f"focus is not visible on {state}"
    return state


def tab_until(page, wanted, limit: int = 120) -> dict:
    for _ in range(limit):
        page.keyboard.press("Tab")
        state = focused(page)
        if wanted(state):
            return assert_focus_visible(page)
    raise AssertionError(f"Tab never reached the element; last focus: {state}")


def test_newcomer_journey_by_keyboard_only(page, documents_ready) -> None:
    page.goto("/")
    page.keyboard.press("Tab")
    first = assert_focus_visible(page)
    assert first["text"] == "Zum Inhalt springen", first
    tab_until(page, lambda s: s["id"] == "kopf-suche", limit=5)
    page.keyboard.type("ehrenamt gewinnen")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/suche\?q=ehrenamt\+gewinnen"))

    # The skip link takes the keyboard past the header into the results.
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Zum Inhalt springen"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "inhalt"
    tab_until(page, lambda s: s["inFacets"] and s["text"].startswith("Ehrenamt und Engagement"))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"theme=ehrenamt"))

    def by_keyboard() -> None:
        tab_until(page, lambda s: s["inPlaces"] and s["tag"] == "A")
        page.keyboard.press("Enter")

    open_first_document_hit(page, click=by_keyboard)


# --- (b) the region editor reports, uploads, and finds page 3 -------------------------------


def page_only_word(pdf: Path, number: int) -> list[str]:
    """Long words on page ``number`` of the PDF that no other page has, longest first."""
    pages = [p.extract_text() for p in PdfReader(pdf).pages]
    words = lambda text: set(re.findall(r"[A-Za-zÄÖÜäöüß]{9,}", text))  # noqa: E731
    others = set().union(*(words(t.lower()) for i, t in enumerate(pages) if i != number - 1))
    return sorted((w for w in words(pages[number - 1]) if w.lower() not in others), key=len)[::-1]


def test_region_editor_reports_uploads_and_finds_page_three(page) -> None:
    if not SMALL_PDF.is_file():
        pytest.skip(f"{SMALL_PDF} fehlt")
    tag = suffix()
    sign_in(page, EDITOR)

    # Pick a word of page 3 that the site does not know yet (so the hit can only be ours).
    candidates = page_only_word(SMALL_PDF, 3)
    word = next(
        (w for w in candidates if page.request.get(f"/api/v1/search?q={w}").json()["total"] == 0),
        None,
    )
    assert word, f"no word unique to page 3 among {candidates}"

    # The experience report, with a wiki link to an existing article.
    linked_title = page.request.get(f"/api/v1/articles/{LINKED_ARTICLE}").json()["title"]
    title = f"Erfahrungsbericht Signaturen {tag}"
    body = (
        "## Ausgangslage\n\nWir haben Anträge digital signiert.\n\n"
        f"## Was wir gelernt haben\n\nDie Schulung lief wie bei [[{LINKED_ARTICLE}]].\n"
    )
    write_article(page, "Erfahrungsbericht", title, body)
    expect(page.get_by_text("Erfahrungsbericht · Werra-Meißner-Kreis")).to_be_visible()
    wiki_link = page.locator(".prosa").get_by_role("link", name=linked_title)
    expect(wiki_link).to_have_attribute("href", f"/artikel/{LINKED_ARTICLE}")
    report_url = page.url

    # The PDF: a real file, with a unique trailing comment so that its checksum is new.
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Dokumente"
    ).click()
    page.get_by_role("link", name="Dokumente hochladen").click()
    pdf_bytes = SMALL_PDF.read_bytes() + f"\n% wissen-test {tag}\n".encode()
    page.get_by_label(re.compile(r"^Dateien")).set_input_files(
        {"name": f"signaturen-{tag}.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes}
    )
    document_title = f"Digitale Signaturen {tag}"
    page.get_by_label(re.compile(r"^Titel")).fill(document_title)
    page.get_by_label("Zugehörige Artikel").select_option(label=title)
    page.get_by_role("button", name="Hochladen").click()
    page.wait_for_url(re.compile(r"/dokumente/(?!neu)[^/]+$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(document_title)

    # The page follows the extraction by itself; allow it a generous minute.
    status = page.locator("#dokument-status .badge")
    expect(status).to_have_text(re.compile("bereit|fehlgeschlagen"), timeout=60_000)
    assert status.inner_text() == "bereit", page.locator("#dokument-status").inner_text()
    expect(page.get_by_role("region", name="Seite 3", exact=True)).to_contain_text(word)
    expect(page.get_by_role("link", name=title)).to_be_visible()  # the linked report

    # Search for the word: the hit is our document, at page 3.
    deadline = time.monotonic() + 30  # the index follows the status by a moment
    while True:
        page.goto("/")
        header_search(page).fill(word)
        header_search(page).press("Enter")
        page.wait_for_url(re.compile(r"/suche\?"))
        places = page.get_by_role("list", name=f"Fundstellen in „{document_title}“")
        if places.count() or time.monotonic() > deadline:
            break
        page.wait_for_timeout(500)
    expect(places).to_be_visible()
    expect(places.get_by_role("link").first).to_have_text("Seite 3")
    places.get_by_role("link", name="Seite 3").click()
    expect(page.get_by_role("heading", name="Seite 3", exact=True)).to_be_in_viewport()

    # And the report still links to the existing article.
    page.goto(report_url)
    page.locator(".prosa").get_by_role("link", name=linked_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(linked_title)


# --- (c) two editors, one article: the conflict loses nothing -------------------------------


def test_two_editors_save_the_same_article_and_nothing_is_lost(page, second_page) -> None:
    tag = suffix()
    first, second = page, second_page
    sign_in(first, EDITOR)
    title = f"Konfliktprobe {tag}"
    write_article(first, "Praxisbeispiel", title, "## Ausgangslage\n\nErster Absatz.\n")
    article_url = first.url

    sign_in(second, ADMIN)
    second.goto(article_url + "/bearbeiten")
    first.goto(article_url + "/bearbeiten")

    editor_text = f"Ergänzung der Redaktion {tag}."
    admin_text = f"Ergänzung der Verwaltung {tag}."
    body = first.get_by_label("Text", exact=True)
    body.fill(body.input_value().rstrip() + f"\n\n{editor_text}\n")
    first.get_by_role("button", name="Speichern").click()
    expect(first.get_by_role("status").filter(has_text="Gespeichert.")).to_be_visible()

    body = second.get_by_label("Text", exact=True)
    body.fill(body.input_value().rstrip() + f"\n\n{admin_text}\n")
    second.get_by_role("button", name="Speichern").click()
    expect(second.get_by_role("heading", name="Jemand war schneller")).to_be_visible()
    expect(second.get_by_role("alert").first).to_contain_text("Ihr Text ist nicht verloren")

    # Her own text is still in the form; the other version can be read beside it.
    mine = second.get_by_label("Text", exact=True)
    assert admin_text in mine.input_value()
    assert editor_text not in mine.input_value()
    second.get_by_text(re.compile(r"^Gespeicherte Version \d+ im Wortlaut")).click()
    saved = second.get_by_label(re.compile(r"^Text der gespeicherten Version"))
    expect(saved).to_be_visible()
    assert editor_text in saved.input_value()

    # She merges: takes over the missing paragraph and saves.
    mine.fill(mine.input_value().rstrip() + f"\n\n{editor_text}\n")
    second.get_by_role("button", name="Speichern").click()
    expect(second.get_by_role("status").filter(has_text="Gespeichert.")).to_be_visible()
    article = second.locator(".prosa")
    expect(article).to_contain_text(editor_text)
    expect(article).to_contain_text(admin_text)

    first.goto(article_url)
    expect(first.locator(".prosa")).to_contain_text(admin_text)
    expect(first.locator(".prosa")).to_contain_text(editor_text)


# --- (d) a multiplier: theme → region → contact → vCard -------------------------------------


def test_multiplier_goes_from_theme_to_region_to_contact_vcard(page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Hauptnavigation").get_by_role(
        "link", name="Themen"
    ).click()
    page.get_by_role("link", name="Mobilität", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mobilität")

    page.get_by_role("navigation", name="Nach Region").get_by_role(
        "link", name=re.compile(r"^Amt Süderbrarup")
    ).click()
    page.wait_for_url(re.compile(r"/themen/mobilitaet\?region=amt-suederbrarup"))
    contacts = page.get_by_role("region", name=re.compile(r"^Kontakte"))
    person = contacts.get_by_role("heading", level=3).get_by_role("link").first
    name = person.inner_text().strip()
    person.click()

    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    expect(page.locator("dl.meta")).to_contain_text("Amt Süderbrarup")
    with page.expect_download() as info:
        page.get_by_role("link", name="Visitenkarte herunterladen (vCard)").click()
    download = info.value
    assert download.suggested_filename.endswith(".vcf")
    card = Path(download.path()).read_text(encoding="utf-8")
    assert card.startswith("BEGIN:VCARD"), card
    assert f"FN:{name}" in card
    assert "END:VCARD" in card
    # Not signed in: the card carries no more than the page shows.
    assert "EMAIL" not in card and "TEL" not in card


# --- (e) an admin invites somebody who sets a password and signs in -------------------------


def test_admin_invites_a_person_who_sets_a_password_and_signs_in(page, second_page) -> None:
    tag = suffix()
    email = f"neu-{tag}@example.org"
    name = f"Neue Kollegin {tag}"
    new_password = f"Kiefer-Laterne-Gurke-{tag}"

    sign_in(page, ADMIN)
    page.get_by_role("link", name="Verwaltung").click()
    page.get_by_role("main").get_by_role("link", name="Konten", exact=True).click()
    page.get_by_role("link", name="Person einladen").click()
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label(re.compile(r"^Name")).fill(name)
    page.get_by_role("radio", name=re.compile(r"^Lesen:")).check()
    page.get_by_role("button", name="Einladungslink erzeugen").click()
    expect(page.get_by_text("Dieser Link wird nur jetzt angezeigt.")).to_be_visible()
    link = page.get_by_label("Einladungslink").input_value()
    assert "/-/einladung/" in link

    invited = second_page
    invited.goto(link)
    expect(invited.get_by_role("heading", level=1)).to_have_text("Konto einrichten")
    expect(invited.get_by_label(re.compile(r"^E-Mail-Adresse"))).to_have_value(email)
    invited.get_by_label(re.compile(r"^Neues Passwort \(")).fill(new_password)
    invited.get_by_label(re.compile(r"^Neues Passwort wiederholen")).fill(new_password)
    invited.get_by_role("button", name="Konto einrichten und anmelden").click()
    expect(invited.get_by_text(f"Willkommen, {name}.")).to_be_visible()
    expect(invited.get_by_text(f"Angemeldet als {name}")).to_be_visible()

    invited.get_by_role("button", name="Abmelden").click()
    expect(invited.get_by_role("link", name="Anmelden")).to_be_visible()
    sign_in(invited, email, new_password)
    expect(invited.get_by_text(f"Angemeldet als {name}")).to_be_visible()

    # The link worked once; now it is spent.
    response = invited.goto(link)
    assert response is not None and response.status == 410
