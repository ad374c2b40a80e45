"""What the index holds for each article, document and contact (as plain ``Entry`` records).

Deleted things have no entries; drafts and internal contacts are indexed with their
audience so that search can filter them for each viewer inside the query.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from wissen.models import Article, ArticleStatus, Contact, ContactVisibility, Document
from wissen.search.entries import Entry
from wissen.text import plain_text

_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
# A contact is found by what it is, too: "Ansprechpartnerin Pflegestützpunkt …".
CONTACT_WORDS = "Kontakt Ansprechpartner Ansprechperson"


def parent_key(object_type: str, object_id: int) -> str:
    return f"{object_type}:{object_id}"


def _day(value: date | datetime | None) -> int:
    if value is None:
        return 0
    return value.year * 10000 + value.month * 100 + value.day


def _stamp(*parts: object) -> str:
    return "|".join(str(p) for p in parts)


def _names(items: list) -> list[str]:
    return [item.name for item in items]


def article_entries(article: Article) -> list[Entry]:
    if article.deleted_at is not None or article.current_revision is None:
        return []
    body = article.current_revision.body
    topics = [
        *_names(article.tags),
        *_names(article.themes),
        article.region.name if article.region else "",
        article.kind.label,
        *_names(article.contacts),
    ]
    return [
        Entry(
            parent=parent_key("article", article.id),
            type="article",
            kind=article.kind.value,
            title=article.title,
            stamp=_stamp(article.updated_at.isoformat(), article.current_revision_id),
            summary=article.summary,
            topics=" · ".join(t for t in topics if t),
            headings=" · ".join(_HEADING.findall(body)),
            body=plain_text(body),
            themes=tuple(t.slug for t in article.themes),
            region=article.region.slug if article.region else "",
            audience="draft" if article.status is ArticleStatus.DRAFT else "public",
            date=_day(article.date or article.created_at),
        )
    ]


def document_entries(document: Document) -> list[Entry]:
    if document.deleted_at is not None:
        return []
    topics = [
        *_names(document.tags),
        *_names(document.themes),
        document.region.name if document.region else "",
        document.kind.label,
    ]
    common = {
        "parent": parent_key("document", document.id),
        "type": "document",
        "kind": document.kind.value,
        "title": document.title,
        "stamp": _stamp(document.updated_at.isoformat(), document.status.value),
        "topics": " · ".join(t for t in topics if t),
        "themes": tuple(t.slug for t in document.themes),
        "region": document.region.slug if document.region else "",
        "date": _day(document.date or document.created_at),
    }
    pages = [p for p in document.pages if p.text.strip()]
    if not pages:
        return [Entry(**common, summary=document.summary)]
    return [
        Entry(
            **common, summary=document.summary if p.number == 1 else "", body=p.text, page=p.number
        )
        for p in pages
    ]


def contact_entries(contact: Contact) -> list[Entry]:
    if contact.removed:
        return []
    region = contact.region.name if contact.region else ""
    return [
        Entry(
            parent=parent_key("contact", contact.id),
            type="contact",
            kind="kontakt",
            title=contact.name,
            stamp=_stamp(contact.updated_at.isoformat(), contact.visibility.value),
            summary=f"{contact.role} · {contact.organisation}",
            topics=" · ".join([region, *_names(contact.themes), CONTACT_WORDS]),
            themes=tuple(t.slug for t in contact.themes),
            region=contact.region.slug if contact.region else "",
            audience="public" if contact.visibility is ContactVisibility.PUBLIC else "intern",
        )
    ]


_LOADERS = {
    "article": (
        Article,
        article_entries,
        (Article.current_revision, Article.tags, Article.themes, Article.region, Article.contacts),
    ),
    "document": (
        Document,
        document_entries,
        (Document.pages, Document.tags, Document.themes, Document.region),
    ),
    "contact": (Contact, contact_entries, (Contact.themes, Contact.region)),
}


def entries_for(session: Session, object_type: str, ids: list[int]) -> dict[str, list[Entry]]:
    """parent → entries for the given objects; an object gone from the database → []."""
    model, make, relations = _LOADERS[object_type]
    found: dict[str, list[Entry]] = {parent_key(object_type, i): [] for i in ids}
    statement = (
        select(model).where(model.id.in_(ids)).options(*(selectinload(r) for r in relations))
    )
    for obj in session.scalars(statement):
        found[parent_key(object_type, obj.id)] = make(obj)
    return found


def all_entries(session: Session, chunk: int = 500) -> Iterator[tuple[str, list[Entry]]]:
    """Every object's entries, read in chunks so memory stays bounded at any size."""
    for object_type, (model, _, _) in _LOADERS.items():
        ids = list(session.scalars(select(model.id).order_by(model.id)))
        for start in range(0, len(ids), chunk):
            batch = entries_for(session, object_type, ids[start : start + chunk])
            yield from batch.items()
            session.expunge_all()


def count_objects(session: Session) -> int:
    from sqlalchemy import func

    return sum(session.scalar(select(func.count(m.id))) or 0 for m, _, _ in _LOADERS.values())
