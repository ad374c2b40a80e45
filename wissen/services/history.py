"""Reading the past: an article's revisions, differences, and recent changes everywhere."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wissen.errors import NotFound
from wissen.models import Article, Revision
from wissen.services.articles import LISTED
from wissen.services.permissions import Action, Viewer
from wissen.text.diff import DiffStats, Piece, stats, word_diff


def revisions_of(session: Session, article: Article) -> list[Revision]:
    query = select(Revision).where(Revision.article_id == article.id)
    return list(session.scalars(query.order_by(Revision.number.desc())))


def get_revision(session: Session, article: Article, number: int) -> Revision:
    revision = session.scalar(
        select(Revision).where(Revision.article_id == article.id, Revision.number == number)
    )
    if revision is None:
        raise NotFound(f"Version {number} von „{article.title}“ gibt es nicht.")
    return revision


@dataclass(frozen=True)
class Comparison:
    old: Revision
    new: Revision
    title: list[Piece]
    body: list[Piece]
    stats: DiffStats


def compare(session: Session, article: Article, old: int, new: int) -> Comparison:
    """The word-level difference from revision ``old`` to revision ``new``."""
    first, second = get_revision(session, article, old), get_revision(session, article, new)
    body = word_diff(first.body, second.body)
    return Comparison(first, second, word_diff(first.title, second.title), body, stats(body))


@dataclass(frozen=True)
class Change:
    revision: Revision
    article: Article


def recent_changes(
    session: Session, viewer: Viewer, *, page: int = 1, per_page: int = 50
) -> tuple[list[Change], int]:
    """Newest revisions across the wiki the viewer may see, and how many pages there are."""
    query = (
        select(Revision, Article)
        .join(Article, Revision.article_id == Article.id)
        .where(Article.deleted_at.is_(None))
    )
    if not viewer.signed_in or viewer.user is None or viewer.user.role.value == "leser":
        query = query.where(Article.status.in_(LISTED))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Revision.created_at.desc(), Revision.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    changes = [Change(r, a) for r, a in rows if viewer.can(Action.VIEW, a)]
    return changes, max(1, -(-total // per_page))
