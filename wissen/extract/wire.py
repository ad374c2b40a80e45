"""The JSON a child process prints, and reading it back without trusting its shape."""

from __future__ import annotations

import json
from typing import Any

from .base import PAGE, SLIDE, Extraction, ExtractionError, Failure, Limits, Page


def success(extraction: Extraction) -> dict[str, Any]:
    return {
        "ok": True,
        "title": extraction.title,
        "unit": extraction.unit,
        "pages": [page.text for page in extraction.pages],
    }


def failure(error: ExtractionError) -> dict[str, Any]:
    return {"ok": False, "kind": error.kind.value, "detail": error.detail[:2000]}


def encode(payload: dict[str, Any]) -> bytes:
    # clean_text drops lone surrogates; "replace" only guards error details.
    return json.dumps(payload, ensure_ascii=False).encode("utf-8", "replace")


def decode(data: bytes, limits: Limits) -> Extraction | ExtractionError | None:
    """What the child reported, or None if its output is missing or malformed."""
    try:
        payload = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(payload, dict):
        return None
    return _success(payload) if payload.get("ok") is True else _failure(payload, limits)


def _success(payload: dict[str, Any]) -> Extraction | None:
    pages, title, unit = payload.get("pages"), payload.get("title"), payload.get("unit")
    if not isinstance(pages, list) or not all(isinstance(text, str) for text in pages):
        return None
    if unit not in (PAGE, SLIDE) or not (title is None or isinstance(title, str)):
        return None
    numbered = [Page(number, text) for number, text in enumerate(pages, start=1)]
    return Extraction(pages=numbered, title=title, unit=unit)


def _failure(payload: dict[str, Any], limits: Limits) -> ExtractionError | None:
    kind, detail = payload.get("kind"), payload.get("detail", "")
    if kind not in {failure.value for failure in Failure} or not isinstance(detail, str):
        return None
    return ExtractionError(Failure(kind), limits, detail=detail)
