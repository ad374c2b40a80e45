"""Seminars: articles of kind ``veranstaltung`` with their talks, slide decks and speakers.

A seminar's talks are the articles its text links to (``[[slug]]``, as the starter
seminar does under "Vorträge"); its slide decks are the documents attached to the seminar
or to one of its talks; its speakers are the contacts named in talks and decks.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.models import Article, ArticleKind, Contact, Document, Region
from wissen.text import find_wikilinks

from .articles import listed_articles
from .permissions import Action, Viewer


@dataclass
class Seminar:
    article: Article
    talks: list[Article]
    decks: list[Document]
    speakers: list[Contact]


def seminar_of(session: Session, article: Article, viewer: Viewer) -> Seminar:
    slugs = find_wikilinks(article.body)
    linked = session.scalars(select(Article).where(Article.slug.in_(slugs))) if slugs else []
    by_slug = {a.slug: a for a in linked if a.deleted_at is None and viewer.can(Action.VIEW, a)}
    talks = [by_slug[s] for s in slugs if s in by_slug and s != article.slug]
    ids = [article.id, *(t.id for t in talks)]
    decks = [
        d
        for d in session.scalars(
            select(Document)
            .where(Document.articles.any(Article.id.in_(ids)), Document.deleted_at.is_(None))
            .order_by(Document.title)
        )
        if viewer.can(Action.VIEW, d)
    ]
    named = [c for item in (*talks, *decks) for c in item.contacts]
    speakers = list(
        {c.id: c for c in named if not c.removed and viewer.can(Action.VIEW, c)}.values()
    )
    return Seminar(article, talks, decks, sorted(speakers, key=lambda c: c.name))


def seminars(
    session: Session, viewer: Viewer, *, region: Region | None = None, limit: int | None = None
) -> list[Seminar]:
    """Published seminars, newest first (by their date, then when they were written)."""
    query = listed_articles().where(Article.kind == ArticleKind.EVENT)
    if region is not None:
        query = query.where(Article.region_id == region.id)
    query = query.order_by(
        Article.date.desc().nulls_last(), Article.created_at.desc(), Article.id.desc()
    )
    if limit:
        query = query.limit(limit)
    return [seminar_of(session, a, viewer) for a in session.scalars(query)]
