"""Reading the audit trail: filter, page, export as CSV, and delete what is past retention.

Writing events is services.audit; this module is what admins (and the daily retention job)
do with them afterwards.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from wissen.errors import Forbidden, InvalidFields
from wissen.models import AuditEvent, utcnow
from wissen.services import audit
from wissen.services.permissions import Action, can

BERLIN = ZoneInfo("Europe/Berlin")
PER_PAGE = 50

ACTION_LABELS = {
    "login": "Anmeldung",
    "login.failed": "Anmeldung fehlgeschlagen",
    "login.throttled": "Anmeldung vorübergehend gesperrt",
    "logout": "Abmeldung",
    "user.create": "Konto angelegt",
    "user.invite": "Zum Konto eingeladen",
    "user.invite_accepted": "Einladung angenommen",
    "user.reset_link": "Link zum Passwortsetzen erzeugt",
    "user.password_reset": "Passwort über Link neu gesetzt",
    "user.password_changed": "Passwort geändert",
    "user.name_changed": "Name geändert",
    "user.role_changed": "Rolle oder Regionen geändert",
    "user.deactivated": "Konto gesperrt",
    "user.activated": "Konto entsperrt",
    "user.erased": "Konto gelöscht (DSGVO)",
    "user.exported": "Auskunft zu einem Konto erteilt",
    "token.created": "API-Token angelegt",
    "token.revoked": "API-Token widerrufen",
    "audit.exported": "Protokoll heruntergeladen (CSV)",
    "audit.purged": "Alte Protokolleinträge gelöscht",
    "article.create": "Artikel angelegt",
    "article.edit": "Artikel bearbeitet",
    "article.status": "Artikelstatus geändert",
    "article.review": "Artikel als geprüft vermerkt",
    "article.rename": "Artikel umbenannt",
    "article.restore_revision": "Ältere Artikelfassung wiederhergestellt",
    "article.delete": "Artikel in den Papierkorb gelegt",
    "article.undelete": "Artikel aus dem Papierkorb geholt",
    "article.purge": "Artikel endgültig gelöscht",
    "document.upload": "Dokument hochgeladen",
    "document.replace": "Neue Dateiversion hochgeladen",
    "document.edit": "Dokumentangaben bearbeitet",
    "document.ready": "Dokument ausgelesen",
    "document.failed": "Auslesen fehlgeschlagen",
    "document.retry": "Auslesen neu gestartet",
    "document.delete": "Dokument in den Papierkorb gelegt",
    "document.undelete": "Dokument aus dem Papierkorb geholt",
    "document.purge": "Dokument endgültig gelöscht",
    "contact.create": "Kontakt angelegt",
    "contact.edit": "Kontakt bearbeitet",
    "contact.confirm": "Kontaktangaben bestätigt",
    "contact.remove": "Kontaktdaten auf Wunsch gelöscht",
    "contact.exported": "Auskunft zu einem Kontakt erteilt",
    "region.save": "Region gespeichert",
    "theme.save": "Thema gespeichert",
    "thesaurus.save": "Thesaurus gespeichert",
    "thesaurus.reset": "Thesaurus zurückgesetzt",
    "search_misses.clear": "Suchen ohne Treffer geleert",
    "bundle.import": "Inhalte importiert",
}

OBJECT_LABELS = {
    "user": "Konto",
    "token": "API-Token",
    "article": "Artikel",
    "document": "Dokument",
    "contact": "Kontakt",
    "region": "Region",
    "theme": "Thema",
    "thesaurus": "Thesaurus",
    "search": "Suche",
    "audit": "Protokoll",
}

# Detail keys as the services write them, in German for the table and the CSV.
DETAIL_LABELS = {
    "action": "Aktion",
    "date_from": "von",
    "date_to": "bis",
    "object_key": "Objekt",
    "object_type": "Objektart",
    "person": "Person",
    "after": "nachher",
    "before": "vorher",
    "days": "Tage",
    "expires_at": "gültig bis",
    "deleted": "gelöscht",
    "fields": "Felder",
    "file": "Datei",
    "filter": "Filter",
    "name": "Name",
    "new": "neu",
    "old": "alt",
    "pages": "Seiten",
    "reason": "Grund",
    "renewed": "erneuert",
    "regions": "Regionen",
    "restored": "wiederhergestellte Fassung",
    "revision": "Fassung",
    "role": "Rolle",
    "rows": "Zeilen",
    "size": "Größe (Byte)",
    "title": "Titel",
}

CSV_HEADER = ("Zeitpunkt", "Person", "Aktion", "Aktionscode", "Objektart", "Objekt", "Details")
# A spreadsheet runs a cell starting with these as a formula (CSV injection, CWE-1236).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def action_label(action: str) -> str:
    """The German name of an action; actions nobody named yet show their code."""
    return ACTION_LABELS.get(action, action)


def object_label(object_type: str) -> str:
    return OBJECT_LABELS.get(object_type, object_type)


@dataclass(frozen=True)
class EventFilter:
    """The filters as typed into the form (strings), kept as they are for redisplay."""

    action: str = ""
    person: str = ""
    object_type: str = ""
    object_key: str = ""
    date_from: str = ""
    date_to: str = ""

    @property
    def active(self) -> dict[str, str]:
        return {key: value for key, value in asdict(self).items() if value}


@dataclass(frozen=True)
class EventPage:
    events: list[AuditEvent]
    total: int
    page: int
    pages: int


def _day(value: str, field: str, problems: dict[str, str]) -> date | None:
    """A day from a date input (ISO) or typed the German way (15.03.2026)."""
    text = value.strip()
    if not text:
        return None
    for parse in (date.fromisoformat, lambda t: datetime.strptime(t, "%d.%m.%Y").date()):
        try:
            day = parse(text)
        except ValueError:
            continue
        # Far-off years would overflow when turned into UTC instants; no event is there.
        if not 1900 <= day.year <= 2999:
            break
        return day
    problems[field] = f"„{text[:40]}“ ist kein gültiges Datum. Bitte so eingeben: 15.03.2026."
    return None


def _bounds(chosen: EventFilter) -> tuple[datetime | None, datetime | None]:
    """The filter's days as UTC instants: from the start of "von" to the end of "bis",
    both in German time, as the admin reading German times means them."""
    problems: dict[str, str] = {}
    first = _day(chosen.date_from, "date_from", problems)
    last = _day(chosen.date_to, "date_to", problems)
    if first and last and last < first:
        problems["date_to"] = "Das Datum „bis“ liegt vor dem Datum „von“."
    if problems:
        raise InvalidFields(problems)
    start = datetime.combine(first, time(), BERLIN) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), BERLIN) if last else None
    return start, end


def _query(chosen: EventFilter) -> Select[tuple[AuditEvent]]:
    start, end = _bounds(chosen)
    query = select(AuditEvent)
    if chosen.action:
        query = query.where(AuditEvent.action == chosen.action)
    if chosen.person.strip():
        query = query.where(
            func.lower(AuditEvent.actor).contains(chosen.person.strip().lower(), autoescape=True)
        )
    if chosen.object_type:
        query = query.where(AuditEvent.object_type == chosen.object_type)
    if chosen.object_key.strip():
        needle = chosen.object_key.strip().lower()
        query = query.where(func.lower(AuditEvent.object_key).contains(needle, autoescape=True))
    if start is not None:
        query = query.where(AuditEvent.created_at >= start)
    if end is not None:
        query = query.where(AuditEvent.created_at < end)
    return query


def events(session: Session, chosen: EventFilter, page: int = 1) -> EventPage:
    """One page of matching events, newest first; InvalidFields on wrong dates."""
    query = _query(chosen)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // PER_PAGE))
    page = min(max(1, page), pages)
    found = session.scalars(
        query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    )
    return EventPage(list(found), total, page, pages)


def choices(session: Session) -> dict[str, list[tuple[str, str]]]:
    """The actions and object types present in the log, as (code, German label)."""
    actions = session.scalars(select(AuditEvent.action).distinct())
    types = session.scalars(
        select(AuditEvent.object_type).distinct().where(AuditEvent.object_type != "")
    )
    return {
        "actions": sorted(((a, action_label(a)) for a in actions), key=lambda p: p[1].lower()),
        "object_types": sorted(((t, object_label(t)) for t in types), key=lambda p: p[1].lower()),
    }


def details(event: AuditEvent) -> list[tuple[str, str]]:
    """The event's detail as readable pairs (the column holds JSON, or older plain text)."""
    if not event.detail:
        return []
    try:
        data = json.loads(event.detail)
    except ValueError:
        return [("", event.detail)]
    if not isinstance(data, dict):
        return [("", _plain(data))]
    return [(DETAIL_LABELS.get(str(key), str(key)), _plain(value)) for key, value in data.items()]


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value) or "–"
    if isinstance(value, dict):
        pairs = (f"{DETAIL_LABELS.get(str(k), k)}: {_plain(v)}" for k, v in value.items())
        return ", ".join(pairs) or "–"
    if isinstance(value, bool):
        return "ja" if value else "nein"
    if value is None or value == "":
        return "–"
    return str(value)


