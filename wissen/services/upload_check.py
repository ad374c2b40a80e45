"""Database ↔ uploads: originals the database needs but the folder lacks, files whose
content no longer matches their checksum name, and files nothing refers to any more.

Nothing here deletes or moves a file: a missing original can only come back from a
backup, a damaged one neither, and an unreferenced file may be the only copy left after a
database accident. The report says what to do.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.models import Document, DocumentVersion
from wissen.storage import sha256_of_file

PREVIEWS = "vorschau"
STAGING = ".tmp"
STALE_STAGING_SECONDS = 24 * 3600  # an upload in progress never takes a day


@dataclass
class UploadReport:
    referenced: int = 0
    files: int = 0
    missing: list[str] = field(default_factory=list)  # "document:12 (sha…)"
    damaged: list[str] = field(default_factory=list)  # content differs from its name
    orphaned: list[str] = field(default_factory=list)  # relative paths
    stale_staging: list[str] = field(default_factory=list)  # left over in .tmp

    @property
    def healthy(self) -> bool:
        return not (self.missing or self.damaged)


def check_uploads(
    session: Session, upload_dir: Path, progress: Callable[[int, int], None] | None = None
) -> UploadReport:
    """Compare the documents' originals with the upload folder and verify every checksum."""
    upload_dir = Path(upload_dir)
    needed = _needed(session)
    session.rollback()
    report = UploadReport(referenced=len(needed))
    present = {
        p.name: p
        for p in upload_dir.glob("??/*")
        if p.is_file() and p.parent.name != STAGING and len(p.name) == 64
    }
    report.files = len(present)
    # Only originals in use are read: an unused file's content matters to nobody.
    in_use = sorted((sha, path) for sha, path in present.items() if sha in needed)
    for number, (sha256, path) in enumerate(in_use, start=1):
        if sha256_of_file(path) != sha256:
            report.damaged.append(str(path.relative_to(upload_dir)))
        if progress is not None:
            progress(number, len(in_use))
    for sha256, owners in sorted(needed.items()):
        if sha256 not in present:
            report.missing.extend(f"{owner} ({sha256[:12]}…)" for owner in owners)
    unused = [path for sha256, path in present.items() if sha256 not in needed]
    report.orphaned = sorted(str(path.relative_to(upload_dir)) for path in unused)
    report.orphaned += sorted(
        str(p.relative_to(upload_dir))
        for p in (upload_dir / PREVIEWS).glob("*.png")
        if p.stem not in needed
    )
    cutoff = time.time() - STALE_STAGING_SECONDS
    report.stale_staging = sorted(
        p.name for p in (upload_dir / STAGING).glob("*") if p.stat().st_mtime < cutoff
    )
    return report


def _needed(session: Session) -> dict[str, list[str]]:
    """sha256 → the objects that need that original."""
    needed: dict[str, list[str]] = {}
    for ident, sha256 in session.execute(select(Document.id, Document.sha256)):
        needed.setdefault(sha256, []).append(f"document:{ident}")
    versions = select(DocumentVersion.document_id, DocumentVersion.sha256)
    for ident, sha256 in session.execute(versions):
        owners = needed.setdefault(sha256, [])
        if f"document:{ident}" not in owners:
            owners.append(f"document:{ident} (ältere Fassung)")
    return needed


def remove_stale_staging(upload_dir: Path, names: list[str]) -> int:
    """Delete half-finished uploads older than a day from the staging folder."""
    removed = 0
    for name in names:
        path = Path(upload_dir) / STAGING / name
        if path.is_file():
            path.unlink()
            removed += 1
    return removed
