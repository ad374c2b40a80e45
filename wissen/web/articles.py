"""Reading an article; writing, history and lifecycle routes join this blueprint."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from werkzeug.wrappers import Response

from wissen.errors import NotFound
from wissen.models import ArticleKind
from wissen.services import articles, contacts, lifecycle, seminars
from wissen.text import LinkTarget, render_with_toc

from .helpers import session, similar_items, viewer

bp = Blueprint("articles", __name__)


def resolve_link(slug: str) -> LinkTarget | None:
    target = articles.find_visible(session(), slug, viewer())
    if target is None:
        return None
    return LinkTarget(url=url_for("articles.view", slug=slug), title=target.title)


@bp.get("/artikel/<slug>")
def view(slug: str) -> str | Response:
    try:
        article = articles.get_article(session(), slug, viewer())
    except NotFound:
        renamed = lifecycle.redirect_target(session(), slug)
        if renamed is None:
            raise
        return redirect(url_for("articles.view", slug=renamed), 301)
    body_html, toc = render_with_toc(article.body, resolve_link)
    return render_template(
        "articles/view.html",
        article=article,
        body_html=body_html,
        toc=toc,
        contacts=contacts.cards(article.contacts, viewer()),
        backlinks=articles.linking_articles(session(), article.slug),
        similar=similar_items(article, f"{article.title} {article.summary} {article.body}"),
        seminar=seminars.seminar_of(session(), article, viewer())
        if article.kind is ArticleKind.EVENT
        else None,
    )
