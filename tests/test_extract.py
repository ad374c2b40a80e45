"""wissen.extract: text cleaning, one extractor per type, and surviving hostile files.

The PDF tests use ../shared/testdata (MANIFEST.md there says what each file is) and
../shared/eval-dev; they skip when those folders are absent.
"""

from __future__ import annotations

import re
import signal
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

import docx
import pytest
from odf import dc, draw, presentation, style, table, text
from odf.namespaces import PRESENTATIONNS
from odf.opendocument import OpenDocumentPresentation, OpenDocumentText
from pptx import Presentation
from pptx.util import Inches

from wissen.extract import (
    SUPPORTED_MEDIA_TYPES,
    Extraction,
    ExtractionError,
    Failure,
    Limits,
    clean_text,
    extract,
    extract_isolated,
    extractor_for,
    supported,
)
from wissen.extract.base import reason_for
from wissen.extract.clean import clean_title
from wissen.extract.isolate import _interpret, _Outcome
from wissen.extract.pages import build_extraction, chunk_paragraphs
from wissen.extract.sniff import (
    DOCX,
    MARKDOWN,
    ODP,
    ODT,
    PDF,
    PPTX,
    TEXT,
    sniff_media_type,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TESTDATA = SHARED / "testdata"
PDF_DE = TESTDATA / "pdf-de"
HOSTILE = TESTDATA / "pdf-hostile"
EVAL_DOCUMENTS = SHARED / "eval-dev" / "documents"
TEST_LIMITS = Limits(timeout_seconds=30)

needs_testdata = pytest.mark.skipif(not PDF_DE.is_dir(), reason="../shared/testdata fehlt")
needs_eval = pytest.mark.skipif(not EVAL_DOCUMENTS.is_dir(), reason="../shared/eval-dev fehlt")

LIGATURES = "\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06"
# Small and medium files that cover the cases (slides, broken umlauts, ligatures, forms,
# LibreOffice output) in about 15 s; the full walk of all 28 is marked slow.
PDF_DE_DEFAULT = [
    "briefDIN.pdf",
    "dante-tagung2011-handout.pdf",
    "europecv-lebenslauf-vorlage.pdf",
    "folien-beamer-logik-vorlesung.pdf",
    "gerdoc.pdf",
    "handout-beamer-logik-vorlesung.pdf",
    "hausarbeit-jura.pdf",
    "l2kurz.pdf",
    "l2tabu.pdf",
    "latexsheet-de.pdf",
    "lb2-errataliste.pdf",
    "libreoffice-hilfe-digitale-signaturen.pdf",
    "libreoffice-hilfe-mathematische-funktionen.pdf",
    "lilypond-usage.de.pdf",
    "milog-example.pdf",
    "milog-formular.pdf",
    "scrjuraexample-satzung.pdf",
]


@cache
def manifest_pages() -> dict[str, int]:
    """Page counts from the pdf-de table of MANIFEST.md (file -> pages)."""
    manifest = (TESTDATA / "MANIFEST.md").read_text(encoding="utf-8")
    rows = re.finditer(r"^\| `([^`]+\.pdf)` \| [^|]+ \| (\d+) \|", manifest, re.MULTILINE)
    return {row.group(1): int(row.group(2)) for row in rows}


@cache
def pdf_de_extraction(name: str) -> Extraction:
    return extract_isolated(PDF_DE / name, PDF, TEST_LIMITS)


def all_text(extraction: Extraction) -> str:
    return "\n".join(page.text for page in extraction.pages)


def known_reasons(limits: Limits) -> set[str]:
    return {reason_for(kind, limits) for kind in Failure}


# --- clean_text: one rule each ------------------------------------------------------


def test_clean_joins_spacing_diaeresis_with_the_vowel() -> None:
    assert clean_text("Unterst¨utzung f¨ur ¨Altere, ¨Uberblick") == (
        "Unterstützung für Ältere, Überblick"
    )


def test_clean_joins_combining_diaeresis() -> None:
    assert clean_text("Unterstu\u0308tzung") == "Unterstützung"
    assert clean_text("f\u0308ur") == "für"  # combining mark in front of its vowel


def test_clean_replaces_ligatures_by_nfkc() -> None:
    assert clean_text("Pﬂicht, Deﬁnition, Auﬀassung") == "Pflicht, Definition, Auffassung"


def test_clean_removes_soft_hyphens() -> None:
    assert clean_text("Unter\u00adstützung") == "Unterstützung"
    assert clean_text("Unter\u00ad\nstützung") == "Unterstützung"


def test_clean_rejoins_words_hyphenated_at_line_end() -> None:
    assert clean_text("die Unter-\nstützung der") == "die Unterstützung der"


def test_clean_keeps_hyphen_before_capital_and_in_shortened_compounds() -> None:
    assert clean_text("Kinder- und Jugendhilfe") == "Kinder- und Jugendhilfe"
    assert clean_text("Kinder-\nUnd") == "Kinder-\nUnd"
    assert clean_text("Kinder-\nund Jugendhilfe") == "Kinder-\nund Jugendhilfe"


def test_clean_normalises_whitespace() -> None:
    assert clean_text("  a \t\u00a0 b  \r\n\r\n\n  c\rd \n") == "a b\nc\nd"


def test_clean_strips_control_characters() -> None:
    assert clean_text("a\x00b\x07c\x1bd\u202ee\ufeff") == "abcde"


def test_clean_title_rejects_file_names_and_huge_values() -> None:
    assert clean_title("gerdoc.dvi") is None
    assert clean_title("Microsoft Word - Bericht.docx") is None
    assert clean_title("x" * 2_000_000) is None
    assert clean_title(" - Text und seine Bedeutung") == "Text und seine Bedeutung"
    assert clean_title("Das LaTeX2e-S¨undenregister") == "Das LaTeX2e-Sündenregister"


# --- pages, limits, registry --------------------------------------------------------


def test_chunks_cut_between_paragraphs() -> None:
    chunks = chunk_paragraphs(["a" * 2000, "b" * 2000, "c" * 500])
    assert chunks == ["a" * 2000, "b" * 2000 + "\n" + "c" * 500]
    assert chunk_paragraphs([]) == [""]


def test_chunks_split_overlong_paragraphs_between_words() -> None:
    chunks = chunk_paragraphs(["wort " * 2000])
    assert len(chunks) == 4
    assert all(len(chunk) <= 3000 and not chunk.endswith("wor") for chunk in chunks)


def test_pages_are_capped_and_counted() -> None:
    limits = Limits(max_chars_per_page=5, max_pages=2, max_total_chars=8)
    assert build_extraction(["abcdefgh"], None, "Seite", limits).pages[0].text == "abcde"
    with pytest.raises(ExtractionError) as too_many:
        build_extraction(["a", "b", "c"], None, "Seite", limits)
    assert too_many.value.kind == Failure.TOO_MANY_PAGES
    with pytest.raises(ExtractionError) as too_much:
        build_extraction(["abcde", "fghij"], None, "Seite", limits)
    assert too_much.value.kind == Failure.TOO_MUCH_TEXT


def test_registry_covers_the_supported_types() -> None:
    assert {PDF, PPTX, DOCX, ODT, ODP, TEXT, MARKDOWN} == SUPPORTED_MEDIA_TYPES
    assert supported.SUPPORTED_MEDIA_TYPES is SUPPORTED_MEDIA_TYPES
    assert all(callable(extractor_for(media_type)) for media_type in SUPPORTED_MEDIA_TYPES)
    assert extractor_for("text/html") is None
    assert extractor_for(None) is None


def test_reasons_are_german_and_name_the_limit() -> None:
    assert ExtractionError(Failure.TOO_MANY_PAGES).reason == ("Die Datei hat mehr als 5000 Seiten.")
    assert ExtractionError(Failure.TIMEOUT).reason == (
        "Das Auslesen hat länger als 120 Sekunden gedauert und wurde abgebrochen."
    )
    assert "verschlüsselt" in ExtractionError(Failure.ENCRYPTED).reason
    assert str(ExtractionError(Failure.EMPTY)) == "Die Datei ist leer."


# --- files that never reach a parser ------------------------------------------------


@pytest.mark.parametrize("run", [extract, extract_isolated])
def test_zero_byte_file_is_empty(tmp_path: Path, run) -> None:
    path = tmp_path / "leer.pdf"
    path.touch()
    with pytest.raises(ExtractionError) as error:
        run(path, PDF)
    assert error.value.kind == Failure.EMPTY
    assert "leer" in error.value.reason


def test_size_limit_is_checked_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "gross.txt"
    path.write_text("x" * 100)
    with pytest.raises(ExtractionError) as error:
        extract_isolated(path, TEXT, Limits(max_bytes=50))
    assert error.value.kind == Failure.TOO_LARGE


def test_unsupported_media_type(tmp_path: Path) -> None:
    path = tmp_path / "bild.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n")
    for run in (extract, extract_isolated):
        with pytest.raises(ExtractionError) as error:
            run(path, "image/png")
        assert error.value.reason == "Dateityp wird nicht unterstützt."


