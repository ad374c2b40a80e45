"""A plain substring search over listed articles, until the German full-text index exists."""

from __future__ import annotations

from sqlalchemy import or_
from sqlalchemy.orm import Session

from wissen.models import Article, Revision
from wissen.services.articles import listed_articles


def run(session: Session, query: str, limit: int = 50) -> list[Article]:
    words = [w for w in query.split() if len(w) > 1][:8]
    if not words:
        return []
    statement = listed_articles().join(Revision, Article.current_revision_id == Revision.id)
    for word in words:
        pattern = f"%{_escape(word)}%"
        statement = statement.where(
            or_(
                Article.title.ilike(pattern, escape="\\"),
                Article.summary.ilike(pattern, escape="\\"),
                Revision.body.ilike(pattern, escape="\\"),
            )
        )
    return list(session.scalars(statement.order_by(Article.title).limit(limit)))


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
