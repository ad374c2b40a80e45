"""History of an article, differences, restore, and recent changes with their feed."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from wissen.services import articles, editing, history
from wissen.services.permissions import Action, Viewer
from wissen.text import render

from .articles import bp, resolve_link
from .discovery import xml_response
from .helpers import session, viewer

MAX_PAGE = 1_000_000  # 50 million changes; a larger page number would overflow the query


@bp.get("/artikel/<slug>/versionen")
def revisions(slug: str) -> str:
    article = articles.get_article(session(), slug, viewer())
    return render_template(
        "articles/history.html", article=article, revisions=history.revisions_of(session(), article)
    )


@bp.get("/artikel/<slug>/versionen/<int:number>")
def revision(slug: str, number: int) -> str:
    article = articles.get_article(session(), slug, viewer())
    old = history.get_revision(session(), article, number)
    return render_template(
        "articles/revision.html",
        article=article,
        revision=old,
        body_html=render(old.body, resolve_link),
    )


@bp.get("/artikel/<slug>/vergleich")
def compare(slug: str) -> str:
    article = articles.get_article(session(), slug, viewer())
    latest = article.current_revision.number if article.current_revision else 1
    new = _version_arg("zu", latest)
    old = _version_arg("von", max(1, new - 1))
    if old > new:
        old, new = new, old
    comparison = history.compare(session(), article, old, new)
    return render_template("articles/compare.html", article=article, comparison=comparison)


def _version_arg(name: str, default: int) -> int:
    number = request.args.get(name, default, type=int)
    # Beyond SQLite's integers the query would fail; 0 is a version that does not exist.
    return number if abs(number) < 2**63 else 0


@bp.post("/artikel/<slug>/versionen/<int:number>/wiederherstellen")
@login_required
def restore(slug: str, number: int) -> Response:
    article = articles.get_article(session(), slug, viewer())
    if not viewer().can(Action.EDIT, article):
        abort(403)
    revision = editing.restore_revision(session(), article, number, current_user)
    flash(f"Version {number} wurde als Version {revision.number} wiederhergestellt.", "erfolg")
    return redirect(url_for("articles.view", slug=article.slug))


@bp.get("/-/letzte-aenderungen")
def recent() -> str:
    page = min(max(1, request.args.get("page", 1, type=int)), MAX_PAGE)
    changes, pages = history.recent_changes(session(), viewer(), page=page)
    return render_template("articles/recent.html", changes=changes, page=page, pages=pages)


@bp.get("/feeds/aenderungen.atom")
def recent_feed() -> Response:
    # Feed readers are never signed in: the feed shows what the public may see.
    public = Viewer(None, public_read=True)
    changes, _pages = history.recent_changes(session(), public, per_page=50)
    xml = render_template("feeds/changes.xml", changes=changes)
    return xml_response(xml, "application/atom+xml")
