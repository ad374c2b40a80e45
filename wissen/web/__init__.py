"""The web layer: one blueprint per area, thin views over the services."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, redirect, request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from wissen.extensions import db, login_manager
from wissen.services import users
from wissen.services.permissions import Action

from . import (  # noqa: F401 - editor, history, lifecycle, uploads add routes
    accounts,
    admin,
    api,
    articles,
    audit_log,
    auth,
    browse,
    contacts,
    discovery,
    documents,
    editor,
    errors,
    filters,
    headers,
    history,
    input_guard,
    lifecycle,
    privacy,
    search,
    system,
    tokens,
    uploads,
)
from .helpers import viewer

# Reachable without signing in even when WISSEN_PUBLIC_READ is off.
OPEN_ENDPOINTS = {
    "auth.login",
    "system.health",
    "static",
    "accounts.accept",
    "accounts.reset",
    "privacy.page",
}


class BoundedInt(IntegerConverter):
    """``<int:…>`` in addresses: ids and version numbers. A number beyond SQLite's 64-bit
    integers names nothing, and the query for it would fail (HTTP 500): no route matches."""

    def __init__(
        self,
        map: Any,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = 2**63 - 1,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def register_web(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt  # before the routes are added
    for module in (
        browse,
        articles,
        contacts,
        documents,
        search,
        auth,
        system,
        api,
        admin,
        discovery,
        accounts,
        tokens,
        audit_log,
        privacy,
    ):
        app.register_blueprint(module.bp)
    errors.register(app)
    filters.register(app)
    headers.register(app)
    input_guard.register(app)  # first: the hooks below read what was sent
    tokens.register(app)  # before _require_login_when_private: it reads current_user
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Bitte melden Sie sich an, um diese Seite zu sehen."
    login_manager.login_message_category = "info"
    login_manager.user_loader(lambda user_id: users.load_user(db.session, user_id))
    app.before_request(_require_login_when_private)
    app.context_processor(_template_context)


def _require_login_when_private() -> Response | None:
    if current_app.config["PUBLIC_READ"] or current_user.is_authenticated:
        return None
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    if request.path.startswith("/api/"):
        return errors.json_error(401, "Anmeldung erforderlich.")
    return redirect(url_for("auth.login", next=request.full_path))


def _template_context() -> dict[str, object]:
    return {
        "site_name": current_app.config["SITE_NAME"],
        "impressum_url": current_app.config["IMPRESSUM_URL"],
        "datenschutz_url": current_app.config["DATENSCHUTZ_URL"],
        "can_create": viewer().can(Action.CREATE),
        "has_endpoint": lambda name: name in current_app.view_functions,
        "allowed": lambda action, obj=None: viewer().can(Action(action), obj),
    }
