"""Plain text and Markdown: decoded with a fallback for old Windows files, cut into pages."""

from __future__ import annotations

import re
from pathlib import Path

from .base import PAGE, Extraction, Limits
from .clean import clean_title
from .pages import build_extraction, chunk_paragraphs

_BLANK_LINES = re.compile(r"\n[ \t]*\n")
_FRONT_MATTER_TITLE = re.compile(r"\A---\n(?:.*\n)*?title:[ \t]*(.+)\n(?:.*\n)*?---\n")
_HEADING = re.compile(r"^#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


def extract_text(path: Path, limits: Limits) -> Extraction:
    text = decode(path.read_bytes())
    return build_extraction(_pages(text), None, PAGE, limits)


def extract_markdown(path: Path, limits: Limits) -> Extraction:
    text = decode(path.read_bytes())
    return build_extraction(_pages(text), _markdown_title(text), PAGE, limits)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); else Windows-1252, which German Windows editors wrote
    (it has „“ and €, where latin-1 has control codes); else latin-1, which never fails."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _pages(text: str) -> list[str]:
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    return chunk_paragraphs(_BLANK_LINES.split(normalised))


def _markdown_title(text: str) -> str | None:
    head = text[:20_000].replace("\r\n", "\n")
    match = _FRONT_MATTER_TITLE.match(head) or _HEADING.search(head)
    return clean_title(match.group(1).strip().strip("\"'")) if match else None