def test_renamed_html_is_sniffed_as_html_and_never_extracted(tmp_path: Path) -> None:
    page = "<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    for name in ("rechnung.pdf", "notiz.txt", "seite.html"):
        (tmp_path / name).write_text(page)
        media_type = sniff_media_type(tmp_path / name)
        assert media_type == "text/html"
        assert media_type not in SUPPORTED_MEDIA_TYPES
        with pytest.raises(ExtractionError):
            extract_isolated(tmp_path / name, media_type)


def test_markup_without_html_start_is_plain_text_and_read_as_such(tmp_path: Path) -> None:
    # Sniffing only recognises documents that start like HTML; a fragment passes as text.
    # It is then only ever text: extracted verbatim, to be shown escaped.
    path = tmp_path / "fragment.txt"
    path.write_text("<p>Hallo</p><script>alert(1)</script>")
    assert sniff_media_type(path) == TEXT
    assert extract(path, TEXT).pages[0].text == "<p>Hallo</p><script>alert(1)</script>"


def test_a_pdf_header_after_leading_bytes_is_still_a_pdf(tmp_path: Path) -> None:
    # Readers accept up to 1 KiB before "%PDF-"; wissen does the same, but only for bytes.
    body = b"%PDF-1.4\n1 0 obj\n<< >>\nendobj\n%%EOF\n"
    binary = tmp_path / "gateway"
    binary.write_bytes(b"MZ\x90\x00" + b"\x00" * 500 + body)
    assert sniff_media_type(binary) == PDF
    assert sniff_media_type(binary, "bericht.pdf") == PDF
    late = tmp_path / "late"
    late.write_bytes(b"MZ\x90\x00" + b"\x00" * 1100 + body)
    assert sniff_media_type(late, "bericht.pdf") != PDF
    # Text that mentions a PDF header is text, unless the uploader called it .pdf.
    mention = tmp_path / "mention"
    mention.write_bytes(b"Versionen: %PDF-1.4 und %PDF-1.7 sind gemeint.\n")
    assert sniff_media_type(mention, "notiz.txt") == TEXT
    assert sniff_media_type(mention, "notiz.md") == MARKDOWN
    text_first = tmp_path / "text-first"
    text_first.write_bytes(b"leading junk\n\n" + body)
    assert sniff_media_type(text_first, "bericht.pdf") == PDF
    # Nothing that starts like HTML passes as a PDF, whatever it is called.
    page = tmp_path / "page"
    page.write_bytes(b"\xef\xbb\xbf<!DOCTYPE html><script>alert(1)</script>" + body)
    assert sniff_media_type(page, "bericht.pdf") not in SUPPORTED_MEDIA_TYPES


