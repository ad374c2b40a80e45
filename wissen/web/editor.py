"""Writing articles in the browser: new, edit, preview, conflicts (routes of ``articles``)."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from wissen.models import Article, ArticleKind, Contact, Region, Tag, Theme
from wissen.services import articles, editing, skeletons
from wissen.services.permissions import Action
from wissen.text import render, render_with_toc
from wissen.text.diff import word_diff

from .articles import bp, resolve_link
from .helpers import session, viewer


def article_input(form: MultiDict[str, str]) -> editing.ArticleInput:
    return editing.ArticleInput(
        title=form.get("title", ""),
        kind=form.get("kind", ""),
        region=form.get("region", ""),
        themes=form.getlist("themes"),
        tags=[t.strip() for t in form.get("tags", "").split(",") if t.strip()],
        contacts=form.getlist("contacts"),
        summary=form.get("summary", ""),
        date=form.get("date", ""),
        place=form.get("place", ""),
        body=form.get("body", ""),
        message=form.get("message", ""),
    )


def input_of(article: Article) -> editing.ArticleInput:
    return editing.ArticleInput(
        title=article.title,
        kind=article.kind.value,
        region=article.region.slug if article.region else "",
        themes=[t.slug for t in article.themes],
        tags=[t.name for t in article.tags],
        contacts=[c.slug for c in article.contacts],
        summary=article.summary,
        date=article.date.isoformat() if article.date else "",
        place=article.place,
        body=article.body,
    )


def _choices() -> dict[str, Any]:
    """Everything the form offers to pick from."""
    s = session()
    regions = [
        r for r in s.scalars(select(Region).order_by(Region.name)) if viewer().can(Action.CREATE, r)
    ]
    return {
        "kinds": list(ArticleKind),
        "regions": regions,
        "may_leave_region_empty": viewer().can(Action.CREATE),
        "themes": list(s.scalars(select(Theme).order_by(Theme.position, Theme.name))),
        "contacts": list(s.scalars(select(Contact).order_by(Contact.name))),
        "tag_names": list(s.scalars(select(Tag.name).order_by(Tag.name))),
    }


def _form(template: str, data: editing.ArticleInput, **context: Any) -> str:
    preview = render(data.body, resolve_link) if context.pop("preview", False) else None
    return render_template(
        template,
        data=data,
        preview=preview,
        errors=context.pop("errors", {}),
        **_choices(),
        **context,
    )


@bp.get("/artikel/neu")
@login_required
def new() -> str | Response:
    if not viewer().can(Action.CREATE):
        abort(403)
    kind = request.args.get("art", "")
    slug = request.args.get("slug", "")
    if kind not in {k.value for k in ArticleKind}:
        return render_template(
            "articles/choose_kind.html",
            kinds=list(ArticleKind),
            descriptions=skeletons.DESCRIPTIONS,
            slug=slug,
        )
    title = slug.replace("-", " ").capitalize() if slug else ""
    data = editing.ArticleInput(kind=kind, title=title, body=skeletons.skeleton(ArticleKind(kind)))
    region = viewer().user.regions[0].slug if viewer().user and viewer().user.regions else ""
    data.region = region
    return _form("articles/edit.html", data, article=None, slug=slug, base_revision=0)


@bp.post("/artikel/neu")
@login_required
def create() -> str | Response:
    data = article_input(request.form)
    slug = request.form.get("slug", "")
    if request.form.get("aktion") == "vorschau":
        return _form(
            "articles/edit.html", data, article=None, slug=slug, base_revision=0, preview=True
        )
    try:
        article = editing.create_article(
            session(),
            data,
            current_user,
            slug=slug,
            publish=request.form.get("aktion") == "veroeffentlichen",
        )
    except editing.FormInvalid as error:
        return _invalid("articles/edit.html", data, error, article=None, slug=slug, base_revision=0)
    flash(f"„{article.title}“ wurde angelegt ({article.status.label}).", "erfolg")
    return redirect(url_for("articles.view", slug=article.slug))


def _invalid(
    template: str, data: editing.ArticleInput, error: editing.FormInvalid, **context: Any
) -> tuple[str, int]:
    flash(error.message, "fehler")
    return _form(template, data, errors=error.errors, **context), 422


def _editable(slug: str) -> Article:
    article = articles.get_article(session(), slug, viewer())
    if not viewer().can(Action.EDIT, article):
        abort(403)
    return article


@bp.get("/artikel/<slug>/bearbeiten")
@login_required
def edit(slug: str) -> str:
    article = _editable(slug)
    number = article.current_revision.number if article.current_revision else 0
    return _form("articles/edit.html", input_of(article), article=article, base_revision=number)


@bp.post("/artikel/<slug>/bearbeiten")
@login_required
def save(slug: str) -> str | Response | tuple[str, int]:
    article = _editable(slug)
    data = article_input(request.form)
    base = request.form.get("base_revision", type=int) or 0
    version = request.form.get("base_version", type=int)
    if request.form.get("aktion") == "vorschau":
        return _form("articles/edit.html", data, article=article, base_revision=base, preview=True)
    try:
        result = editing.save_article(
            session(), article, data, base, current_user, base_version=version
        )
    except editing.FormInvalid as error:
        return _invalid("articles/edit.html", data, error, article=article, base_revision=base)
    except editing.EditConflict as conflict:
        return _conflict(conflict)
    flash(
        "Gespeichert." if result.changed else "Keine Änderungen – nichts gespeichert.",
        "erfolg" if result.changed else "info",
    )
    return redirect(url_for("articles.view", slug=article.slug))


def _conflict(conflict: editing.EditConflict) -> tuple[str, int]:
    current = conflict.current
    assert current is not None
    pieces = word_diff(current.body, editing.normalise_body(conflict.theirs.body))
    html = _form(
        "articles/conflict.html",
        conflict.theirs,
        article=conflict.article,
        base_revision=current.number,
        current=current,
        pieces=pieces,
    )
    return html, 409


@bp.post("/-/vorschau")
@login_required
def preview() -> str:
    """The rendered body for the live preview beside the editor (HTML fragment)."""
    body = request.form.get("body", "")[: editing.MAX_BODY]
    html, toc = render_with_toc(body, resolve_link)
    return render_template("articles/_preview.html", html=html, toc=toc)
