"""Themes and regions, with how much content each has."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wissen.errors import NotFound
from wissen.models import Article, Region, Theme
from wissen.models.articles import article_themes
from wissen.services.articles import LISTED


@dataclass(frozen=True)
class Counted:
    """A theme or region with the number of listed articles on it."""

    item: Theme | Region
    articles: int


def themes_with_counts(session: Session) -> list[Counted]:
    counts = dict(
        session.execute(
            select(article_themes.c.theme_id, func.count())
            .join(Article, Article.id == article_themes.c.article_id)
            .where(Article.deleted_at.is_(None), Article.status.in_(LISTED))
            .group_by(article_themes.c.theme_id)
        ).all()
    )
    themes = session.scalars(select(Theme).order_by(Theme.position, Theme.name))
    return [Counted(t, counts.get(t.id, 0)) for t in themes]


def regions_with_counts(session: Session) -> list[Counted]:
    counts = dict(
        session.execute(
            select(Article.region_id, func.count())
            .where(Article.deleted_at.is_(None), Article.status.in_(LISTED))
            .group_by(Article.region_id)
        ).all()
    )
    regions = session.scalars(select(Region).order_by(Region.name))
    return [Counted(r, counts.get(r.id, 0)) for r in regions]


def get_theme(session: Session, slug: str) -> Theme:
    theme = session.scalar(select(Theme).where(Theme.slug == slug))
    if theme is None:
        raise NotFound(f"Es gibt kein Thema „{slug}“.")
    return theme


def get_region(session: Session, slug: str) -> Region:
    region = session.scalar(select(Region).where(Region.slug == slug))
    if region is None:
        raise NotFound(f"Es gibt keine Region „{slug}“.")
    return region
