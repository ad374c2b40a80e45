"""DSGVO requests: Auskunft (Art. 15, a JSON export) and Löschung (Art. 17) of accounts.

An erased account stays as an emptied row (a tombstone): revisions keep their author and
the audit trail keeps its references, but the person's e-mail address and name are
replaced everywhere by the pseudonym ``konto-<id>``. Contacts have their own removal in
services.contact_admin; here they only get their export.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from wissen.errors import Forbidden, Invalid, NotFound
from wissen.models import (
    Article,
    AuditEvent,
    Contact,
    Document,
    Revision,
    User,
    UserToken,
    utcnow,
)
from wissen.services import audit, users
from wissen.services.audit_log import action_label
from wissen.services.permissions import Action, can, signed_in

ERASED_NAME = "Gelöschtes Konto"
UPLOAD_ACTIONS = ("document.upload", "document.replace")


def pseudonym_of(user: User) -> str:
    return f"konto-{user.id}"


def erased_email_of(user: User) -> str:
    # .invalid is reserved (RFC 2606): no mail can ever reach this address.
    return f"geloescht-{user.id}@konto.invalid"


def get_contact(session: Session, slug: str) -> Contact:
    """The contact, also when removed on request (then the export shows what is left)."""
    contact = session.scalar(select(Contact).where(Contact.slug == slug))
    if contact is None:
        raise NotFound(f"Es gibt keinen Kontakt „{slug}“.")
    return contact


# --- Auskunft ----------------------------------------------------------------------------


def export_user(session: Session, user: User, actor: Any) -> dict[str, Any]:
    """The Auskunft for ``user``: admins for anyone, everyone for themselves. Logged."""
    acting = signed_in(actor)
    if not (can(actor, Action.ADMINISTER) or (acting is not None and acting.id == user.id)):
        raise Forbidden("Auskunft über fremde Konten erteilen nur Admins.")
    data = user_data(session, user)
    audit.record(session, "user.exported", actor, object_type="user", object_key=user.email)
    session.commit()
    return data


def export_contact(session: Session, contact: Contact, actor: Any) -> dict[str, Any]:
    if not can(actor, Action.ADMINISTER):
        raise Forbidden("Auskunft über Kontakte erteilen nur Admins.")
    data = contact_data(session, contact)
    audit.record(session, "contact.exported", actor, object_type="contact", object_key=contact.slug)
    session.commit()
    return data


def user_data(session: Session, user: User) -> dict[str, Any]:
    """Everything wissen holds about an account, without password or token hashes."""
    trail = _events_about_user(session, user)
    return {
        "auskunft": "Auskunft nach Art. 15 DSGVO: gespeicherte Daten zu einem Konto",
        "erstellt_am": _iso(utcnow()),
        "konto": {
            "nummer": user.id,
            "email": user.email,
            "name": user.name,
            "rolle": user.role.label,
            "aktiv": user.active,
            "angelegt_am": _iso(user.created_at),
            "letzte_anmeldung": _iso(user.last_login_at),
            "geloescht_am": _iso(user.deleted_at),
        },
        "regionen": [{"kurzname": r.slug, "name": r.name} for r in user.regions],
        "tokens_und_links": [_token(t) for t in _tokens_of(session, user)],
        "artikelfassungen": [_revision(r) for r in _revisions_of(session, user)],
        "hochgeladene_dokumente": [
            {"dokument": e.object_key, "zeitpunkt": _iso(e.created_at), **_detail(e)}
            for e in trail
            if e.action in UPLOAD_ACTIONS and e.user_id == user.id
        ],
        "protokoll": [_event(e) for e in trail],
        "hinweise": [
            "Das Passwort ist nur als nicht umkehrbarer Hash gespeichert und wird nicht "
            "ausgegeben.",
            "Von Einladungs-, Passwort- und API-Links ist nur eine Prüfsumme gespeichert; "
            "die Links selbst kennt wissen nicht.",
        ],
    }


def contact_data(session: Session, contact: Contact) -> dict[str, Any]:
    """Everything wissen holds about a contact person, and where they are named."""
    articles = session.scalars(
        select(Article).where(Article.contacts.any(Contact.id == contact.id)).order_by(Article.slug)
    )
    documents = session.scalars(
        select(Document)
        .where(Document.contacts.any(Contact.id == contact.id))
        .order_by(Document.slug)
    )
    trail = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.object_type == "contact", AuditEvent.object_key == contact.slug)
        .order_by(AuditEvent.created_at, AuditEvent.id)
    )
    return {
        "auskunft": "Auskunft nach Art. 15 DSGVO: gespeicherte Daten zu einer Kontaktperson",
        "erstellt_am": _iso(utcnow()),
        "kontakt": {
            "kurzname": contact.slug,
            "name": contact.name,
            "funktion": contact.role,
            "organisation": contact.organisation,
            "region": contact.region.name if contact.region else "",
            "email": contact.email,
            "telefon": contact.phone,
            "sichtbarkeit": contact.visibility.label,
            "themen": [t.name for t in contact.themes],
            "einwilligung_am": _iso(contact.consent_date),
            "zuletzt_bestaetigt": _iso(contact.last_reviewed),
            "angelegt_am": _iso(contact.created_at),
            "geaendert_am": _iso(contact.updated_at),
            "entfernt_am": _iso(contact.removed_at),
        },
        "genannt_in": {
            "artikel": [_named_in(a) for a in articles],
            "dokumente": [_named_in(d) for d in documents],
        },
        "protokoll": [_event(e) for e in trail],
    }


def _tokens_of(session: Session, user: User) -> Iterable[UserToken]:
    return session.scalars(
        select(UserToken).where(UserToken.user_id == user.id).order_by(UserToken.created_at)
    )


def _revisions_of(session: Session, user: User) -> Iterable[Revision]:
    return session.scalars(
        select(Revision)
        .where(Revision.author_id == user.id)
        .order_by(Revision.created_at, Revision.id)
    )


def _token(token: UserToken) -> dict[str, Any]:
    return {
        "art": token.kind.label,
        "name": token.name,
        "angelegt_am": _iso(token.created_at),
        "gueltig_bis": _iso(token.expires_at),
        "eingeloest_am": _iso(token.used_at),
        "widerrufen_am": _iso(token.revoked_at),
        "zuletzt_benutzt_am": _iso(token.last_used_at),
    }


def _revision(revision: Revision) -> dict[str, Any]:
    return {
        "artikel": revision.article.slug,
        "titel": revision.title,
        "fassung": revision.number,
        "datum": _iso(revision.created_at),
        "kommentar": revision.message,
    }


def _named_in(item: Article | Document) -> dict[str, Any]:
    return {
        "kurzname": item.slug,
        "titel": item.title,
        "im_papierkorb": item.deleted_at is not None,
    }


def _event(event: AuditEvent) -> dict[str, Any]:
    return {
        "zeitpunkt": _iso(event.created_at),
        "aktion": action_label(event.action),
        "aktionscode": event.action,
        "person": event.actor,
        "objektart": event.object_type,
        "objekt": event.object_key,
        "details": _detail(event),
    }


def _detail(event: AuditEvent) -> dict[str, Any]:
    if not event.detail:
        return {}
    try:
        data = json.loads(event.detail)
    except ValueError:
        return {"text": event.detail}
    return data if isinstance(data, dict) else {"wert": data}


def _iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- Löschung ----------------------------------------------------------------------------


def erase_user(session: Session, user: User, actor: Any) -> str:
    """Erase an account on request and return its pseudonym; ``actor`` None is the CLI.

    Refused for one's own account and for the last active admin, so that wissen never
    ends up without anyone who can administer it."""
    if actor is not None and not can(actor, Action.ADMINISTER):
        raise Forbidden("Konten löschen dürfen nur Admins.")
    if user.deleted_at is not None:
        raise Invalid("Dieses Konto ist bereits gelöscht.")
    acting = signed_in(actor)
    if acting is not None and acting.id == user.id:
        raise Invalid(
            "Sie können Ihr eigenes Konto nicht löschen. Bitten Sie eine andere Person "
            "mit Admin-Rechten darum."
        )
    if users.is_last_admin(session, user):
        raise Invalid(
            "Dies ist das letzte aktive Admin-Konto. Geben Sie zuerst einem anderen Konto "
            "Admin-Rechte, sonst kann niemand mehr wissen verwalten."
        )
    pseudonym = pseudonym_of(user)
    _pseudonymise_trail(session, user, pseudonym)
    session.execute(delete(UserToken).where(UserToken.user_id == user.id))
    user.email = erased_email_of(user)
    user.name = ERASED_NAME
    user.password_hash = ""
    user.active = False
    user.deleted_at = utcnow()
    user.last_login_at = None
    user.regions = []
    users.end_sessions(user)
    audit.record(
        session, "user.erased", actor, actor="cli", object_type="user", object_key=pseudonym
    )
    session.commit()
    return pseudonym


def _emails_of(session: Session, user: User) -> set[str]:
    """The account's address now and any it had when it acted (the trail kept them)."""
    actors = session.scalars(select(AuditEvent.actor).where(AuditEvent.user_id == user.id))
    return {user.email.lower()} | {a.lower() for a in actors if "@" in a}