@needs_testdata
@pytest.mark.parametrize(
    ("name", "pages"),
    [
        ("qpdf-leading-junk.pdf", 30),
        ("derived/junk-around.pdf", 1),
        ("corkami-AppleII-polyglot.pdf", 1),
    ],
)
def test_real_pdfs_with_bytes_before_the_header_are_sniffed_and_read(name: str, pages: int) -> None:
    path = HOSTILE / name
    assert sniff_media_type(path) == PDF
    assert len(extract_isolated(path, PDF, TEST_LIMITS).pages) == pages


# --- plain text and Markdown --------------------------------------------------------


def test_text_falls_back_to_windows_and_latin1(tmp_path: Path) -> None:
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("Grüße aus München, Straße".encode("latin-1"))
    assert extract(latin1, TEXT).pages[0].text == "Grüße aus München, Straße"
    cp1252 = tmp_path / "cp1252.txt"
    cp1252.write_bytes("„Bürgerbus“ kostet 5 €".encode("cp1252"))
    assert extract(cp1252, TEXT).pages[0].text == "„Bürgerbus“ kostet 5 €"
    bom = tmp_path / "bom.txt"
    bom.write_bytes("\ufeffÄrger".encode())
    assert extract(bom, TEXT).pages[0].text == "Ärger"


