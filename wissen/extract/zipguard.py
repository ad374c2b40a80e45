"""Refuse ZIP-based office files (DOCX, PPTX, ODT, ODP) that would unpack to too much."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .base import ExtractionError, Failure, Limits

# Real office files have a few hundred members; a million tiny ones is an attack on the
# parsers' bookkeeping rather than a document.
MAX_MEMBERS = 20_000


def check_archive(path: Path, limits: Limits) -> None:
    """Raise unless the archive's declared unpacked size fits into the memory limit.

    The declared sizes can be trusted as an upper bound: ``zipfile`` stops reading a member
    at its declared size, so a lying header cannot make the parsers unpack more.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as error:
        raise ExtractionError(Failure.DAMAGED, limits, detail=repr(error)) from error
    if len(members) > MAX_MEMBERS:
        raise ExtractionError(Failure.UNPACKED_TOO_LARGE, limits, detail=f"{len(members)} members")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.memory_mb * 1024 * 1024:
        raise ExtractionError(Failure.UNPACKED_TOO_LARGE, limits, detail=f"{unpacked} bytes")
