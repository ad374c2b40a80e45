"""Accepting an uploaded file: hash it, know its type, store it, create the document.

Order of the steps (DESIGN.md "upload"): write to a temp file while hashing, sniff the
type from the bytes, offer the existing document for a file already there, then one
transaction for the row and the atomic move. Extraction is queued by the caller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import Forbidden, Invalid, UnsupportedFile
from wissen.extract import SUPPORTED_MEDIA_TYPES
from wissen.extract.sniff import sniff_media_type
from wissen.models import Document, DocumentKind, DocumentStatus, DocumentVersion
from wissen.services import audit, indexing
from wissen.services.metadata import free_document_slug, lookup_metadata
from wissen.services.permissions import Action, can
from wissen.storage import BlobStore, StagedFile, TooLarge

FORMATS = "PDF, PowerPoint (PPTX), Word (DOCX), OpenDocument (ODT, ODP), Text und Markdown"


@dataclass
class DocumentInput:
    """The metadata typed beside an upload; every field may stay empty but ``kind``."""

    title: str = ""
    kind: str = "praesentation"
    region: str = ""
    themes: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    date: str = ""
    summary: str = ""


@dataclass(frozen=True)
class Accepted:
    document: Document
    duplicate: bool  # True: this very file is already stored as ``document``


def safe_file_name(name: str) -> str:
    """The client's file name as a label only: no folders, no control characters."""
    base = PurePath(name.replace("\\", "/")).name
    base = re.sub(r"[\x00-\x1f\x7f]", "", base).strip().lstrip(".")
    return base[:200] or "datei"


def title_from_file_name(name: str) -> str:
    stem = PurePath(name).stem.replace("_", " ").replace("-", " ")
    return " ".join(stem.split())[:300] or "Dokument"


def ingest(
    session: Session,
    store: BlobStore,
    stream: BinaryIO,
    file_name: str,
    meta: DocumentInput,
    user: Any,
    *,
    max_size: int | None = None,
) -> Accepted:
    """Store an upload as a new document (status waiting), or name the existing one."""
    name = safe_file_name(file_name)
    values = _metadata(session, meta, user)
    staged = _stage(store, stream, name, max_size)
    try:
        media_type = _sniff(staged, name)
        existing = session.scalar(
            select(Document).where(Document.sha256 == staged.sha256, Document.deleted_at.is_(None))
        )
        if existing is not None:
            return Accepted(existing, duplicate=True)
        document = _create(session, values, meta, name, media_type, staged)
        store.commit(staged)
        audit.record(
            session,
            "document.upload",
            user,
            object_type="document",
            object_key=document.slug,
            file=name,
            size=staged.size,
        )
        indexing.record_change(session, document)
        session.commit()
        return Accepted(document, duplicate=False)
    finally:
        store.discard(staged)


def _stage(store: BlobStore, stream: BinaryIO, name: str, max_size: int | None) -> StagedFile:
    try:
        return store.stage(stream, max_size)
    except TooLarge:
        limit = (max_size or 0) // (1024 * 1024)
        raise Invalid(f"„{name}“ ist größer als {limit} MB und wurde nicht angenommen.") from None


def _sniff(staged: StagedFile, name: str) -> str:
    if staged.size == 0:
        raise Invalid(f"„{name}“ ist leer (0 Byte).")
    media_type = sniff_media_type(staged.path, name)
    if media_type not in SUPPORTED_MEDIA_TYPES:
        raise UnsupportedFile(
            f"„{name}“ hat ein Format, das wissen nicht lesen kann. Möglich sind: {FORMATS}."
        )
    return media_type


def _metadata(session: Session, meta: DocumentInput, user: Any) -> dict[str, Any]:
    if meta.kind not in {k.value for k in DocumentKind}:
        raise Invalid("Bitte eine Dokumentart auswählen.", field="kind")
    values, errors = lookup_metadata(session, meta)
    if errors:
        raise Invalid(" ".join(errors), field="metadata")
    target = values["region"]
    if not can(user, Action.CREATE, target if target is not None else None):
        raise Forbidden("Sie dürfen für diese Region keine Dokumente hochladen.")
    return values


def _create(
    session: Session,
    values: dict[str, Any],
    meta: DocumentInput,
    name: str,
    media_type: str,
    staged: StagedFile,
) -> Document:
    title = " ".join(meta.title.split())
    document = Document(
        slug=free_document_slug(session, title or title_from_file_name(name)),
        title=title or title_from_file_name(name),
        title_from_file=not title,
        kind=DocumentKind(meta.kind),
        original_filename=name,
        media_type=media_type,
        size=staged.size,
        sha256=staged.sha256,
        status=DocumentStatus.PENDING,
        **values,
    )
    session.add(document)
    session.flush()
    return document


def replace_file(
    session: Session,
    store: BlobStore,
    document: Document,
    stream: BinaryIO,
    file_name: str,
    user: Any,
    *,
    max_size: int | None = None,
) -> Document:
    """A new file for ``document``; the old one stays as a version and can be downloaded."""
    if not can(user, Action.EDIT, document):
        raise Forbidden("Sie dürfen dieses Dokument nicht ersetzen.")
    name = safe_file_name(file_name)
    staged = _stage(store, stream, name, max_size)
    try:
        media_type = _sniff(staged, name)
        if staged.sha256 == document.sha256:
            raise Invalid("Das ist dieselbe Datei wie die aktuelle; nichts geändert.")
        _keep_old_version(document)
        document.original_filename, document.media_type = name, media_type
        document.size, document.sha256 = staged.size, staged.sha256
        document.status, document.error = DocumentStatus.PENDING, ""
        document.pages, document.page_count = [], None
        document.edit_version += 1
        store.commit(staged)
        audit.record(
            session,
            "document.replace",
            user,
            object_type="document",
            object_key=document.slug,
            file=name,
        )
        indexing.record_change(session, document)
        session.commit()
        return document
    finally:
        store.discard(staged)


def _keep_old_version(document: Document) -> None:
    number = 1 + max((v.number for v in document.versions), default=0)
    document.versions.append(
        DocumentVersion(
            number=number,
            original_filename=document.original_filename,
            media_type=document.media_type,
            size=document.size,
            sha256=document.sha256,
            page_count=document.page_count,
        )
    )
