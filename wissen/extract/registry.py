"""Which extractor reads which media type.

Entries name a module and function instead of importing them, so that a child process
reading one PDF does not pay for importing python-pptx, python-docx and odfpy as well.
Adding a type is one line here and one new module.
"""

from __future__ import annotations

from importlib import import_module

from .base import Extractor
from .sniff import DOCX, MARKDOWN, ODP, ODT, PDF, PPTX, TEXT

_EXTRACTORS: dict[str, str] = {
    PDF: "pdf:extract_pdf",
    PPTX: "pptx:extract_pptx",
    DOCX: "docx:extract_docx",
    ODT: "odf:extract_odt",
    ODP: "odf:extract_odp",
    TEXT: "text:extract_text",
    MARKDOWN: "text:extract_markdown",
}

SUPPORTED_MEDIA_TYPES: frozenset[str] = frozenset(_EXTRACTORS)


def extractor_for(media_type: str | None) -> Extractor | None:
    """The extractor for ``media_type`` (as ``sniff_media_type`` reports it), or None."""
    target = _EXTRACTORS.get(media_type or "")
    if target is None:
        return None
    module_name, function_name = target.split(":")
    module = import_module(f"{__package__}.{module_name}")
    return getattr(module, function_name)
