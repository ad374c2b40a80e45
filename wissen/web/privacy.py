"""Datenschutz: die Seite /datenschutz, Auskunft (JSON) und Löschung."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from wissen.errors import Invalid
from wissen.models import User
from wissen.services import privacy, users
from wissen.services.permissions import Action

from .filters import BERLIN
from .helpers import session, viewer

bp = Blueprint("privacy", __name__)


def _require_admin() -> None:
    if not viewer().can(Action.ADMINISTER):
        abort(403)


@bp.get("/datenschutz")
def page() -> str | Response:
    """Open to everyone, also when the site is private: visitors must be able to read it
    before they sign in."""
    elsewhere = current_app.config["DATENSCHUTZ_URL"]
    if elsewhere and elsewhere.rstrip("/") != request.path:
        return redirect(elsewhere, 302)
    config = current_app.config
    return render_template(
        "privacy/page.html",
        operator=config["OPERATOR"],
        privacy_contact=config["PRIVACY_CONTACT"],
        retention=config["AUDIT_RETENTION_DAYS"],
    )


def _json_download(data: dict[str, Any], name: str) -> Response:
    day = datetime.now(BERLIN).date().isoformat()
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return Response(
        body.encode("utf-8"),
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "Content-Disposition": f'attachment; filename="auskunft-{name}-{day}.json"',
            "Cache-Control": "no-store",  # personal data: no copies in caches
        },
    )


@bp.get("/-/admin/konten/<int:user_id>/auskunft.json")
@login_required
def user_export(user_id: int) -> Response:
    _require_admin()
    user = users.get_user(session(), user_id)
    return _json_download(privacy.export_user(session(), user, current_user), f"konto-{user.id}")


@bp.get("/-/admin/kontakte/<slug>/auskunft.json")
@login_required
def contact_export(slug: str) -> Response:
    _require_admin()
    contact = privacy.get_contact(session(), slug)
    data = privacy.export_contact(session(), contact, current_user)
    return _json_download(data, f"kontakt-{contact.slug}")


@bp.get("/-/konto/auskunft.json")
@login_required
def own_export() -> Response:
    user = current_user._get_current_object()
    return _json_download(privacy.export_user(session(), user, user), "mein-konto")


def _accounts_page() -> str:
    names = current_app.view_functions
    return url_for("accounts.users") if "accounts.users" in names else url_for("admin.overview")


def _erase_form(user: User, error: str = "", unconfirmed: bool = False) -> str | tuple[str, int]:
    page = render_template(
        "privacy/erase.html",
        user=user,
        error=error,
        problems={"bestaetigt": error} if unconfirmed else {},
        back=_accounts_page(),
    )
    return (page, 400) if error else page


@bp.route("/-/admin/konten/<int:user_id>/loeschen", methods=["GET", "POST"])
@login_required
def user_erase(user_id: int) -> str | Response | tuple[str, int]:
    _require_admin()
    user = users.get_user(session(), user_id)
    if request.method == "GET":
        return _erase_form(user)
    if request.form.get("bestaetigt") != "ja":
        message = "Bitte bestätigen Sie, dass die Person die Löschung verlangt hat."
        return _erase_form(user, message, unconfirmed=True)
    try:
        pseudonym = privacy.erase_user(session(), user, current_user)
    except Invalid as error:
        session().rollback()
        return _erase_form(user, error.message)
    flash(
        f"Das Konto wurde gelöscht. Im Protokoll steht es jetzt als „{pseudonym}“, "
        "seine Artikelfassungen unter „Gelöschtes Konto“.",
        "erfolg",
    )
    return redirect(_accounts_page())
