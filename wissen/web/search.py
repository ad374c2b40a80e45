"""The search page ``/suche``, its autocomplete and ``GET /api/v1/search``."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, render_template, request
from werkzeug.wrappers import Response

from wissen.search import IndexUnavailable
from wissen.services import search
from wissen.services.search import SearchPage

from .documents import _preview_file
from .helpers import session, viewer
from .search_json import item_url, page_as_json

bp = Blueprint("search", __name__)
FILTER_PARAMS = ("type", "kind", "theme", "region", "year")
MAX_QUERY = 300


def _int_arg(name: str, default: int, highest: int) -> int:
    try:
        return min(max(int(request.args.get(name, default)), 1), highest)
    except ValueError:
        return default


def run_search(per_page: int) -> tuple[SearchPage, bool]:
    """The page of results for the request's arguments; True if the index was rebuilt."""
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    filters = {p: request.args.getlist(p) for p in FILTER_PARAMS if request.args.getlist(p)}
    arguments: dict[str, Any] = {
        "filters": filters,
        "sort": request.args.get("sort", "relevanz"),
        "page": _int_arg("page", 1, 1000),
        "per_page": per_page,
    }
    index = search.index_at(current_app.config["INDEX_DIR"])
    try:
        return search.run(session(), index, query, viewer(), **arguments), False
    except IndexUnavailable:
        from wissen import jobs

        jobs.rebuild_index()  # at once in tests; otherwise queued for the worker
        try:
            return search.run(session(), index, query, viewer(), **arguments), True
        except IndexUnavailable:
            return SearchPage(query=query, page=1, per_page=per_page), True


@bp.get("/suche")
def results() -> str:
    result, rebuilding = run_search(_int_arg("per_page", 10, search.MAX_PER_PAGE))
    return render_template(
        "search/results.html",
        query=result.query,
        result=result,
        rebuilding=rebuilding and not result.total,
        active={p: request.args.getlist(p) for p in FILTER_PARAMS},
        sort=request.args.get("sort", "relevanz"),
        item_url=item_url,
        toggle_url=toggle_url,
        facet_labels=search.FACET_LABELS,
        base_args=_args_without(),
        has_preview=lambda document: _preview_file(document.sha256) is not None,
    )


@bp.get("/suche/hilfe")
def help() -> str:
    return render_template("search/help.html")


def _args_without(name: str = "", value: str = "") -> dict[str, list[str]]:
    args = {k: request.args.getlist(k) for k in request.args if k != "page"}
    if name:
        args[name] = [v for v in args.get(name, []) if v != value]
    return args


def toggle_url(name: str, value: str) -> str:
    """The same search with one facet value added or, if chosen already, removed."""
    from flask import url_for

    args = _args_without(name, value)
    if value not in request.args.getlist(name):
        args.setdefault(name, []).append(value)
    return url_for("search.results", **args)


@bp.get("/suche/vorschlaege")
def suggestions() -> Response:
    """Autocomplete for the search box: titles lead straight to the item."""
    text = request.args.get("q", "")[:100]
    index = search.index_at(current_app.config["INDEX_DIR"])
    try:
        found = search.complete(index, text, viewer())
    except IndexUnavailable:
        found = []
    if request.args.get("format") == "opensearch":  # what browsers ask for, see opensearch.xml
        return jsonify([text, [c.label for c in found]])
    return jsonify([{"label": c.label, "url": _completion_url(c.parent)} for c in found])


def _completion_url(parent: str | None) -> str | None:
    if parent is None:
        return None
    kind, _, ident = parent.partition(":")
    from wissen.services.search import object_slug

    slug = object_slug(session(), kind, int(ident))
    paths = {"article": "/artikel/", "document": "/dokumente/", "contact": "/kontakte/"}
    return paths[kind] + slug if slug else None


@bp.get("/api/v1/search")
def api_search() -> Response:
    result, _ = run_search(_int_arg("per_page", 10, search.MAX_PER_PAGE))
    return jsonify(page_as_json(result))
