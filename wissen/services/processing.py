"""The background steps for one document: read its pages, store them, mark it done.

Each step is small and named (Paperless-ngx's order, not its 383-line function):
claim → extract in a child process → store pages → preview → finish. A failure at any
step ends as status "fehlgeschlagen" with a German reason; nothing raises past here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen import preview
from wissen.extract import Extraction, ExtractionError, Limits, extract_isolated
from wissen.models import Document, DocumentPage, DocumentStatus
from wissen.services import audit, indexing
from wissen.storage import BlobStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Context:
    """Where files are and how much a single extraction may take."""

    store: BlobStore
    preview_dir: Path
    limits: Limits

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Context:
        uploads = Path(settings["UPLOAD_DIR"])
        limits = Limits(
            timeout_seconds=float(settings["EXTRACT_TIMEOUT"]),
            memory_mb=int(settings["EXTRACT_MEMORY_MB"]),
            max_pages=int(settings["EXTRACT_MAX_PAGES"]),
        )
        return cls(BlobStore(uploads), uploads / "vorschau", limits)


def unfinished_documents(session: Session) -> list[int]:
    """Documents waiting or (after a crash) stuck in processing; they go back to waiting."""
    query = select(Document).where(
        Document.status.in_([DocumentStatus.PENDING, DocumentStatus.PROCESSING]),
        Document.deleted_at.is_(None),
    )
    documents = list(session.scalars(query))
    for document in documents:
        document.status = DocumentStatus.PENDING
    session.commit()
    return [d.id for d in documents]


def process_document(session: Session, context: Context, document_id: int) -> None:
    document = _claim(session, document_id)
    if document is None:
        return
    path = context.store.path_for(document.sha256)
    sha256 = document.sha256
    try:
        extraction = extract_isolated(path, document.media_type, context.limits)
    except ExtractionError as error:
        _fail(session, document, error.reason)
        return
    except Exception:  # the worker must survive anything a file can do
        log.exception("Auslesen von Dokument %s fehlgeschlagen", document_id)
        _fail(session, document, "Beim Auslesen ist ein unerwarteter Fehler aufgetreten.")
        return
    session.refresh(document)
    if document.sha256 != sha256:
        return  # replaced meanwhile: the job for the new file does the work
    _store_pages(session, document, extraction)
    _make_preview(context, document, path)
    _finish(session, document)


def _claim(session: Session, document_id: int) -> Document | None:
    document = session.get(Document, document_id)
    if document is None or document.deleted_at is not None:
        return None
    if document.status is DocumentStatus.READY:
        return None  # a repeated job for work already done
    document.status = DocumentStatus.PROCESSING
    document.error = ""
    session.commit()
    return document


def _store_pages(session: Session, document: Document, extraction: Extraction) -> None:
    document.pages = [DocumentPage(number=p.number, text=p.text) for p in extraction.pages]
    document.page_count = len(extraction.pages)
    document.page_unit = extraction.unit
    title = extraction.title or _first_line(extraction)
    if document.title_from_file and title:
        document.title = title[:300]
        document.title_from_file = False


def _first_line(extraction: Extraction) -> str | None:
    """A title-like first line of the first page, for files without a title property."""
    for page in extraction.pages[:1]:
        for line in page.text.splitlines():
            line = " ".join(line.split())
            if line:
                return line if 4 <= len(line) <= 150 else None
    return None


def _make_preview(context: Context, document: Document, path: Path) -> None:
    if document.media_type != "application/pdf":
        return
    target = context.preview_dir / f"{document.sha256}.png"
    if not target.exists():
        preview.render_first_page(path, target, context.limits.memory_mb)


def _finish(session: Session, document: Document) -> None:
    document.status = DocumentStatus.READY
    document.error = ""
    audit.record(
        session,
        "document.ready",
        actor="verarbeitung",
        object_type="document",
        object_key=document.slug,
        pages=document.page_count,
    )
    indexing.record_change(session, document)
    session.commit()


def _fail(session: Session, document: Document, reason: str) -> None:
    session.rollback()
    document = session.get(Document, document.id) or document
    document.status = DocumentStatus.FAILED
    document.error = reason
    document.pages = []
    document.page_count = None
    audit.record(
        session,
        "document.failed",
        actor="verarbeitung",
        object_type="document",
        object_key=document.slug,
        reason=reason,
    )
    indexing.record_change(session, document)
    session.commit()
