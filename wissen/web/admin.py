"""Administration under /-/admin: search settings (thesaurus, searches without hits, index)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from wissen.errors import Invalid
from wissen.services import indexing, search, search_admin
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
