"""Text out of uploaded files: one extractor per type behind ``extract`` / ``extract_isolated``.

Pure: paths and plain data in, dataclasses out; no Flask, no database.
"""

from __future__ import annotations

from .base import Extraction, ExtractionError, Extractor, Failure, Limits, Page
from .clean import clean_text
from .isolate import extract_isolated
from .registry import SUPPORTED_MEDIA_TYPES, extractor_for
from .run import extract

__all__ = [
    "SUPPORTED_MEDIA_TYPES",
    "Extraction",
    "ExtractionError",
    "Extractor",
    "Failure",
    "Limits",
    "Page",
    "clean_text",
    "extract",
    "extract_isolated",
    "extractor_for",
]