def test_long_text_is_cut_into_pages(tmp_path: Path) -> None:
    path = tmp_path / "lang.txt"
    paragraphs = [f"Absatz {n}: " + "Demografie im ländlichen Raum. " * 20 for n in range(40)]
    path.write_text("\n\n".join(paragraphs), encoding="utf-8")
    extraction = extract_isolated(path, TEXT)
    assert len(extraction.pages) == 10  # ~611 characters per paragraph, 4 per page
    assert [page.number for page in extraction.pages] == list(range(1, 11))
    assert extraction.pages[0].text.startswith("Absatz 0:")
    assert extraction.unit == "Seite"


def test_markdown_title_from_front_matter_or_heading(tmp_path: Path) -> None:
    front = tmp_path / "a.md"
    front.write_text('---\ntitle: "ls(1) – Verzeichnisse"\nsource: x\n---\n\n## Name\n')
    assert extract(front, MARKDOWN).title == "ls(1) – Verzeichnisse"
    heading = tmp_path / "b.md"
    heading.write_text("Vorwort\n\n# Ehrenamt gewinnen\n\nText")
    assert extract(heading, MARKDOWN).title == "Ehrenamt gewinnen"


def test_child_out_of_memory_becomes_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "riesig.txt"
    with path.open("wb") as handle:
        handle.write(b"Wort " * 24_000_000)  # 120 MB: more than the child may hold
    with pytest.raises(ExtractionError) as error:
        extract_isolated(path, TEXT, Limits(memory_mb=100))
    assert error.value.kind == Failure.MEMORY
    assert error.value.reason == "Das Auslesen brauchte zu viel Speicher und wurde abgebrochen."


# --- office formats, generated here -------------------------------------------------


def make_pptx(path: Path) -> None:
    deck = Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[0])
    first.shapes.title.text = "Bürgerbus im ländlichen Raum"
    first.placeholders[1].text = "Erfahrungen aus Süderbrarup"
    second = deck.slides.add_slide(deck.slide_layouts[1])
    second.shapes.title.text = "Fahrgastzahlen"
    second.notes_slide.notes_text_frame.text = "Hier die Zahlen für 2023 erläutern."
    third = deck.slides.add_slide(deck.slide_layouts[5])
    grid = third.shapes.add_table(2, 2, Inches(1), Inches(2), Inches(4), Inches(1)).table
    grid.cell(0, 0).text, grid.cell(0, 1).text = "Jahr", "Fahrten"
    grid.cell(1, 0).text, grid.cell(1, 1).text = "2023", "4711"
    deck.save(str(path))


def test_pptx_one_page_per_slide_with_notes(tmp_path: Path) -> None:
    path = tmp_path / "vortrag.pptx"
    make_pptx(path)
    assert sniff_media_type(path) == PPTX
    extraction = extract_isolated(path, PPTX)
    assert extraction.unit == "Folie"
    assert len(extraction.pages) == 3
    assert extraction.title == "Bürgerbus im ländlichen Raum"
    assert "Erfahrungen aus Süderbrarup" in extraction.pages[0].text
    assert "Hier die Zahlen für 2023 erläutern." in extraction.pages[1].text
    assert "Jahr | Fahrten\n2023 | 4711" in extraction.pages[2].text


def make_docx(path: Path, paragraphs: int) -> None:
    document = docx.Document()
    document.add_heading("Ehrenamt gewinnen", level=1)
    for n in range(paragraphs):
        document.add_paragraph(f"Absatz {n}: " + "Engagement braucht Anerkennung. " * 10)
    grid = document.add_table(rows=2, cols=3)
    grid.cell(0, 0).merge(grid.cell(0, 1)).text = "Maßnahme"
    grid.cell(0, 2).text = "Kosten"
    grid.cell(1, 0).text, grid.cell(1, 1).text, grid.cell(1, 2).text = "A", "B", "100 €"
    document.save(str(path))


