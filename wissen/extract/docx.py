"""Word documents (DOCX): paragraphs and tables in reading order, cut into pages.

DOCX stores no page breaks of its own (Word computes them while laying out), so pages
here are pieces of about one printed page, cut between paragraphs.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import docx
from docx.table import Table
from docx.text.paragraph import Paragraph

from .base import PAGE, Extraction, Limits
from .clean import clean_title
from .pages import build_extraction, chunk_paragraphs
from .zipguard import check_archive

_TITLE_STYLES = frozenset({"Title", "Titel", "Heading 1", "Überschrift 1"})


def extract_docx(path: Path, limits: Limits) -> Extraction:
    check_archive(path, limits)
    document = docx.Document(str(path))
    paragraphs = list(_blocks(document))
    title = clean_title(document.core_properties.title) or _first_heading(document)
    return build_extraction(chunk_paragraphs(paragraphs), title, PAGE, limits)


def _blocks(container) -> Iterator[str]:
    """Paragraph texts, with each table row as one line of cells separated by " | "."""
    for block in container.iter_inner_content():
        if isinstance(block, Paragraph):
            yield block.text
        elif isinstance(block, Table):
            yield from _table_rows(block)


def _table_rows(table: Table) -> Iterator[str]:
    for row in table.rows:
        cells: list[str] = []
        seen: list = []
        for cell in row.cells:
            # A merged cell is returned once per grid column it spans; keep it once.
            if any(cell._tc is other for other in seen):
                continue
            seen.append(cell._tc)
            cells.append(" ".join(_blocks(cell)).strip())
        yield " | ".join(cell for cell in cells if cell)


def _first_heading(document) -> str | None:
    for paragraph in document.paragraphs[:50]:
        if paragraph.style is not None and paragraph.style.name in _TITLE_STYLES:
            return clean_title(paragraph.text)
    return None
