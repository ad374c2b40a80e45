"""Signing in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from wissen.extensions import db, limiter
from wissen.services import audit, users
from wissen.services.permissions import signed_in

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only local paths are followed after login, never another site."""
    if not target:
        return url_for("browse.start")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("browse.start")
    return target


# Only failed attempts count: per address (a script trying many accounts) and per account
# (many addresses trying one account). A successful login never locks anybody out.
FAILED_PER_ADDRESS = "20 per 15 minutes"
FAILED_PER_ACCOUNT = "5 per 15 minutes"


def _account() -> str:
    return "konto:" + users.normalise_email(request.form.get("email", ""))


def _failed(response: Response) -> bool:
    return response.status_code == 401


@bp.route("/-/anmelden", methods=["GET", "POST"])
@limiter.limit(FAILED_PER_ADDRESS, methods=["POST"], deduct_when=_failed)
@limiter.limit(FAILED_PER_ACCOUNT, methods=["POST"], key_func=_account, deduct_when=_failed)
def login() -> str | Response:
    email = request.form.get("email", "")
    if request.method == "POST":
        user = users.authenticate(db.session, email, request.form.get("password", ""))
        if user is not None:
            session.clear()  # a fresh session on login: no fixation
            login_user(user)
            flash(f"Willkommen, {user.name}.", "erfolg")
            return redirect(_safe_next(request.args.get("next")))
        flash("E-Mail-Adresse oder Passwort ist falsch.", "fehler")
        return render_template("auth/login.html", email=email, failed=True), 401
    return render_template("auth/login.html", email=email, failed=False)


@bp.post("/-/abmelden")
def logout() -> Response:
    account = signed_in(current_user)
    if account is not None:
        # Session cookies are signed, not stored: a copy taken before signing out would
        # otherwise still work. Raising the session version makes every copy worthless
        # (and signs the account out on other devices too).
        users.end_sessions(account)
        audit.record(db.session, "logout", account, object_type="user", object_key=account.email)
        db.session.commit()
    logout_user()
    session.clear()
    flash("Sie sind abgemeldet.", "info")
    return redirect(url_for("browse.start"))