def test_docx_paragraphs_and_tables_cut_into_pages(tmp_path: Path) -> None:
    path = tmp_path / "bericht.docx"
    make_docx(path, paragraphs=30)
    assert sniff_media_type(path) == DOCX
    extraction = extract_isolated(path, DOCX)
    assert extraction.unit == "Seite"
    assert extraction.title == "Ehrenamt gewinnen"
    assert len(extraction.pages) == 4  # 30 paragraphs of ~330 characters, ~3000 per page
    assert all(len(page.text) <= 3000 for page in extraction.pages)
    text = all_text(extraction)
    assert text.index("Absatz 0:") < text.index("Absatz 29:") < text.index("Maßnahme | Kosten")
    assert "A | B | 100 €" in text


def test_broken_office_file_is_damaged(tmp_path: Path) -> None:
    path = tmp_path / "kaputt.docx"
    make_docx(path, paragraphs=3)
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(ExtractionError) as error:
        extract_isolated(path, DOCX)
    assert error.value.kind == Failure.DAMAGED


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * (50 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(ExtractionError) as error:
        extract(path, DOCX, Limits(memory_mb=10))
    assert error.value.kind == Failure.UNPACKED_TOO_LARGE


def make_odt(path: Path) -> None:
    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Sozialraummonitoring"))
    document.text.addElement(text.H(outlinelevel=1, text="Methodik"))
    for n in range(12):
        document.text.addElement(text.P(text=f"Absatz {n}: " + "Indikatoren je Quartier. " * 12))
    grid = table.Table(name="Indikatoren")
    row = table.TableRow()
    for value in ("Altersquotient", "34,5"):
        cell = table.TableCell()
        cell.addElement(text.P(text=value))
        row.addElement(cell)
    grid.addElement(row)
    document.text.addElement(grid)
    document.save(str(path))


def test_odt_text_and_tables_cut_into_pages(tmp_path: Path) -> None:
    path = tmp_path / "methodik.odt"
    make_odt(path)
    assert sniff_media_type(path) == ODT
    extraction = extract_isolated(path, ODT)
    assert extraction.title == "Sozialraummonitoring"
    assert extraction.unit == "Seite"
    assert len(extraction.pages) == 2
    assert extraction.pages[0].text.startswith("Methodik\nAbsatz 0:")
    assert extraction.pages[-1].text.endswith("Altersquotient | 34,5")


def make_odp(path: Path) -> None:
    document = OpenDocumentPresentation()
    layout = style.PageLayout(name="Folienformat")
    document.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Standard", pagelayoutname=layout)
    document.masterstyles.addElement(master)
    for heading, body, notes in (
        ("Willkommensagentur", "Jahresbericht 2023", ""),
        ("Beratungen", "412 Gespräche", "Zahlen mündlich ergänzen"),
    ):
        slide = draw.Page(name=heading, masterpagename=master)
        for role, content in (("title", heading), ("subtitle", body)):
            frame = draw.Frame()
            frame.setAttrNS(PRESENTATIONNS, "class", role)
            box = draw.TextBox()
            box.addElement(text.P(text=content))
            frame.addElement(box)
            slide.addElement(frame)
        if notes:
            note = presentation.Notes()
            frame = draw.Frame()
            frame.setAttrNS(PRESENTATIONNS, "class", "notes")
            box = draw.TextBox()
            box.addElement(text.P(text=notes))
            frame.addElement(box)
            note.addElement(frame)
            slide.addElement(note)
        document.presentation.addElement(slide)
    document.save(str(path))


def test_odp_one_page_per_slide_with_notes(tmp_path: Path) -> None:
    path = tmp_path / "bericht.odp"
    make_odp(path)
    assert sniff_media_type(path) == ODP
    extraction = extract_isolated(path, ODP)
    assert extraction.unit == "Folie"
    assert extraction.title == "Willkommensagentur"
    assert [page.text for page in extraction.pages] == [
        "Willkommensagentur\nJahresbericht 2023",
        "Beratungen\n412 Gespräche\nZahlen mündlich ergänzen",
    ]


# --- real German PDFs ---------------------------------------------------------------


def check_pdf_de(name: str) -> None:
    extraction = pdf_de_extraction(name)
    assert len(extraction.pages) == manifest_pages()[name]
    assert all_text(extraction).strip()
    assert not set(LIGATURES) & set(all_text(extraction))


@needs_testdata
@pytest.mark.parametrize("name", PDF_DE_DEFAULT)
def test_pdf_de_page_counts_match_manifest(name: str) -> None:
    check_pdf_de(name)


@needs_testdata
@pytest.mark.slow
@pytest.mark.parametrize(
    "name", sorted(p.name for p in PDF_DE.glob("*.pdf")) if PDF_DE.is_dir() else []
)
def test_pdf_de_full_walk(name: str) -> None:
    check_pdf_de(name)


@needs_testdata
def test_manifest_lists_every_pdf_de_file() -> None:
    assert sorted(manifest_pages()) == sorted(p.name for p in PDF_DE.glob("*.pdf"))


@needs_testdata
@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("lilypond-usage.de.pdf", "Unterstützung"),
        ("gerdoc.pdf", "für"),
        ("dante-tagung2011-handout.pdf", "Lück"),
    ],
)
def test_broken_umlauts_are_repaired(name: str, word: str) -> None:
    text = all_text(pdf_de_extraction(name))
    assert word in text
    assert "¨" not in text
    assert "\u0308" not in text


