"""Extraction in this process: limits checked first, every failure turned into a reason."""

from __future__ import annotations

import logging
from pathlib import Path

from .base import Extraction, ExtractionError, Failure, Limits
from .registry import extractor_for

log = logging.getLogger(__name__)


def extract(path: Path, media_type: str | None, limits: Limits | None = None) -> Extraction:
    """Pages, title and unit of the file at ``path``; raises ExtractionError only.

    Runs in the calling process without a hard time or memory bound: the worker uses
    ``extract_isolated`` instead.
    """
    limits = limits or Limits()
    path = Path(path)
    extractor = extractor_for(media_type)
    if extractor is None:
        raise ExtractionError(Failure.UNSUPPORTED, limits, detail=str(media_type))
    check_size(path, limits)
    try:
        return extractor(path, limits)
    except ExtractionError:
        raise
    except MemoryError as error:
        raise ExtractionError(Failure.MEMORY, limits) from error
    except RecursionError as error:
        raise ExtractionError(Failure.DAMAGED, limits, detail="RecursionError") from error
    except Exception as error:
        # Parsers meet hostile files with KeyError, ValueError, XML errors and more; none
        # of them may reach the worker. The traceback is logged to find parser bugs.
        log.warning("Unerwarteter Fehler beim Auslesen von %s", path.name, exc_info=True)
        raise ExtractionError(Failure.DAMAGED, limits, detail=repr(error)) from error


def check_size(path: Path, limits: Limits) -> None:
    """Refuse empty and oversized files before any parser sees them."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ExtractionError(Failure.UNREADABLE, limits, detail=repr(error)) from error
    if size == 0:
        raise ExtractionError(Failure.EMPTY, limits)
    if size > limits.max_bytes:
        raise ExtractionError(Failure.TOO_LARGE, limits, detail=f"{size} bytes")
