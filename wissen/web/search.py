"""The search page; the German full-text search replaces this simple title/text match."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from wissen.services import simple_search

from .helpers import session

bp = Blueprint("search", __name__)


@bp.get("/suche")
def results() -> str:
    query = request.args.get("q", "").strip()[:200]
    hits = simple_search.run(session(), query) if query else []
    return render_template("search/results.html", query=query, hits=hits)
