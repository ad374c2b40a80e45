"""Tell a file's type from its bytes, never from its name or the client's claim."""

from __future__ import annotations

import zipfile
from pathlib import Path

import puremagic

PDF = "application/pdf"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
ODP = "application/vnd.oasis.opendocument.presentation"
TEXT = "text/plain"
MARKDOWN = "text/markdown"

# OOXML and ODF files are ZIP archives; the member names say which kind.
_ZIP_MARKERS = (("ppt/presentation.xml", PPTX), ("word/document.xml", DOCX))
_ODF_MIMETYPES = {ODT, ODP}

SUFFIX = {
    PDF: "pdf",
    PPTX: "pptx",
    DOCX: "docx",
    ODT: "odt",
    ODP: "odp",
    TEXT: "txt",
    MARKDOWN: "md",
}


# PDF readers (Acrobat, pdf.js, pypdf, poppler) find the header anywhere in the first KiB;
# some programs put bytes in front of it (qpdf's test suite has such files).
PDF_HEADER_WINDOW = 1024
_BLANK = b"\x00\t\n\r "
_MARKUP_STARTS = (b"<!doctype html", b"<html", b"<svg", b"<?xml")


def sniff_media_type(path: Path, file_name: str | None = None) -> str | None:
    """The media type of the file at ``path`` judged by its content, or None if unknown.

    ``file_name`` is the name the uploader gave (default: the name of ``path``). It only
    tells Markdown from plain text and lets a PDF with bytes before its header through;
    it never makes bytes pass for a type they do not have.
    """
    name = (file_name or path.name).lower()
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        return None
    if head.lstrip(_BLANK)[:5] == b"%PDF-":
        return PDF
    if head[:4] == b"PK\x03\x04":
        return _sniff_zip(path)
    if _pdf_after_junk(head, name):
        return PDF
    if _looks_like_text(head):
        return MARKDOWN if name.endswith((".md", ".markdown")) else TEXT
    try:
        return puremagic.from_file(str(path), mime=True) or None
    except (puremagic.PureError, ValueError, OSError):
        return None


def _pdf_after_junk(head: bytes, name: str) -> bool:
    """A PDF header within the first KiB, after bytes that are not a PDF's own.

    A text that merely mentions "%PDF-" stays text unless it is called .pdf, and nothing
    that starts like HTML ever counts as a PDF.
    """
    if b"%PDF-" not in head[:PDF_HEADER_WINDOW] or _starts_like_markup(head):
        return False
    return name.endswith(".pdf") or not _looks_like_text(head)


def _sniff_zip(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                return mimetype if mimetype in _ODF_MIMETYPES else "application/zip"
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    for marker, media_type in _ZIP_MARKERS:
        if marker in names:
            return media_type
    return "application/zip"


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample.
        if error.start < len(head) - 4:
            return False
        head = head[: error.start]
    # HTML renamed to .txt must not pass as text (it could be served back as markup).
    return not _starts_like_markup(head)


def _starts_like_markup(head: bytes) -> bool:
    start = head.removeprefix(b"\xef\xbb\xbf").lstrip(b"\t\n\x0b\x0c\r ")[:16].lower()
    return start.startswith(_MARKUP_STARTS)
