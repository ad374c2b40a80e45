"""API-Tokens: anlegen, einmal zeigen, widerrufen (unter /-/konto/tokens) – und die
Anmeldung mit ``Authorization: Bearer wsn_…`` für die JSON-API unter /api/."""

from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from wissen.errors import InvalidFields
from wissen.extensions import login_manager
from wissen.models import UserToken
from wissen.services import api_tokens

from . import errors
from .helpers import session

bp = Blueprint("tokens", __name__)

API_PREFIX = "/api/"
LIFETIME_LABELS = {"": "unbefristet", "30": "30 Tage", "90": "90 Tage", "365": "1 Jahr"}


def register(app: Flask) -> None:
    """Must run before any other before_request that looks at current_user (for example
    the login requirement of a non-public site), so that they see the token's user."""
    app.before_request(sign_in_with_bearer)


def sign_in_with_bearer() -> Response | None:
    """Make the token's user the current user of this one API request.

    Only paths under /api/ accept a token. Pages and forms rely on the session cookie,
    and their protection against forged requests (CSRF) assumes that: a header that
    signed in on a form post would bypass it. Other Authorization schemes (e.g. Basic
    from a proxy in front of wissen) are none of our business and are left alone.
    """
    if not request.path.startswith(API_PREFIX):
        return None
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    try:
        user = api_tokens.authenticate(session(), secret.strip())
    except api_tokens.TokenRefused as refused:
        # Not silently anonymous: a script must notice that its token no longer works.
        answer = errors.json_error(401, refused.message)
        answer.headers["WWW-Authenticate"] = 'Bearer realm="wissen", error="invalid_token"'
        return answer
    # Only this request's user (what flask-login's request_loader would set), not
    # login_user(): the session cookie is neither read for this user nor written.
    login_manager._update_request_context_with_user(user)
    return None


def _page(
    data: dict[str, str] | None = None,
    error: InvalidFields | None = None,
    created: api_tokens.NewToken | None = None,
) -> str:
    return render_template(
        "tokens/index.html",
        tokens=api_tokens.tokens_of(session(), current_user),
        data=data or {"name": "", "lifetime": ""},
        problems=error.problems if error else {},
        error=error.message if error else "",
        created=created,
        lifetimes=LIFETIME_LABELS,
    )


@bp.get("/-/konto/tokens")
@login_required
def index() -> str:
    return _page()


@bp.post("/-/konto/tokens")
@login_required
def create() -> tuple[str, int, dict[str, str]]:
    data = {"name": request.form.get("name", ""), "lifetime": request.form.get("lifetime", "")}
    try:
        created = api_tokens.create(session(), current_user, data["name"], data["lifetime"])
    except InvalidFields as error:
        session().rollback()
        return _page(data, error), error.status, {}
    # The secret is in this answer only (not in a redirect's flash message, which would
    # carry it in the session cookie); no-store keeps it out of caches and history.
    return _page(created=created), 201, {"Cache-Control": "no-store"}


@bp.post("/-/konto/tokens/<int:token_id>/widerrufen")
@login_required
def revoke(token_id: int) -> Response:
    token: UserToken = api_tokens.revoke(session(), current_user, token_id)
    flash(f"Der Token „{token.name}“ ist widerrufen und funktioniert nicht mehr.", "erfolg")
    return redirect(url_for("tokens.index"))
