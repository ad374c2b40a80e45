"""PDF text, page by page, with pypdf.

pypdf raises a whole family of exceptions on hostile input, and some only inside one
page's ``extract_text()``; every one of them ends here as an ExtractionError or, for a
single page, as an empty page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from pypdf import PageObject, PasswordType, PdfReader
from pypdf.errors import (
    DependencyError,
    EmptyFileError,
    FileNotDecryptedError,
    LimitReachedError,
    PdfReadError,
    PdfStreamError,
    PyPdfError,
)

from .base import PAGE, SLIDE, Deadline, Extraction, ExtractionError, Failure, Limits
from .clean import clean_title
from .pages import build_extraction

log = logging.getLogger(__name__)

# Named for the reader: all of these derive from PyPdfError, which is caught as well.
_DAMAGED = (PdfReadError, PdfStreamError, LimitReachedError, PyPdfError)


def extract_pdf(path: Path, limits: Limits) -> Extraction:
    try:
        reader = _open(path, limits)
        count = len(reader.pages)
        if count > limits.max_pages:
            raise ExtractionError(Failure.TOO_MANY_PAGES, limits, detail=f"{count} pages")
        unit = _unit(reader.pages[0]) if count else PAGE
        title = _title(reader)
        return build_extraction(_page_texts(reader, count, limits), title, unit, limits)
    except EmptyFileError as error:
        raise ExtractionError(Failure.EMPTY, limits, detail=repr(error)) from error
    except FileNotDecryptedError as error:
        raise ExtractionError(Failure.ENCRYPTED, limits, detail=repr(error)) from error
    except DependencyError as error:
        # e.g. a JBIG2 image needing a missing binary, met outside extract_text()
        raise ExtractionError(Failure.DAMAGED, limits, detail=repr(error)) from error
    except _DAMAGED as error:
        raise ExtractionError(Failure.DAMAGED, limits, detail=repr(error)) from error


def _open(path: Path, limits: Limits) -> PdfReader:
    try:
        # PdfReader itself already tries the empty password on encrypted files.
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted:
            _decrypt_with_empty_password(reader, limits)
    except DependencyError as error:
        # AES needs the optional `cryptography` package; without it pypdf cannot decrypt.
        kind = Failure.ENCRYPTION_UNSUPPORTED if "AES" in str(error) else Failure.DAMAGED
        raise ExtractionError(kind, limits, detail=repr(error)) from error
    return reader


def _decrypt_with_empty_password(reader: PdfReader, limits: Limits) -> None:
    # Many PDFs are "protected" only by an owner password (no printing, no copying) and
    # open with the empty user password, as every viewer does without asking.
    if reader.decrypt("") == PasswordType.NOT_DECRYPTED:
        raise ExtractionError(Failure.ENCRYPTED, limits)


def _page_texts(reader: PdfReader, count: int, limits: Limits) -> Iterator[str]:
    deadline = Deadline(limits)
    for index in range(count):
        deadline.check()
        yield _page_text(reader.pages[index], index + 1)


def _page_text(page: PageObject, number: int) -> str:
    try:
        return page.extract_text() or ""
    except (MemoryError, ExtractionError):
        raise
    except Exception as error:  # one unreadable page must not fail the rest
        log.info("PDF-Seite %d ohne Text: %s: %s", number, type(error).__name__, error)
        return ""


def _unit(first: PageObject) -> str:
    """Slides, when the first page is landscape: decks are exported that way, reports not."""
    try:
        box = first.cropbox
        width, height = abs(float(box.width)), abs(float(box.height))
        if (first.rotation or 0) % 180 == 90:
            width, height = height, width
    except Exception as error:  # a broken box only costs the guess
        log.info("PDF-Seitenformat unlesbar: %r", error)
        return PAGE
    return SLIDE if width > height else PAGE


def _title(reader: PdfReader) -> str | None:
    try:
        metadata = reader.metadata
        raw = metadata.title if metadata else None
    except Exception as error:  # metadata is optional; the text matters
        log.info("PDF-Metadaten unlesbar: %r", error)
        return None
    return clean_title(raw if isinstance(raw, str) else None)
