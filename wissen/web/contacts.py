"""The contact directory."""

from __future__ import annotations

from flask import Blueprint, render_template

from wissen.services import contacts

from .helpers import session, viewer

bp = Blueprint("contacts", __name__)


@bp.get("/kontakte")
def list() -> str:
    return render_template(
        "contacts/list.html", contacts=contacts.visible_contacts(session(), viewer())
    )


@bp.get("/kontakte/<slug>")
def view(slug: str) -> str:
    return render_template(
        "contacts/view.html", contact=contacts.get_contact(session(), slug, viewer())
    )
