"""An article's life: status, review date, rename, recycle bin and purge."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from wissen.errors import Conflict, Forbidden, Invalid
from wissen.models import Article, ArticleStatus, SlugRedirect, utcnow
from wissen.services import audit, indexing
from wissen.services.articles import linking_articles
from wissen.services.editing import RESERVED_SLUGS, append_link_rewrite
from wissen.services.permissions import Action, can
from wissen.text import is_valid_slug, rewrite_wikilinks

REVIEW_AFTER = dt.timedelta(days=365)


def _require(user: Any, action: Action, article: Article, message: str) -> None:
    if not can(user, action, article):
        raise Forbidden(message)


def set_status(session: Session, article: Article, status: ArticleStatus, user: Any) -> None:
    _require(user, Action.EDIT, article, "Sie dürfen den Status dieses Artikels nicht ändern.")
    if article.status is status:
        return
    before = article.status
    article.status = status
    audit.record(
        session,
        "article.status",
        user,
        object_type="article",
        object_key=article.slug,
        before=before.value,
        after=status.value,
    )
    indexing.record_change(session, article)
    session.commit()


def confirm_current(session: Session, article: Article, user: Any) -> None:
    """ "Inhalt als aktuell bestätigen": the content was checked and is still right."""
    _require(user, Action.EDIT, article, "Sie dürfen diesen Artikel nicht bestätigen.")
    article.reviewed_at = utcnow()
    audit.record(session, "article.review", user, object_type="article", object_key=article.slug)
    session.commit()


def needing_review(session: Session, user: Any, now: dt.datetime | None = None) -> list[Article]:
    """Listed articles this user may edit whose content nobody confirmed for a year."""
    limit = (now or utcnow()) - REVIEW_AFTER
    query = select(Article).where(
        Article.deleted_at.is_(None),
        Article.status == ArticleStatus.PUBLISHED,
        or_(
            Article.reviewed_at < limit,
            Article.reviewed_at.is_(None) & (Article.created_at < limit),
        ),
    )
    articles = session.scalars(query.order_by(Article.reviewed_at, Article.created_at))
    return [a for a in articles if can(user, Action.EDIT, a)]


def move_to_trash(session: Session, article: Article, user: Any) -> None:
    _require(user, Action.DELETE, article, "Sie dürfen diesen Artikel nicht löschen.")
    if article.deleted_at is not None:
        return
    article.deleted_at = utcnow()
    audit.record(session, "article.delete", user, object_type="article", object_key=article.slug)
    indexing.record_change(session, article)
    session.commit()


def restore_from_trash(session: Session, article: Article, user: Any) -> None:
    _require(user, Action.EDIT, article, "Sie dürfen diesen Artikel nicht wiederherstellen.")
    if article.deleted_at is None:
        return
    article.deleted_at = None
    audit.record(session, "article.undelete", user, object_type="article", object_key=article.slug)
    indexing.record_change(session, article)
    session.commit()


def purge(session: Session, article: Article, user: Any) -> None:
    """Delete an article from the recycle bin for good, with all its revisions."""
    _require(user, Action.PURGE, article, "Endgültig löschen darf nur die Administration.")
    if article.deleted_at is None:
        raise Invalid("Nur Artikel im Papierkorb können endgültig gelöscht werden.")
    slug, title = article.slug, article.title
    indexing.record_change(session, article)
    article.current_revision = None
    session.flush()
    session.delete(article)
    audit.record(
        session, "article.purge", user, object_type="article", object_key=slug, title=title
    )
    session.commit()


def trashed(session: Session, user: Any) -> list[Article]:
    query = select(Article).where(Article.deleted_at.is_not(None))
    articles = session.scalars(query.order_by(Article.deleted_at.desc()))
    return [a for a in articles if can(user, Action.EDIT, a)]


def rename(session: Session, article: Article, new_slug: str, user: Any) -> int:
    """Give the article a new slug; the old one redirects, links to it are rewritten.

    Returns how many other articles got a new revision with rewritten links.
    """
    _require(user, Action.EDIT, article, "Sie dürfen diesen Artikel nicht umbenennen.")
    new_slug = new_slug.strip()
    if not is_valid_slug(new_slug):
        raise Invalid("Der Kurzname darf nur a–z, 0–9 und Bindestriche enthalten.", field="slug")
    if new_slug == article.slug:
        return 0
    taken = session.scalar(select(Article.id).where(Article.slug == new_slug))
    if taken or new_slug in RESERVED_SLUGS:
        raise Conflict(f"Der Kurzname „{new_slug}“ ist schon vergeben.", field="slug")
    old_slug = article.slug
    session.execute(delete(SlugRedirect).where(SlugRedirect.old_slug == new_slug))
    session.add(SlugRedirect(old_slug=old_slug, article=article))
    article.slug = new_slug
    audit.record(
        session, "article.rename", user, object_type="article", object_key=new_slug, before=old_slug
    )
    indexing.record_change(session, article)
    session.commit()
    return _rewrite_links(session, old_slug, new_slug, user)


def _rewrite_links(session: Session, old_slug: str, new_slug: str, user: Any) -> int:
    rewritten = 0
    for other in linking_articles(session, old_slug, everything=True):
        current = other.current_revision
        if current is None:
            continue
        body = rewrite_wikilinks(current.body, old_slug, new_slug)
        message = f"Verweis „{old_slug}“ → „{new_slug}“ nach Umbenennung"
        append_link_rewrite(session, other, body, message, user)
        rewritten += 1
    session.commit()
    return rewritten


def redirect_target(session: Session, slug: str) -> str | None:
    """The current slug of the article that used to be called ``slug``."""
    redirect = session.scalar(select(SlugRedirect).where(SlugRedirect.old_slug == slug))
    return redirect.article.slug if redirect else None