def _mentions(emails: set[str]) -> ColumnElement[bool]:
    return or_(
        *(
            condition
            for email in sorted(emails)
            for condition in (
                func.lower(AuditEvent.actor) == email,
                func.lower(AuditEvent.object_key) == email,
                func.lower(AuditEvent.detail).contains(email, autoescape=True),
            )
        )
    )


def _events_about_user(session: Session, user: User) -> list[AuditEvent]:
    """Events by the user, or naming them (as the object, or in the detail)."""
    query = select(AuditEvent).where(
        or_(AuditEvent.user_id == user.id, _mentions(_emails_of(session, user)))
    )
    return list(session.scalars(query.order_by(AuditEvent.created_at, AuditEvent.id)))


def _pseudonymise_trail(session: Session, user: User, pseudonym: str) -> None:
    """Replace the person's e-mail addresses (and names) by the pseudonym in every event.

    Names are replaced only where they stand as a whole value under a name field, or in
    a name change of this account: a bare substring match would also hit role names and
    words that happen to equal a short name."""
    emails = _emails_of(session, user)
    trail = _events_about_user(session, user)
    about = [e for e in trail if e.object_type == "user" and e.object_key.lower() in emails]
    names = {user.name.strip().lower()} - {""}
    for event in about:
        names |= _name_values(_detail(event), event.action == "user.name_changed")
    pattern = re.compile(
        "|".join(re.escape(e) for e in sorted(emails, key=len, reverse=True)), re.I
    )
    for event in trail:
        mine = event.user_id == user.id or event.actor.lower() in emails
        event.actor = pseudonym if mine else pattern.sub(pseudonym, event.actor)
        event.object_key = pattern.sub(pseudonym, event.object_key)
        event.detail = _scrubbed_detail(event, pattern, names, pseudonym, event in about)


