"""OpenDocument text (ODT, cut into pages like DOCX) and presentations (ODP, one per slide)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from odf import teletype
from odf.dc import Title
from odf.draw import Frame
from odf.element import Element
from odf.namespaces import DRAWNS, PRESENTATIONNS, TABLENS, TEXTNS
from odf.opendocument import OpenDocument, load

from .base import PAGE, SLIDE, Deadline, Extraction, Limits
from .clean import clean_title
from .pages import build_extraction, chunk_paragraphs
from .zipguard import check_archive

_PARAGRAPHS = {(TEXTNS, "p"), (TEXTNS, "h")}
_TABLE_ROW = (TABLENS, "table-row")
# Deleted text kept for change tracking is not part of what the document says.
_SKIPPED = {(TEXTNS, "tracked-changes")}


def extract_odt(path: Path, limits: Limits) -> Extraction:
    check_archive(path, limits)
    document = load(str(path))
    paragraphs = list(_paragraphs(document.text))
    title = _meta_title(document) or _first_of(document.text, (TEXTNS, "h"))
    return build_extraction(chunk_paragraphs(paragraphs), title, PAGE, limits)


def extract_odp(path: Path, limits: Limits) -> Extraction:
    check_archive(path, limits)
    document = load(str(path))
    slides = [n for n in document.presentation.childNodes if n.qname == (DRAWNS, "page")]
    title = _meta_title(document) or _slide_title(slides)
    deadline = Deadline(limits)
    return build_extraction(_slide_texts(slides, deadline), title, SLIDE, limits)


def _slide_texts(slides: list[Element], deadline: Deadline) -> Iterator[str]:
    for slide in slides:
        deadline.check()
        # The walk includes presentation:notes, the speaker notes of the slide.
        yield "\n".join(_paragraphs(slide))


def _paragraphs(node: Element) -> Iterator[str]:
    for child in node.childNodes:
        qname = getattr(child, "qname", None)
        if qname in _PARAGRAPHS:
            yield teletype.extractText(child)
        elif qname == _TABLE_ROW:
            cells = (" ".join(_paragraphs(cell)).strip() for cell in child.childNodes)
            yield " | ".join(cell for cell in cells if cell)
        elif qname not in _SKIPPED:
            yield from _paragraphs(child)


def _meta_title(document: OpenDocument) -> str | None:
    titles = document.meta.getElementsByType(Title) if document.meta else []
    return clean_title(teletype.extractText(titles[0])) if titles else None


def _slide_title(slides: list[Element]) -> str | None:
    if not slides:
        return None
    for frame in slides[0].getElementsByType(Frame):
        if frame.getAttrNS(PRESENTATIONNS, "class") == "title":
            return clean_title("\n".join(_paragraphs(frame)))
    return None


def _first_of(node: Element, qname: tuple[str, str]) -> str | None:
    for child in node.childNodes:
        if getattr(child, "qname", None) == qname:
            return clean_title(teletype.extractText(child))
    return None
