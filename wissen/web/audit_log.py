"""Das Protokoll (Audit-Log) für Admins: Filter und CSV-Export."""

from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from wissen.errors import InvalidFields
from wissen.services import audit_log
from wissen.services.audit_log import EventFilter, EventPage
from wissen.services.permissions import Action

from .filters import BERLIN
from .helpers import session, viewer

bp = Blueprint("audit_log", __name__)

# URL parameter ↔ filter field; German in the address bar, as the other pages.
PARAMS = {
    "aktion": "action",
    "person": "person",
    "art": "object_type",
    "objekt": "object_key",
    "von": "date_from",
    "bis": "date_to",
}
FIELD_PARAM = {field: param for param, field in PARAMS.items()}
FILTER_LABELS = {
    "action": "Aktion",
    "person": "Person",
    "object_type": "Objektart",
    "object_key": "Objekt",
    "date_from": "Von",
    "date_to": "Bis",
}


@bp.before_request
@login_required
def _admins_only() -> None:
    if not viewer().can(Action.ADMINISTER):
        abort(403)


def _chosen(args: MultiDict[str, str]) -> EventFilter:
    return EventFilter(**{field: args.get(param, "")[:200] for param, field in PARAMS.items()})


def _args(chosen: EventFilter) -> dict[str, str]:
    """The filter as URL parameters, for page links, the CSV link and "remove filter"."""
    return {FIELD_PARAM[field]: value for field, value in chosen.active.items()}


def _removals(chosen: EventFilter) -> list[tuple[str, str]]:
    """(what the filter shows, the address without it) for each active filter."""
    args = _args(chosen)
    shown = {
        "action": audit_log.action_label(chosen.action),
        "object_type": audit_log.object_label(chosen.object_type),
        "date_from": _german_day(chosen.date_from),
        "date_to": _german_day(chosen.date_to),
    }
    return [
        (
            f"{FILTER_LABELS[field]}: {shown.get(field, value)}",
            url_for("audit_log.events", **{p: v for p, v in args.items() if p != param}),
        )
        for field, value in chosen.active.items()
        for param in (FIELD_PARAM[field],)
    ]


def _german_day(value: str) -> str:
    try:
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    except ValueError:
        return value


def zeit(value: datetime) -> str:
    """To the second, in German time: the order of events within a minute matters here."""
    return value.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M:%S Uhr")


def _page_number() -> int:
    raw = request.args.get("page", "1")
    # isascii: "²" and "⁰⁴⁵" are digits to isdigit(), but int() refuses them (HTTP 500).
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 7 else 1


def _render(
    chosen: EventFilter, found: EventPage | None = None, error: InvalidFields | None = None
) -> str | tuple[str, int]:
    problems = {FIELD_PARAM[k]: v for k, v in error.problems.items()} if error else {}
    page = render_template(
        "audit/events.html",
        chosen=chosen,
        args=_args(chosen),
        removals=_removals(chosen),
        found=found,
        problems=problems,
        error=error.message if error else "",
        retention=current_app.config["AUDIT_RETENTION_DAYS"],
        zeit=zeit,
        action_label=audit_log.action_label,
        object_label=audit_log.object_label,
        details=audit_log.details,
        **audit_log.choices(session()),
    )
    return (page, 400) if error else page


@bp.get("/-/admin/protokoll")
def events() -> str | tuple[str, int]:
    chosen = _chosen(request.args)
    try:
        found = audit_log.events(session(), chosen, _page_number())
    except InvalidFields as error:
        return _render(chosen, error=error)
    return _render(chosen, found)


@bp.get("/-/admin/protokoll.csv")
def csv() -> Response | tuple[str, int]:
    chosen = _chosen(request.args)
    try:
        text, _ = audit_log.export_csv(session(), chosen, current_user)
    except InvalidFields as error:
        session().rollback()
        return _render(chosen, error=error)
    day = datetime.now(BERLIN).date().isoformat()
    return Response(
        text.encode("utf-8"),
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="protokoll-{day}.csv"',
            "Cache-Control": "no-store",
        },
    )
