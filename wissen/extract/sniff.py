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


def sniff_media_type(path: Path) -> str | None:
    """The media type of the file at ``path`` judged by its content, or None if unknown."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if not head:
        return None
    if head.lstrip(b"\x00\t\n\r ")[:5] == b"%PDF-":
        return PDF
    if head[:4] == b"PK\x03\x04":
        return _sniff_zip(path)
    if _looks_like_text(head):
        return MARKDOWN if path.suffix.lower() in {".md", ".markdown"} else TEXT
    try:
        return puremagic.from_file(str(path), mime=True) or None
    except (puremagic.PureError, ValueError, OSError):
        return None


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
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character may be cut at the end of the sample.
        if error.start < len(head) - 4:
            return False
        text = head[: error.start].decode("utf-8")
    lowered = text.lstrip().lower()
    # HTML renamed to .txt must not pass as text (it could be served back as markup).
    return not lowered.startswith(("<!doctype html", "<html", "<svg", "<?xml"))
