"""The contact directory: browse, read, vCard; editors create, edit, confirm and remove."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from wissen.errors import Conflict, InvalidFields, WissenError
from wissen.models import Contact, ContactVisibility, Region, Theme
from wissen.services import contact_admin, contacts
from wissen.services.contact_admin import ContactInput
from wissen.services.permissions import Action

from . import vcard
from .helpers import session, viewer

bp = Blueprint("contacts", __name__)


def _choices() -> dict[str, Any]:
    s = session()
    regions = s.scalars(select(Region).order_by(Region.name))
    return {
        "regions": [r for r in regions if viewer().can(Action.CREATE, r)],
        "may_leave_region_empty": viewer().can(Action.CREATE),
        "themes": list(s.scalars(select(Theme).order_by(Theme.position, Theme.name))),
        "visibilities": list(ContactVisibility),
    }


def _input(form: MultiDict) -> ContactInput:
    return ContactInput(
        name=form.get("name", ""),
        role=form.get("role", ""),
        organisation=form.get("organisation", ""),
        region=form.get("region", ""),
        email=form.get("email", ""),
        phone=form.get("phone", ""),
        visibility=form.get("visibility", ""),
        consent_date=form.get("consent_date", ""),
        themes=form.getlist("themes"),
    )


def _form(contact: Contact | None, data: ContactInput, error: WissenError | None = None):
    problems = error.problems if isinstance(error, InvalidFields) else {}
    conflict = isinstance(error, Conflict) and contact is not None
    page = render_template(
        "contacts/form.html",
        contact=contact,
        data=data,
        problems=problems,
        error=error.message if error else "",
        saved=contact_admin.saved_differences(contact, data) if conflict else [],
        **_choices(),
    )
    return (page, error.status) if error else page


@bp.get("/kontakte", endpoint="list")
def directory() -> str:
    s = session()
    chosen = contacts.DirectoryFilter(
        theme=request.args.get("thema", ""),
        region=request.args.get("region", ""),
        role=request.args.get("funktion", "").strip()[:100],
    )
    return render_template(
        "contacts/list.html",
        contacts=contacts.visible_contacts(s, viewer(), chosen),
        chosen=chosen,
        themes=s.scalars(select(Theme).order_by(Theme.position, Theme.name)).all(),
        regions=s.scalars(select(Region).order_by(Region.name)).all(),
        may_create=viewer().can(Action.CREATE),
    )


@bp.get("/kontakte/<slug>")
def view(slug: str) -> str:
    contact = contacts.find_contact(session(), slug, viewer())
    return render_template(
        "contacts/view.html",
        contact=contacts.card(contact, viewer()),
        work=contacts.work_of(session(), contact, viewer()),
    )


@bp.get("/kontakte/<slug>/visitenkarte.vcf")
def vcard_download(slug: str) -> Response:
    card = contacts.get_contact(session(), slug, viewer())
    page = url_for("contacts.view", slug=slug, _external=True)
    return Response(
        vcard.serialise(card, page),
        mimetype="text/vcard",
        headers={
            "Content-Disposition": f'attachment; filename="{slug}.vcf"',
            "Content-Type": "text/vcard; charset=utf-8",
        },
    )


@bp.route("/kontakte/neu", methods=["GET", "POST"])
@login_required
def new() -> str | Response | tuple[str, int]:
    if not viewer().can(Action.CREATE):
        abort(403)
    if request.method == "GET":
        return _form(None, ContactInput())
    data = _input(request.form)
    try:
        contact = contact_admin.create_contact(session(), data, current_user)
    except WissenError as error:
        session().rollback()
        return _form(None, data, error)
    flash(f"Kontakt „{contact.name}“ angelegt.", "erfolg")
    return redirect(url_for("contacts.view", slug=contact.slug))


def _editable(slug: str) -> Contact:
    contact = contacts.find_contact(session(), slug, viewer())
    if not viewer().can(Action.EDIT, contact):
        abort(403)
    return contact


@bp.route("/kontakte/<slug>/bearbeiten", methods=["GET", "POST"])
@login_required
def edit(slug: str) -> str | Response | tuple[str, int]:
    contact = _editable(slug)
    if request.method == "GET":
        return _form(contact, contact_admin.input_of(contact))
    data = _input(request.form)
    version = request.form.get("base_version", type=int)
    try:
        changed = contact_admin.update_contact(session(), contact, data, current_user, version)
    except WissenError as error:
        session().rollback()
        return _form(contact, data, error)
    flash("Gespeichert und als bestätigt vermerkt." if changed else "Als bestätigt vermerkt.")
    return redirect(url_for("contacts.view", slug=contact.slug))


@bp.post("/kontakte/<slug>/bestaetigen")
@login_required
def confirm(slug: str) -> Response:
    contact = _editable(slug)
    contact_admin.confirm_contact(session(), contact, current_user)
    flash(f"Die Angaben zu „{contact.name}“ sind als heute bestätigt vermerkt.", "erfolg")
    back = request.form.get("zurueck", "")
    local = back.startswith("/") and not back.startswith(("//", "/\\"))  # no open redirect
    return redirect(back if local else url_for("contacts.view", slug=slug))


@bp.route("/kontakte/<slug>/entfernen", methods=["GET", "POST"])
@login_required
def remove(slug: str) -> str | Response:
    contact = _editable(slug)
    if request.method == "GET":
        work = contacts.work_of(session(), contact, viewer())
        return render_template("contacts/remove.html", contact=contact, work=work)
    if request.form.get("bestaetigt") != "ja":
        flash("Bitte bestätigen Sie, dass die Person die Löschung verlangt hat.", "fehler")
        return redirect(url_for("contacts.remove", slug=slug))
    name = contact.name
    contact_admin.remove_contact(session(), contact, current_user)
    flash(f"Die Daten von „{name}“ wurden gelöscht. Beiträge zeigen „Kontakt entfernt“.", "erfolg")
    return redirect(url_for("contacts.list"))


@bp.get("/-/kontakte-bestaetigen")
@login_required
def review() -> str:
    if not viewer().can(Action.CREATE):
        abort(403)
    due = contact_admin.due_for_review(session(), viewer())
    return render_template("contacts/review.html", contacts=due)