def _name_values(value: Any, namey: bool) -> set[str]:
    if isinstance(value, dict):
        found: set[str] = set()
        for key, inner in value.items():
            found |= _name_values(inner, namey or "name" in str(key).lower())
        return found
    if isinstance(value, list):
        return set().union(*(_name_values(v, namey) for v in value)) if value else set()
    if namey and isinstance(value, str) and value.strip():
        return {value.strip().lower()}
    return set()


def _scrubbed_detail(
    event: AuditEvent, pattern: re.Pattern[str], names: set[str], pseudonym: str, about: bool
) -> str:
    if not event.detail:
        return event.detail
    try:
        data = json.loads(event.detail)
    except ValueError:
        return pattern.sub(pseudonym, event.detail)
    namey = about and event.action == "user.name_changed"
    cleaned = _scrub(data, pattern, names, pseudonym, namey)
    return json.dumps(cleaned, ensure_ascii=False, sort_keys=True, default=str)


def _scrub(
    value: Any, pattern: re.Pattern[str], names: set[str], pseudonym: str, namey: bool
) -> Any:
    if isinstance(value, dict):
        return {
            k: _scrub(v, pattern, names, pseudonym, namey or "name" in str(k).lower())
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_scrub(v, pattern, names, pseudonym, namey) for v in value]
    if isinstance(value, str):
        if namey and value.strip().lower() in names:
            return pseudonym
        return pattern.sub(pseudonym, value)
    return value
