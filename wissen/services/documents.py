"""Reading documents as a viewer may see them (upload and extraction come in their issue)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import NotFound
from wissen.models import Document
from wissen.services.permissions import Action, Viewer


def listed_documents(session: Session) -> list[Document]:
    query = select(Document).where(Document.deleted_at.is_(None))
    return list(session.scalars(query.order_by(Document.date.desc(), Document.title)))


def get_document(session: Session, slug: str, viewer: Viewer) -> Document:
    document = session.scalar(select(Document).where(Document.slug == slug))
    if document is None or not viewer.can(Action.VIEW, document):
        raise NotFound(f"Es gibt kein Dokument „{slug}“.")
    return document
