"""Administration under /-/admin: search settings, regions and themes."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from wissen.errors import Invalid
from wissen.models import REGION_KINDS, Region, Theme
from wissen.services import indexing, search, search_admin, taxonomy, taxonomy_admin
from wissen.services.permissions import Action

from .helpers import session, viewer

bp = Blueprint("admin", __name__, url_prefix="/-/admin")


@bp.before_request
@login_required
def _admins_only() -> None:
    if not viewer().can(Action.ADMINISTER):
        abort(403)


@bp.get("/")
def overview() -> str:
    return render_template("admin/overview.html")


@bp.get("/suche")
def search_settings(text: str | None = None, error: str = "") -> str:
    edited = search_admin.thesaurus_is_edited(session())
    return render_template(
        "admin/search.html",
        thesaurus=text if text is not None else search.current_thesaurus_text(session()),
        edited=edited,
        error=error,
        misses=search.misses(session()),
        pending=indexing.pending_count(session()),
    )


@bp.post("/suche/thesaurus")
def save_thesaurus() -> Response | tuple[str, int]:
    text = request.form.get("text", "")
    try:
        lines = search_admin.save_thesaurus(session(), text, current_user)
    except Invalid as error:
        return search_settings(text=text, error=str(error)), 422
    flash(f"Thesaurus gespeichert ({lines} Einträge). Er gilt ab der nächsten Suche.", "erfolg")
    return redirect(url_for("admin.search_settings"))


@bp.post("/suche/thesaurus/zuruecksetzen")
def reset_thesaurus() -> Response:
    search_admin.reset_thesaurus(session(), current_user)
    flash("Der mitgelieferte Thesaurus gilt wieder.", "erfolg")
    return redirect(url_for("admin.search_settings"))


@bp.post("/suche/ohne-treffer/leeren")
def clear_misses() -> Response:
    search_admin.clear_misses(session(), current_user)
    flash("Die Liste der Suchen ohne Treffer ist geleert.", "erfolg")
    return redirect(url_for("admin.search_settings"))


@bp.post("/suche/index")
def rebuild_index() -> Response:
    from wissen import jobs

    jobs.rebuild_index()
    flash(
        "Der Suchindex wird neu aufgebaut; die Suche funktioniert währenddessen weiter.", "erfolg"
    )
    return redirect(url_for("admin.search_settings"))


# --- regions and themes -------------------------------------------------------------------


def _entry_form(template: str, entry, data, error: Invalid | None = None, **extra):
    problems = getattr(error, "problems", {}) if error else {}
    page = render_template(
        template,
        entry=entry,
        data=data,
        problems=problems,
        error=error.message if error else "",
        **extra,
    )
    return (page, error.status) if error else page


@bp.get("/regionen")
def regions() -> str:
    found = session().scalars(select(Region).order_by(Region.name)).all()
    return render_template("admin/regions.html", regions=found)


@bp.route("/regionen/neu", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/regionen/<slug>", methods=["GET", "POST"])
def region(slug: str | None):
    entry = taxonomy.get_region(session(), slug) if slug else None
    choices = {"kinds": REGION_KINDS, "states": taxonomy_admin.STATES}
    if request.method == "GET":
        data = taxonomy_admin.region_input(entry) if entry else taxonomy_admin.RegionInput()
        return _entry_form("admin/region_form.html", entry, data, **choices)
    data = taxonomy_admin.RegionInput(
        name=request.form.get("name", ""),
        kind=request.form.get("kind", ""),
        state=request.form.get("state", ""),
        ags=request.form.get("ags", ""),
    )
    try:
        saved = taxonomy_admin.save_region(session(), entry, data, current_user)
    except Invalid as error:
        session().rollback()
        return _entry_form("admin/region_form.html", entry, data, error, **choices)
    flash(f"Region „{saved.name}“ gespeichert.", "erfolg")
    return redirect(url_for("admin.regions"))


@bp.get("/themen")
def themes() -> str:
    found = session().scalars(select(Theme).order_by(Theme.position, Theme.name)).all()
    return render_template("admin/themes.html", themes=found)


@bp.route("/themen/neu", methods=["GET", "POST"], defaults={"slug": None})
@bp.route("/themen/<slug>", methods=["GET", "POST"])
def theme(slug: str | None):
    entry = taxonomy.get_theme(session(), slug) if slug else None
    if request.method == "GET":
        data = taxonomy_admin.theme_input(entry) if entry else taxonomy_admin.ThemeInput()
        return _entry_form("admin/theme_form.html", entry, data)
    data = taxonomy_admin.ThemeInput(
        name=request.form.get("name", ""),
        description=request.form.get("description", ""),
        position=request.form.get("position", ""),
    )
    try:
        saved = taxonomy_admin.save_theme(session(), entry, data, current_user)
    except Invalid as error:
        session().rollback()
        return _entry_form("admin/theme_form.html", entry, data, error)
    flash(f"Thema „{saved.name}“ gespeichert.", "erfolg")
    return redirect(url_for("admin.themes"))
