"""Reading an article (writing and history arrive with the wiki)."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from wissen.services import articles, contacts
from wissen.text import LinkTarget, render, render_toc

from .helpers import session, viewer

bp = Blueprint("articles", __name__)


def _resolve(slug: str) -> LinkTarget | None:
    target = articles.find_visible(session(), slug, viewer())
    if target is None:
        return None
    return LinkTarget(url=url_for("articles.view", slug=slug), title=target.title)


@bp.get("/artikel/<slug>")
def view(slug: str) -> str:
    article = articles.get_article(session(), slug, viewer())
    return render_template(
        "articles/view.html",
        article=article,
        body_html=render(article.body, _resolve),
        toc=render_toc(article.body),
        contacts=contacts.cards(article.contacts, viewer()),
        backlinks=articles.linking_articles(session(), article.slug),
    )
