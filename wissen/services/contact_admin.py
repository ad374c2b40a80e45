"""Editors keep the contacts of their regions: create, edit, confirm, remove on request.

DSGVO: each contact has a visibility (öffentlich: name and role for everyone; intern: only
signed-in users see the person at all), the date of consent, and the date the data was
last confirmed. Removal on request blanks every personal field but keeps the row, so that
articles which named the person show "Kontakt entfernt" and keep their own text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from wissen.errors import Conflict, Forbidden, Invalid, InvalidFields
from wissen.models import Contact, ContactVisibility, Region, Theme, utcnow
from wissen.services import audit, indexing
from wissen.services.metadata import still_unchanged, unique_slug
from wissen.services.permissions import Action, Viewer, can

REVIEW_AFTER = timedelta(days=365)
REMOVED_NAME = "Kontakt entfernt"
CHANGED_MEANWHILE = (
    "Jemand anderes hat diesen Kontakt gespeichert, während Sie ihn bearbeitet haben. "
    "Ihre Eingaben stehen noch im Formular; was jetzt gespeichert ist, steht darüber. "
    "Prüfen Sie beides und speichern Sie erneut."
)
LIMITS = {"name": 200, "role": 300, "organisation": 300, "email": 320, "phone": 60}


@dataclass
class ContactInput:
    """The contact form as typed (strings), kept as is when validation fails."""

    name: str = ""
    role: str = ""
    organisation: str = ""
    region: str = ""
    email: str = ""
    phone: str = ""
    visibility: str = ContactVisibility.PUBLIC.value
    consent_date: str = ""
    themes: list[str] = field(default_factory=list)


def input_of(contact: Contact) -> ContactInput:
    return ContactInput(
        name=contact.name,
        role=contact.role,
        organisation=contact.organisation,
        region=contact.region.slug if contact.region else "",
        email=contact.email,
        phone=contact.phone,
        visibility=contact.visibility.value,
        consent_date=contact.consent_date.isoformat() if contact.consent_date else "",
        themes=[t.slug for t in contact.themes],
    )


def saved_differences(contact: Contact, data: ContactInput) -> list[tuple[str, str]]:
    """What is saved now where it differs from the form as typed: (German label, value)."""
    saved = input_of(contact)
    shown = {
        "name": ("Name", contact.name),
        "role": ("Funktion", contact.role),
        "organisation": ("Organisation", contact.organisation),
        "region": ("Region", contact.region.name if contact.region else "keine"),
        "email": ("E-Mail", contact.email),
        "phone": ("Telefon", contact.phone),
        "visibility": ("Sichtbarkeit", contact.visibility.label),
        "consent_date": ("Einwilligung erteilt am", saved.consent_date),
        "themes": ("Themen", ", ".join(t.name for t in contact.themes) or "keine"),
    }
    typed = dict(vars(data), themes=sorted(data.themes))
    return [
        (label, value or "leer")
        for key, (label, value) in shown.items()
        if (sorted(saved.themes) if key == "themes" else getattr(saved, key)) != typed[key]
    ]


def create_contact(session: Session, data: ContactInput, user: Any) -> Contact:
    values = _checked(session, data)
    if not can(user, Action.CREATE, values["region"] or None):
        raise Forbidden("Sie dürfen für diese Region keine Kontakte anlegen.")
    contact = Contact(
        slug=unique_slug(session, Contact, values["name"], "kontakt", {"neu"}), **values
    )
    contact.last_reviewed = date.today()
    session.add(contact)
    session.flush()
    audit.record(session, "contact.create", user, object_type="contact", object_key=contact.slug)
    indexing.record_change(session, contact)
    session.commit()
    return contact


def update_contact(
    session: Session,
    contact: Contact,
    data: ContactInput,
    user: Any,
    base_version: int | None = None,
) -> bool:
    """Save the form; editing counts as confirming the data. Returns whether it changed.

    ``base_version`` is the edit version the form was opened at: when someone saved the
    contact since, Conflict, so that nobody silently undoes another's change.
    """
    _require_editable(contact, user)
    values = _checked(session, data)
    if values["region"] is not contact.region and not can(user, Action.CREATE, values["region"]):
        raise Forbidden("Sie dürfen Kontakte nicht in diese Region verschieben.")
    if base_version is not None and not (
        base_version == contact.edit_version and still_unchanged(session, contact, base_version)
    ):
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE)
    changed = sorted(k for k, v in values.items() if getattr(contact, k) != v)
    for key in changed:
        setattr(contact, key, values[key])
    contact.last_reviewed = date.today()
    contact.edit_version += 1
    audit.record(
        session,
        "contact.edit",
        user,
        object_type="contact",
        object_key=contact.slug,
        fields=changed,
    )
    indexing.record_change(session, contact)
    session.commit()
    return bool(changed)


def confirm_contact(session: Session, contact: Contact, user: Any) -> None:
    """The person confirmed that the data is still right ("zuletzt bestätigt": today)."""
    _require_editable(contact, user)
    contact.last_reviewed = date.today()
    audit.record(session, "contact.confirm", user, object_type="contact", object_key=contact.slug)
    session.commit()


def remove_contact(session: Session, contact: Contact, user: Any) -> None:
    """Delete the person's data on request; articles and documents that named them stay."""
    _require_editable(contact, user)
    slug = contact.slug
    contact.name = REMOVED_NAME
    contact.role = contact.organisation = contact.email = contact.phone = ""
    contact.themes = []
    contact.consent_date = contact.last_reviewed = None
    contact.visibility = ContactVisibility.INTERNAL
    contact.removed_at = utcnow()
    # The audit trail keeps only the slug (a pseudonym), never the removed data.
    audit.record(session, "contact.remove", user, object_type="contact", object_key=slug)
    indexing.record_change(session, contact)
    session.commit()


