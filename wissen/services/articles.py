"""Reading articles as a given viewer may see them."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from wissen.errors import NotFound
from wissen.models import Article, ArticleKind, ArticleStatus, Revision
from wissen.services.permissions import Action, Viewer
from wissen.text import find_wikilinks

LISTED = (ArticleStatus.PUBLISHED, ArticleStatus.ARCHIVED)


def listed_articles() -> Select[tuple[Article]]:
    """Articles everyone who may read at all may see: published or archived, not deleted."""
    return select(Article).where(Article.deleted_at.is_(None), Article.status.in_(LISTED))


def get_article(session: Session, slug: str, viewer: Viewer) -> Article:
    article = session.scalar(select(Article).where(Article.slug == slug))
    # Nobody who may not see a draft or a deleted article learns that it exists (a 403
    # would tell a reader or another region's editor, also through the API).
    if article is None or not viewer.can(Action.VIEW, article):
        raise NotFound(f"Es gibt keinen Artikel „{slug}“.")
    return article


def find_visible(session: Session, slug: str, viewer: Viewer) -> Article | None:
    """The article ``slug`` if the viewer may see it, else None (for resolving links)."""
    article = session.scalar(select(Article).where(Article.slug == slug))
    if article is None or not viewer.can(Action.VIEW, article):
        return None
    return article


def newest_reports(session: Session, limit: int = 6) -> list[Article]:
    """Newest practice examples and experience reports (seminars have their own list)."""
    query = (
        listed_articles()
        .where(Article.kind.in_((ArticleKind.PRACTICE, ArticleKind.REPORT)))
        .order_by(Article.created_at.desc(), Article.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def linking_articles(session: Session, slug: str, *, everything: bool = False) -> list[Article]:
    """Articles whose current text links to ``slug``; listed ones unless ``everything``."""
    pattern = f"%[[{slug}%"
    base = select(Article) if everything else listed_articles()
    query = base.join(Revision, Article.current_revision_id == Revision.id)
    candidates = session.scalars(query.where(Revision.body.like(pattern)).order_by(Article.title))
    return [a for a in candidates if slug in find_wikilinks(a.body)]
