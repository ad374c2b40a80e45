"""Plain data shared by every extractor: pages in, German failure reasons out."""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

SLIDE = "Folie"
PAGE = "Seite"


@dataclass(frozen=True)
class Page:
    number: int  # 1-based, as people count pages and as PDF viewers' #page= expects
    text: str


@dataclass(frozen=True)
class Extraction:
    pages: list[Page]
    title: str | None
    unit: str  # "Seite" or "Folie": how the interface names one page ("Folie 7")


@dataclass(frozen=True)
class Limits:
    max_pages: int = 5000
    max_bytes: int = 200 * 1024 * 1024
    timeout_seconds: float = 120
    memory_mb: int = 1024
    max_chars_per_page: int = 100_000
    # Bounds what a child hands back to the worker: 5000 pages at the per-page cap would be
    # 500 million characters, far more than any real document and than a worker should hold.
    max_total_chars: int = 20_000_000


class Failure(StrEnum):
    """Why a file could not be read; stable codes for storage, logs and tests."""

    ENCRYPTED = "encrypted"
    ENCRYPTION_UNSUPPORTED = "encryption_unsupported"
    DAMAGED = "damaged"
    EMPTY = "empty"
    TOO_LARGE = "too_large"
    UNPACKED_TOO_LARGE = "unpacked_too_large"
    TOO_MANY_PAGES = "too_many_pages"
    TOO_MUCH_TEXT = "too_much_text"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    UNSUPPORTED = "unsupported"
    UNREADABLE = "unreadable"
    CRASHED = "crashed"


# Shown to editors as they are: plain German, no exception names.
_REASONS = {
    Failure.ENCRYPTED: (
        "Die PDF-Datei ist verschlüsselt und lässt sich ohne Passwort nicht öffnen."
    ),
    Failure.ENCRYPTION_UNSUPPORTED: (
        "Die PDF-Datei ist mit einem Verfahren verschlüsselt, das wissen nicht entschlüsseln kann."
    ),
    Failure.DAMAGED: "Die Datei ist beschädigt oder unvollständig.",
    Failure.EMPTY: "Die Datei ist leer.",
    Failure.TOO_LARGE: "Die Datei ist größer als {max_mb} MB.",
    Failure.UNPACKED_TOO_LARGE: (
        "Die Datei wäre entpackt größer als {memory_mb} MB und wird deshalb nicht gelesen."
    ),
    Failure.TOO_MANY_PAGES: "Die Datei hat mehr als {max_pages} Seiten.",
    Failure.TOO_MUCH_TEXT: "Die Datei enthält mehr als {max_total_chars} Zeichen Text.",
    Failure.TIMEOUT: (
        "Das Auslesen hat länger als {timeout:g} Sekunden gedauert und wurde abgebrochen."
    ),
    Failure.MEMORY: "Das Auslesen brauchte zu viel Speicher und wurde abgebrochen.",
    Failure.UNSUPPORTED: "Dateityp wird nicht unterstützt.",
    Failure.UNREADABLE: "Die Datei konnte nicht geöffnet werden.",
    Failure.CRASHED: "Das Auslesen ist unerwartet abgebrochen.",
}


def reason_for(kind: Failure, limits: Limits) -> str:
    """The German sentence for ``kind``, with the limit that was hit filled in."""
    return _REASONS[kind].format(
        max_mb=limits.max_bytes // (1024 * 1024),
        memory_mb=limits.memory_mb,
        max_pages=limits.max_pages,
        max_total_chars=limits.max_total_chars,
        timeout=limits.timeout_seconds,
    )


class ExtractionError(Exception):
    """A file that cannot be read; ``reason`` is for people, ``detail`` for the log."""

    def __init__(self, kind: Failure, limits: Limits | None = None, detail: str = "") -> None:
        self.kind = Failure(kind)
        self.reason = reason_for(self.kind, limits or Limits())
        self.detail = detail
        super().__init__(self.reason)


class Extractor(Protocol):
    def __call__(self, path: Path, limits: Limits) -> Extraction: ...


class Deadline:
    """Lets a loop over pages give up cleanly before the parent has to kill the process."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._end = time.monotonic() + limits.timeout_seconds

    def check(self) -> None:
        if time.monotonic() > self._end:
            raise ExtractionError(Failure.TIMEOUT, self._limits)
