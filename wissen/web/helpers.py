"""Small helpers shared by the views."""

from __future__ import annotations

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