def due_for_review(session: Session, viewer: Viewer, today: date | None = None) -> list[Contact]:
    """Contacts this editor keeps whose data nobody confirmed for a year (or never)."""
    limit = (today or date.today()) - REVIEW_AFTER
    query = select(Contact).where(
        Contact.removed_at.is_(None),
        or_(Contact.last_reviewed.is_(None), Contact.last_reviewed < limit),
    )
    found = session.scalars(query.order_by(Contact.last_reviewed.nulls_first(), Contact.name))
    return [c for c in found if viewer.can(Action.EDIT, c)]


def _require_editable(contact: Contact, user: Any) -> None:
    if contact.removed:
        raise Invalid("Dieser Kontakt wurde bereits entfernt.")
    if not can(user, Action.EDIT, contact):
        raise Forbidden("Sie dürfen diesen Kontakt nicht bearbeiten.")


def _checked(session: Session, data: ContactInput) -> dict[str, Any]:
    """The model values for ``data``, or InvalidFields naming every wrong field."""
    problems: dict[str, str] = {}
    text = {key: " ".join(str(getattr(data, key)).split()) for key in LIMITS}
    for key, limit in LIMITS.items():
        if len(text[key]) > limit:
            problems[key] = f"Höchstens {limit} Zeichen."
    if not text["name"]:
        problems["name"] = "Bitte den Namen eingeben."
    if not text["role"]:
        problems["role"] = "Bitte die Funktion eingeben, z. B. „Koordinatorin Ehrenamt“."
    email = _email(text["email"], problems)
    phone = _phone(text["phone"], problems)
    region = None
    if data.region:
        region = session.scalar(select(Region).where(Region.slug == data.region))
        if region is None:
            problems["region"] = "Diese Region gibt es nicht."
    themes = list(session.scalars(select(Theme).where(Theme.slug.in_(data.themes or []))))
    if len(themes) != len(set(data.themes or [])):
        problems["themes"] = "Mindestens eines der Themen gibt es nicht."
    try:
        visibility = ContactVisibility(data.visibility)
    except ValueError:
        problems["visibility"] = "Bitte „öffentlich“ oder „intern“ wählen."
        visibility = ContactVisibility.INTERNAL
    consent = _day(data.consent_date, problems)
    if problems:
        raise InvalidFields(problems)
    return {
        "name": text["name"],
        "role": text["role"],
        "organisation": text["organisation"],
        "email": email,
        "phone": phone,
        "region": region,
        "themes": sorted(themes, key=lambda t: t.slug),
        "visibility": visibility,
        "consent_date": consent,
    }


def _email(value: str, problems: dict[str, str]) -> str:
    if not value:
        return ""
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        problems["email"] = "Bitte eine gültige E-Mail-Adresse eingeben, z. B. name@landkreis.de."
        return value


def _phone(value: str, problems: dict[str, str]) -> str:
    """A German number in international format (+49 …); other countries with their prefix."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "DE")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        problems["phone"] = (
            "Bitte eine gültige Telefonnummer eingeben, z. B. 03984 70-1234 oder +49 3984 701234."
        )
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def _day(value: str, problems: dict[str, str]) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        problems["consent_date"] = "Bitte ein Datum wie 2026-03-15 eingeben."
        return None
    if day > date.today():
        problems["consent_date"] = "Die Einwilligung kann nicht in der Zukunft liegen."
    return day