# --- CSV ---------------------------------------------------------------------------------


def export_csv(session: Session, chosen: EventFilter, user: Any) -> tuple[str, int]:
    """All matching events as CSV for German Excel, and their number; the export is logged."""
    if not can(user, Action.ADMINISTER):
        raise Forbidden("Das Protokoll dürfen nur Admins herunterladen.")
    query = _query(chosen).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    found = list(session.scalars(query))
    text = csv_text(found)
    audit.record(
        session, "audit.exported", user, object_type="audit", rows=len(found), filter=chosen.active
    )
    session.commit()
    return text, len(found)


def csv_text(found: Iterable[AuditEvent]) -> str:
    """UTF-8 with BOM (else Excel reads the umlauts as Windows-1252) and semicolons (the
    separator German Excel expects, as the comma is the decimal sign)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows([_safe(cell) for cell in row] for row in _csv_rows(found))
    return buffer.getvalue()


def _csv_rows(found: Iterable[AuditEvent]) -> Iterator[tuple[str, ...]]:
    for event in found:
        yield (
            event.created_at.astimezone(BERLIN).isoformat(timespec="seconds"),
            event.actor,
            action_label(event.action),
            event.action,
            object_label(event.object_type),
            event.object_key,
            "; ".join(f"{k}: {v}" if k else v for k, v in details(event)),
        )


def _safe(cell: str) -> str:
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


# --- retention ---------------------------------------------------------------------------


def purge_older_than(session: Session, days: int, now: datetime | None = None) -> int:
    """Delete events older than ``days`` (WISSEN_AUDIT_RETENTION_DAYS); returns how many.

    The purge itself is logged, with the count, so that the log shows the retention
    period is enforced (and the record of it ages out in turn)."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = session.execute(delete(AuditEvent).where(AuditEvent.created_at < cutoff))
    count = int(getattr(result, "rowcount", 0) or 0)
    audit.record(
        session,
        "audit.purged",
        actor="system",
        object_type="audit",
        deleted=count,
        days=days,
        before=cutoff.isoformat(timespec="seconds"),
    )
    session.commit()
    return count