@needs_testdata
def test_pdf_titles_units_and_ligatures() -> None:
    assert pdf_de_extraction("l2tabu.pdf").title == (
        "Das LaTeX2e-Sündenregister oder Veraltete Befehle, Pakete und andere Fehler"
    )
    assert pdf_de_extraction("gerdoc.pdf").title is None  # metadata says "gerdoc.dvi"
    assert pdf_de_extraction("folien-beamer-logik-vorlesung.pdf").unit == "Folie"
    assert pdf_de_extraction("l2kurz.pdf").unit == "Seite"
    assert "beeinflussen" in all_text(pdf_de_extraction("l2kurz.pdf"))  # was "beeinﬂussen"


@needs_testdata
def test_timeout_stops_the_child() -> None:
    started = time.monotonic()
    with pytest.raises(ExtractionError) as error:
        extract_isolated(PDF_DE / "lilypond-usage.de.pdf", PDF, Limits(timeout_seconds=1))
    assert error.value.kind == Failure.TIMEOUT
    assert error.value.reason == (
        "Das Auslesen hat länger als 1 Sekunden gedauert und wurde abgebrochen."
    )
    assert time.monotonic() - started < 5


@needs_testdata
def test_timeout_in_process_stops_between_pages() -> None:
    with pytest.raises(ExtractionError) as error:
        extract(PDF_DE / "lilypond-usage.de.pdf", PDF, Limits(timeout_seconds=0.5))
    assert error.value.kind == Failure.TIMEOUT


@needs_eval
@pytest.mark.parametrize(
    "path",
    sorted(EVAL_DOCUMENTS.glob("*.pdf")) if EVAL_DOCUMENTS.is_dir() else [],
    ids=lambda path: path.name,
)
def test_eval_dev_decks_are_slides_with_umlauts(path: Path) -> None:
    extraction = extract_isolated(path, PDF, TEST_LIMITS)
    text = all_text(extraction)
    assert extraction.unit == "Folie"
    assert extraction.title
    assert len(extraction.pages) >= 5
    assert all(page.text for page in extraction.pages)
    assert re.search("[äöüß]", text)
    assert "¨" not in text and "\u0308" not in text


# --- hostile PDFs: each ends with a result or a German reason -----------------------


def hostile_files() -> list[Path]:
    if not HOSTILE.is_dir():
        return []
    return sorted(p for p in HOSTILE.rglob("*") if p.is_file())


@cache
def hostile_results() -> dict[Path, tuple[Extraction | ExtractionError, float]]:
    """Every hostile file through extract_isolated, two at a time (one per core)."""

    def run(path: Path) -> tuple[Extraction | ExtractionError, float]:
        started = time.monotonic()
        try:
            # Forced to PDF: the worst case, as if sniffing had let the file through.
            result: Extraction | ExtractionError = extract_isolated(path, PDF, TEST_LIMITS)
        except ExtractionError as error:
            result = error
        return result, time.monotonic() - started

    files = hostile_files()
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(files, pool.map(run, files), strict=True))


@needs_testdata
@pytest.mark.parametrize("path", hostile_files(), ids=lambda p: p.relative_to(HOSTILE).as_posix())
def test_hostile_file_ends_cleanly(path: Path) -> None:
    result, seconds = hostile_results()[path]
    assert seconds < TEST_LIMITS.timeout_seconds + 5
    if isinstance(result, ExtractionError):
        assert result.reason in known_reasons(TEST_LIMITS)
        assert result.kind != Failure.CRASHED, result.detail
    else:
        assert all(len(page.text) <= TEST_LIMITS.max_chars_per_page for page in result.pages)


