"""Small helpers shared by the views."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_login import current_user
from sqlalchemy.orm import Session

from wissen.extensions import db
from wissen.services.permissions import Viewer


def viewer() -> Viewer:
    """The person behind this request, as the services want to know them."""
    user = current_user._get_current_object() if current_user else None
    return Viewer(user, current_app.config["PUBLIC_READ"])


def session() -> Session:
    return db.session()


def similar_items(obj: Any, text: str) -> list[Any]:
    """ "Ähnliche Praxisbeispiele aus anderen Regionen"; empty while the index is unusable."""
    from flask import current_app

    from wissen.search import IndexUnavailable
    from wissen.services import search

    try:
        index = search.index_at(current_app.config["INDEX_DIR"])
        return search.similar(session(), index, obj, text, viewer())
    except IndexUnavailable:
        return []
