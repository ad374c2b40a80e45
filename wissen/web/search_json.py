"""The JSON shape of a search page, shared by ``GET /api/v1/search`` and ``wissen search``."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from wissen.services.search import ResultItem, SearchPage

_PATHS = {"article": "/artikel/", "document": "/dokumente/", "contact": "/kontakte/"}


def item_url(item: ResultItem) -> str:
    url = _PATHS[item.type] + item.obj.slug
    if item.hit.pages:
        url += f"#seite-{item.hit.pages[0].number}"
    return url


def plain(html: str) -> str:
    """Snippet text without the <mark> tags (the API gives text, pages give HTML)."""
    return str(Markup(html).striptags()) if html else ""


def item_as_json(item: ResultItem) -> dict[str, Any]:
    title = getattr(item.obj, "title", None) or item.obj.name
    return {
        "type": item.type,
        "slug": item.obj.slug,
        "title": title,
        "url": item_url(item),
        "snippet": plain(item.hit.snippet) or getattr(item.obj, "summary", "") or "",
        "page": item.hit.pages[0].number if item.hit.pages else None,
        "pages": [p.number for p in item.hit.pages],
        "score": item.hit.score,
    }


def page_as_json(result: SearchPage) -> dict[str, Any]:
    return {
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "hits": [item_as_json(item) for item in result.items],
        "facets": {
            name: [{"value": v.value, "label": v.label, "count": v.count} for v in values]
            for name, values in result.facets.items()
        },
        "suggestion": result.suggestion,
    }