@needs_testdata
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("derived/zero-bytes.pdf", Failure.EMPTY),
        ("derived/page-bomb-20000-pages.pdf", Failure.TOO_MANY_PAGES),
        ("derived/truncated-half-l2tabu.pdf", Failure.DAMAGED),
        ("derived/html-disguised-as.pdf", Failure.DAMAGED),
        ("qpdf-deep-pages.pdf", Failure.DAMAGED),  # LimitReachedError
        ("pdfjs-Pages-tree-refs.pdf", Failure.DAMAGED),
        ("qpdf-empty.pdf", Failure.EMPTY),
        ("pypdf-libreoffice-writer-password.pdf", Failure.ENCRYPTED),
        ("qpdf-enc-R2,V1,U=view,O=master.pdf", Failure.ENCRYPTED),
        ("qpdf-bad-encryption-length.pdf", Failure.ENCRYPTED),  # FileNotDecryptedError
    ],
)
def test_hostile_failures_have_the_right_reason(name: str, expected: Failure) -> None:
    result, _ = hostile_results()[HOSTILE / name]
    assert isinstance(result, ExtractionError)
    assert result.kind == expected


@needs_testdata
@pytest.mark.parametrize(
    ("name", "pages"),
    [
        ("qpdf-eof-in-inline-image.pdf", 1),  # extract_text() raises: page stays empty
        ("pdfjs-bomb_giant.pdf", 1),  # DependencyError inside extract_text()
        ("derived/flate-bomb-1GiB.pdf", 1),  # LimitReachedError inside extract_text()
        ("qpdf-leading-junk.pdf", 30),  # encrypted, opens with the empty password
        ("qpdf-append-xref-loop.pdf", 30),
        ("derived/scan-only-briefDIN.pdf", 1),
    ],
)
def test_hostile_files_that_still_give_pages(name: str, pages: int) -> None:
    result, _ = hostile_results()[HOSTILE / name]
    assert isinstance(result, Extraction)
    assert len(result.pages) == pages


@needs_testdata
def test_hostile_metadata_is_only_text() -> None:
    result, _ = hostile_results()[HOSTILE / "derived" / "xss-metadata-outline-attachment.pdf"]
    assert isinstance(result, Extraction)
    assert result.title is not None and "\x00" not in result.title
    assert hostile_results()[HOSTILE / "derived" / "huge-title-2MiB.pdf"][0].title is None


@needs_testdata
def test_aes_with_empty_password_needs_cryptography() -> None:
    result, _ = hostile_results()[HOSTILE / "pdfjs-empty_protected.pdf"]
    # Without the `cryptography` package pypdf cannot decrypt AES, not even with "".
    assert isinstance(result, Extraction) or result.kind == Failure.ENCRYPTION_UNSUPPORTED


@needs_testdata
def test_normal_pdf_right_after_the_hostile_walk() -> None:
    hostile_results()
    extraction = extract_isolated(PDF_DE / "scrjuraexample-satzung.pdf", PDF, TEST_LIMITS)
    assert len(extraction.pages) == 4
    assert "Präambel" in all_text(extraction)


# --- how a dead child is reported ---------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (_Outcome(-signal.SIGKILL, b"", b"", timed_out=True), Failure.TIMEOUT),
        (_Outcome(-signal.SIGXCPU, b"", b"", timed_out=False), Failure.TIMEOUT),
        (_Outcome(-signal.SIGKILL, b"", b"", timed_out=False), Failure.MEMORY),  # OOM killer
        (_Outcome(1, b"", b"MemoryError\n", timed_out=False), Failure.MEMORY),
        (_Outcome(-signal.SIGSEGV, b"", b"", timed_out=False), Failure.CRASHED),
        (_Outcome(0, b'{"ok": true, "pages": [1]}', b"", timed_out=False), Failure.CRASHED),
        (_Outcome(0, b'{"ok": false, "kind": "encrypted"}', b"", False), Failure.ENCRYPTED),
    ],
)
def test_dead_child_becomes_a_reason(outcome: _Outcome, expected: Failure) -> None:
    with pytest.raises(ExtractionError) as error:
        _interpret(outcome, Limits())
    assert error.value.kind == expected
