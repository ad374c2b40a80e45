"""What feeds and the sitemap list: public content only, newest change first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.models import Article, Contact, ContactVisibility, Document, Region, Theme

from .articles import LISTED
from .permissions import Action, Viewer

# Feed readers are never signed in: feeds and the sitemap show what the public may see.
PUBLIC = Viewer(None, public_read=True)


@dataclass(frozen=True)
class FeedItem:
    type: str  # "article" | "document"
    slug: str
    title: str
    summary: str
    kind: str
    created: datetime
    updated: datetime


def changed_content(
    session: Session, *, theme: Theme | None = None, region: Region | None = None, limit: int = 50
) -> list[FeedItem]:
    """Newest and newly changed public articles and documents, optionally on one theme or
    in one region."""
    articles = select(Article).where(Article.deleted_at.is_(None), Article.status.in_(LISTED))
    documents = select(Document).where(Document.deleted_at.is_(None))
    if theme is not None:
        articles = articles.where(Article.themes.any(Theme.id == theme.id))
        documents = documents.where(Document.themes.any(Theme.id == theme.id))
    if region is not None:
        articles = articles.where(Article.region_id == region.id)
        documents = documents.where(Document.region_id == region.id)
    found = [
        *session.scalars(articles.order_by(Article.updated_at.desc()).limit(limit)),
        *session.scalars(documents.order_by(Document.updated_at.desc()).limit(limit)),
    ]
    items = [_item(obj) for obj in found if PUBLIC.can(Action.VIEW, obj)]
    return sorted(items, key=lambda item: item.updated, reverse=True)[:limit]


def _item(obj: Article | Document) -> FeedItem:
    return FeedItem(
        type="article" if isinstance(obj, Article) else "document",
        slug=obj.slug,
        title=obj.title,
        summary=obj.summary or "",
        kind=obj.kind.label,
        created=obj.created_at,
        updated=obj.updated_at,
    )


@dataclass(frozen=True)
class SitemapEntries:
    articles: list[tuple[str, datetime]]
    documents: list[tuple[str, datetime]]
    contacts: list[tuple[str, datetime]]
    themes: list[str]
    regions: list[str]


def sitemap_entries(session: Session) -> SitemapEntries:
    """Slugs (and last change) of every public page."""
    articles = session.execute(
        select(Article.slug, Article.updated_at).where(
            Article.deleted_at.is_(None), Article.status.in_(LISTED)
        )
    ).all()
    documents = [
        (d.slug, d.updated_at)
        for d in session.scalars(select(Document).where(Document.deleted_at.is_(None)))
        if PUBLIC.can(Action.VIEW, d)
    ]
    contacts = session.execute(
        select(Contact.slug, Contact.updated_at).where(
            Contact.visibility == ContactVisibility.PUBLIC
        )
    ).all()
    return SitemapEntries(
        articles=[(s, u) for s, u in articles],
        documents=documents,
        contacts=[(s, u) for s, u in contacts],
        themes=list(session.scalars(select(Theme.slug).order_by(Theme.position))),
        regions=list(session.scalars(select(Region.slug).order_by(Region.name))),
    )
