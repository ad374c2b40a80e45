"""Konten: Verwaltung der Konten unter /-/admin/konten und das eigene Konto unter /-/konto.

Pages that show or take a one-time link are never cached and send no referrer: the link is
a password until it is used.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as browser_session
from flask_login import current_user, login_required, login_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from wissen.errors import Gone, Invalid, WissenError
from wissen.models import Region, Role, TokenKind, User
from wissen.services import accounts, mail, users
from wissen.services.accounts import AccountInput, AccountStatus, IssuedLink
from wissen.services.permissions import Action

from .helpers import session, viewer

bp = Blueprint("accounts", __name__)

PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    @login_required
    def guarded(*args: Any, **kwargs: Any) -> Any:
        if not viewer().can(Action.ADMINISTER):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _me() -> User:
    return current_user._get_current_object()  # type: ignore[attr-defined]


def _page(template: str, error: WissenError | None = None, **context: Any) -> Any:
    """The page, with the error summary (and 4xx status) when ``error`` is given."""
    page = render_template(
        template,
        problems=getattr(error, "problems", {}),
        error=error.message if error else "",
        **context,
    )
    return (page, error.status) if error else page


def _private(page: Any) -> Response:
    response = make_response(page)
    response.headers.update(PRIVATE)
    return response


# --- the admin pages -----------------------------------------------------------------------


def _choices() -> dict[str, Any]:
    regions = session().scalars(select(Region).order_by(Region.name)).all()
    return {
        "roles": list(Role),
        "regions": regions,
        "invite_hours": accounts.INVITE_HOURS,
        "reset_hours": accounts.RESET_HOURS,
    }


def _input(form: MultiDict, email: str = "") -> AccountInput:
    return AccountInput(
        email=email or form.get("email", ""),
        name=form.get("name", ""),
        role=form.get("role", ""),
        regions=form.getlist("regions"),
    )


@bp.get("/-/admin/konten", endpoint="users")
@admin_only
def account_list() -> str:
    chosen = {"role": request.args.get("rolle", ""), "status": request.args.get("status", "")}
    rows = accounts.overview(session(), _me(), chosen["role"], chosen["status"])
    return render_template(
        "accounts/list.html",
        rows=rows,
        roles=list(Role),
        statuses=list(AccountStatus),
        chosen=chosen,
    )


@bp.route("/-/admin/konten/einladen", methods=["GET", "POST"])
@admin_only
def invite() -> Any:
    if request.method == "GET":
        return _page("accounts/invite.html", data=AccountInput(), **_choices())
    data = _input(request.form)
    try:
        link = accounts.invite(session(), data, _me())
    except Invalid as error:
        session().rollback()
        return _page("accounts/invite.html", error, data=data, **_choices())
    return _show_link(link)


def _edit_page(user: User, data: AccountInput, error: WissenError | None = None) -> Any:
    return _page(
        "accounts/edit.html",
        error,
        user=user,
        data=data,
        status=accounts.status_of(user),
        invite_until=accounts.invitation_until(session(), user),
        **_choices(),
    )


@bp.route("/-/admin/konten/<int:user_id>", methods=["GET", "POST"])
@admin_only
def edit(user_id: int) -> Any:
    user = accounts.get_account(session(), user_id, _me())
    if request.method == "GET":
        return _edit_page(user, accounts.input_of(user))
    data = _input(request.form, email=user.email)
    try:
        changed = accounts.save(session(), user, data, _me())
    except Invalid as error:
        session().rollback()
        return _edit_page(user, data, error)
    if user.id == _me().id:
        login_user(user)  # own rights changed: this session goes on, the others end
    flash("Gespeichert." if changed else "Keine Änderung.", "erfolg" if changed else "info")
    return redirect(url_for("accounts.edit", user_id=user.id))


@bp.post("/-/admin/konten/<int:user_id>/sperren", defaults={"active": False})
@bp.post("/-/admin/konten/<int:user_id>/entsperren", defaults={"active": True})
@admin_only
def set_active(user_id: int, active: bool) -> Any:
    user = accounts.get_account(session(), user_id, _me())
    try:
        accounts.set_active(session(), user, active, _me())
    except Invalid as error:
        session().rollback()
        return _edit_page(user, accounts.input_of(user), error)
    flash(
        f"Das Konto von {user.name} ist wieder aktiv."
        if active
        else f"Das Konto von {user.name} ist gesperrt; alle Sitzungen sind beendet.",
        "erfolg",
    )
    return redirect(url_for("accounts.edit", user_id=user.id))


@bp.post("/-/admin/konten/<int:user_id>/passwort-link", defaults={"kind": "passwort"})
@bp.post("/-/admin/konten/<int:user_id>/neue-einladung", defaults={"kind": "einladung"})
@admin_only
def new_link(user_id: int, kind: str) -> Any:
    user = accounts.get_account(session(), user_id, _me())
    issue = accounts.renew_invitation if kind == "einladung" else accounts.issue_reset
    try:
        link = issue(session(), user, _me())
    except Invalid as error:
        session().rollback()
        return _edit_page(user, accounts.input_of(user), error)
    return _show_link(link)


def _show_link(link: IssuedLink) -> Response:
    """The one time the secret link is shown (and mailed, when a mail server is set)."""
    invitation = link.kind is TokenKind.INVITE
    endpoint = "accounts.accept" if invitation else "accounts.reset"
    url = url_for(endpoint, secret=link.secret, _external=True)
    mailed, mail_error = _mail(link, url, invitation)
    page = render_template(
        "accounts/link.html",
        link=link,
        url=url,
        invitation=invitation,
        mailed=mailed,
        mail_error=mail_error,
    )
    return _private(page)


def _mail(link: IssuedLink, url: str, invitation: bool) -> tuple[bool, str]:
    smtp_url = current_app.config.get("SMTP_URL")
    if not smtp_url:
        return False, ""
    site = current_app.config["SITE_NAME"]
    subject = f"Einladung zu {site}" if invitation else f"Neues Passwort für {site}"
    body = render_template("accounts/mail.txt", link=link, url=url, invitation=invitation)
    try:
        mail.send(smtp_url, current_app.config["MAIL_FROM"], link.user.email, subject, body)
    except mail.MailFailed as error:
        return False, error.message
    return True, ""


# --- the links: accept an invitation, set a new password ------------------------------------


def _gone() -> Response:
    page = render_template("accounts/gone.html", message=accounts.GONE_MESSAGE)
    return _private((page, 410))


def _link_page(
    kind: TokenKind, secret: str, error: WissenError | None = None, name: str | None = None
) -> Response:
    user = accounts.open_link(session(), secret, kind).user
    name = user.name if name is None else name
    page = _page("accounts/set_password.html", error, user=user, kind=kind, name=name)
    return _private(page)


@bp.route("/-/einladung/<secret>", methods=["GET", "POST"])
def accept(secret: str) -> Response:
    form = request.form
    try:
        if request.method == "GET":
            return _link_page(TokenKind.INVITE, secret)
        try:
            user = accounts.accept_invitation(
                session(), secret, form.get("name", ""), *_passwords(form)
            )
        except Invalid as error:
            session().rollback()
            return _link_page(TokenKind.INVITE, secret, error, name=form.get("name", ""))
    except Gone:
        session().rollback()
        return _gone()
    browser_session.clear()  # a fresh session on login: no fixation
    login_user(user)
    flash(f"Willkommen, {user.name}. Ihr Konto ist eingerichtet.", "erfolg")
    return redirect(url_for("browse.start"))


@bp.route("/-/passwort-neu/<secret>", methods=["GET", "POST"])
def reset(secret: str) -> Response:
    try:
        if request.method == "GET":
            return _link_page(TokenKind.RESET, secret)
        try:
            accounts.reset_password(session(), secret, *_passwords(request.form))
        except Invalid as error:
            session().rollback()
            return _link_page(TokenKind.RESET, secret, error)
    except Gone:
        session().rollback()
        return _gone()
    flash("Ihr neues Passwort gilt. Bitte melden Sie sich damit an.", "erfolg")
    return redirect(url_for("auth.login"))


def _passwords(form: MultiDict) -> tuple[str, str]:
    return form.get("password", ""), form.get("password2", "")


# --- one's own account ---------------------------------------------------------------------


def _own_page(error: WissenError | None = None, part: str = "", **form: str) -> Any:
    return _page("accounts/own.html", error, user=_me(), part=part, **form)


@bp.get("/-/konto")
@login_required
def own() -> Any:
    return _own_page()


@bp.post("/-/konto/name")
@login_required
def own_name() -> Any:
    name = request.form.get("name", "")
    try:
        users.change_own_name(session(), _me(), name)
    except Invalid as error:
        session().rollback()
        return _own_page(error, "name", name=name)
    flash("Ihr Name ist gespeichert.", "erfolg")
    return redirect(url_for("accounts.own"))


@bp.post("/-/konto/passwort")
@login_required
def own_password() -> Any:
    form = request.form
    try:
        users.change_own_password(
            session(), _me(), form.get("current_password", ""), *_passwords(form)
        )
    except Invalid as error:
        session().rollback()
        return _own_page(error, "password")
    login_user(_me())  # this session carries the new version; all others have ended
    flash("Ihr Passwort ist geändert. Auf allen anderen Geräten sind Sie abgemeldet.", "erfolg")
    return redirect(url_for("accounts.own"))


@bp.post("/-/konto/ueberall-abmelden")
@login_required
def sign_out_everywhere() -> Response:
    users.sign_out_everywhere(session(), _me())
    browser_session.clear()
    flash("Sie sind jetzt auf allen Geräten abgemeldet, auch auf diesem.", "info")
    return redirect(url_for("auth.login"))
