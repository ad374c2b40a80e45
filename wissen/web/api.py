"""Read-only JSON for single items, with the same visibility rules as the pages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, url_for
from werkzeug.wrappers import Response

from wissen.models import Article, Document
from wissen.services import articles, contacts, documents
from wissen.services.contacts import ContactCard

from .helpers import session, viewer

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _refs(items: list[Any]) -> list[dict[str, str]]:
    return [{"slug": i.slug, "name": i.name} for i in items]


@bp.get("/articles/<slug>")
def article(slug: str) -> Response:
    item: Article = articles.get_article(session(), slug, viewer())
    return jsonify(
        {
            "slug": item.slug,
            "title": item.title,
            "kind": item.kind.value,
            "kind_label": item.kind.label,
            "status": item.status.value,
            "status_label": item.status.label,
            "region": _refs([item.region])[0] if item.region else None,
            "themes": _refs(item.themes),
            "tags": [t.name for t in item.tags],
            "contacts": [c.slug for c in contacts.cards(item.contacts, viewer())],
            "summary": item.summary,
            "date": _iso(item.date),
            "body": item.body,
            "revision": item.current_revision.number if item.current_revision else None,
            "updated_at": _iso(item.updated_at),
            "url": url_for("articles.view", slug=item.slug),
        }
    )


@bp.get("/documents/<slug>")
def document(slug: str) -> Response:
    item: Document = documents.get_document(session(), slug, viewer())
    return jsonify(
        {
            "slug": item.slug,
            "title": item.title,
            "kind": item.kind.value,
            "kind_label": item.kind.label,
            "status": item.status.value,
            "status_label": item.status.label,
            "pages": item.page_count,
            "error": item.error or None,
            "region": _refs([item.region])[0] if item.region else None,
            "themes": _refs(item.themes),
            "date": _iso(item.date),
            "media_type": item.media_type,
            "size": item.size,
            "sha256": item.sha256,
            "file_name": item.original_filename,
            "url": url_for("documents.view", slug=item.slug),
            "download_url": url_for("documents.download", slug=item.slug),
        }
    )


@bp.get("/contacts/<slug>")
def contact(slug: str) -> Response:
    card: ContactCard = contacts.get_contact(session(), slug, viewer())
    body: dict[str, Any] = {
        "slug": card.slug,
        "name": card.name,
        "role": card.role,
        "organisation": card.organisation,
        "region": _refs([card.region])[0] if card.region else None,
        "themes": _refs(card.themes),
        "url": url_for("contacts.view", slug=card.slug),
    }
    if not card.details_hidden:
        body.update(email=card.email or None, phone=card.phone or None)
    return jsonify(body)
