"""Turn raw page texts into an Extraction, and cut page-less text into pages."""

from __future__ import annotations

from collections.abc import Iterable

from .base import Extraction, ExtractionError, Failure, Limits, Page
from .clean import clean_text

# DOCX, ODT and plain text have no pages of their own; pieces of about a printed page
# keep search snippets and "Seite n" links short enough to be useful.
CHUNK_CHARS = 3000


def build_extraction(
    texts: Iterable[str], title: str | None, unit: str, limits: Limits
) -> Extraction:
    """Clean and cap every page, enforcing the page and total-text limits on the way."""
    pages: list[Page] = []
    total = 0
    for number, raw in enumerate(texts, start=1):
        if number > limits.max_pages:
            raise ExtractionError(Failure.TOO_MANY_PAGES, limits)
        text = clean_text(raw)[: limits.max_chars_per_page]
        total += len(text)
        if total > limits.max_total_chars:
            raise ExtractionError(Failure.TOO_MUCH_TEXT, limits)
        pages.append(Page(number, text))
    if not pages:
        raise ExtractionError(Failure.EMPTY, limits, detail="no pages")
    return Extraction(pages=pages, title=title, unit=unit)


def chunk_paragraphs(paragraphs: Iterable[str], size: int = CHUNK_CHARS) -> list[str]:
    """Paragraphs packed into pieces of at most ``size`` characters, cut between paragraphs.

    Always returns at least one (possibly empty) piece: a document without text still has
    a page, like a scanned PDF.
    """
    chunks: list[str] = []
    current: list[str] = []
    length = 0
    for paragraph in paragraphs:
        for piece in _split_long(paragraph.strip(), size):
            if current and length + len(piece) + 1 > size:
                chunks.append("\n".join(current))
                current, length = [], 0
            current.append(piece)
            length += len(piece) + 1
    if current or not chunks:
        chunks.append("\n".join(current))
    return chunks


def _split_long(paragraph: str, size: int) -> Iterable[str]:
    # A paragraph longer than a page (a text file without blank lines) is cut at the last
    # space before the limit, so that no word is split.
    while len(paragraph) > size:
        cut = paragraph.rfind(" ", 0, size)
        cut = cut if cut > size // 2 else size
        yield paragraph[:cut].rstrip()
        paragraph = paragraph[cut:].lstrip()
    if paragraph:
        yield paragraph
