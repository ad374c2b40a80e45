"""Changing documents after upload: metadata, retry, recycle bin, purge."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import Conflict, Forbidden, Invalid
from wissen.models import Document, DocumentKind, DocumentStatus, DocumentVersion, utcnow
from wissen.services import audit, indexing
from wissen.services.ingest import DocumentInput
from wissen.services.metadata import apply_changes, lookup_metadata, still_unchanged
from wissen.services.permissions import Action, can
from wissen.storage import BlobStore


def _require(user: Any, action: Action, document: Document, message: str) -> None:
    if not can(user, action, document):
        raise Forbidden(message)


def input_of(document: Document) -> DocumentInput:
    return DocumentInput(
        title=document.title,
        kind=document.kind.value,
        region=document.region.slug if document.region else "",
        themes=[t.slug for t in document.themes],
        contacts=[c.slug for c in document.contacts],
        articles=[a.slug for a in document.articles],
        date=document.date.isoformat() if document.date else "",
        summary=document.summary,
    )


def update_metadata(
    session: Session, document: Document, meta: DocumentInput, base_version: int, user: Any
) -> bool:
    """Save edited metadata; Conflict when someone changed the document meanwhile."""
    _require(user, Action.EDIT, document, "Sie dürfen dieses Dokument nicht bearbeiten.")
    if base_version != document.edit_version:
        raise Conflict("Das Dokument wurde inzwischen geändert. Bitte laden Sie die Seite neu.")
    title = " ".join(meta.title.split())
    if not title:
        raise Invalid("Bitte einen Titel eingeben.", field="title")
    if meta.kind not in {k.value for k in DocumentKind}:
        raise Invalid("Bitte eine Dokumentart auswählen.", field="kind")
    values, errors = lookup_metadata(session, meta)
    if errors:
        raise Invalid(" ".join(errors), field="metadata")
    if values["region"] is not document.region and not can(user, Action.CREATE, values["region"]):
        raise Forbidden("Sie dürfen Dokumente nicht in diese Region verschieben.")
    values.update(title=title, kind=DocumentKind(meta.kind))
    if not still_unchanged(session, document, base_version):
        session.rollback()
        raise Conflict("Das Dokument wurde inzwischen geändert. Bitte laden Sie die Seite neu.")
    changed = apply_changes(document, values)
    if changed:
        document.title_from_file = document.title_from_file and "title" not in changed
        document.edit_version += 1
        audit.record(
            session,
            "document.edit",
            user,
            object_type="document",
            object_key=document.slug,
            fields=sorted(changed),
        )
        indexing.record_change(session, document)
    session.commit()
    return bool(changed)


def retry(session: Session, document: Document, user: Any) -> None:
    _require(user, Action.EDIT, document, "Sie dürfen dieses Dokument nicht neu verarbeiten.")
    if document.status is not DocumentStatus.FAILED:
        raise Invalid("Nur fehlgeschlagene Dokumente können neu verarbeitet werden.")
    document.status, document.error = DocumentStatus.PENDING, ""
    audit.record(session, "document.retry", user, object_type="document", object_key=document.slug)
    session.commit()


def move_to_trash(session: Session, document: Document, user: Any) -> None:
    _require(user, Action.DELETE, document, "Sie dürfen dieses Dokument nicht löschen.")
    if document.deleted_at is None:
        document.deleted_at = utcnow()
        audit.record(
            session, "document.delete", user, object_type="document", object_key=document.slug
        )
        indexing.record_change(session, document)
        session.commit()


def restore_from_trash(session: Session, document: Document, user: Any) -> None:
    _require(user, Action.EDIT, document, "Sie dürfen dieses Dokument nicht wiederherstellen.")
    if document.deleted_at is not None:
        document.deleted_at = None
        audit.record(
            session, "document.undelete", user, object_type="document", object_key=document.slug
        )
        indexing.record_change(session, document)
        session.commit()


def purge(session: Session, store: BlobStore, document: Document, user: Any) -> None:
    """Delete a document in the recycle bin for good, and its files nobody else uses."""
    _require(user, Action.PURGE, document, "Endgültig löschen darf nur die Administration.")
    if document.deleted_at is None:
        raise Invalid("Nur Dokumente im Papierkorb können endgültig gelöscht werden.")
    hashes = {document.sha256, *(v.sha256 for v in document.versions)}
    slug = document.slug
    indexing.record_change(session, document)
    session.delete(document)
    audit.record(session, "document.purge", user, object_type="document", object_key=slug)
    session.commit()
    for sha256 in hashes:
        used = session.scalar(select(Document.id).where(Document.sha256 == sha256))
        kept = session.scalar(select(DocumentVersion.id).where(DocumentVersion.sha256 == sha256))
        if not used and not kept:
            store.delete(sha256)


def trashed(session: Session, user: Any) -> list[Document]:
    query = select(Document).where(Document.deleted_at.is_not(None))
    return [
        d
        for d in session.scalars(query.order_by(Document.deleted_at.desc()))
        if can(user, Action.EDIT, d)
    ]
