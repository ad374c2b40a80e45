"""Contact persons as a viewer may see them: details only for signed-in users."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import NotFound
from wissen.models import Contact, ContactVisibility, Region, Theme
from wissen.services.permissions import Action, Viewer


@dataclass(frozen=True)
class ContactCard:
    """What a viewer may see of a contact; e-mail and phone are empty when hidden."""

    slug: str
    name: str
    role: str
    organisation: str
    region: Region | None
    themes: list[Theme]
    email: str
    phone: str
    details_hidden: bool
    visibility: ContactVisibility


def card(contact: Contact, viewer: Viewer) -> ContactCard:
    details = viewer.can(Action.VIEW_CONTACT_DETAILS, contact)
    return ContactCard(
        slug=contact.slug,
        name=contact.name,
        role=contact.role,
        organisation=contact.organisation,
        region=contact.region,
        themes=list(contact.themes),
        email=contact.email if details else "",
        phone=contact.phone if details else "",
        details_hidden=not details and bool(contact.email or contact.phone),
        visibility=contact.visibility,
    )


def visible_contacts(session: Session, viewer: Viewer) -> list[ContactCard]:
    query = select(Contact).order_by(Contact.name)
    if not viewer.signed_in:
        query = query.where(Contact.visibility == ContactVisibility.PUBLIC)
    return [card(c, viewer) for c in session.scalars(query)]


def cards(contacts: list[Contact], viewer: Viewer) -> list[ContactCard]:
    return [card(c, viewer) for c in contacts if viewer.can(Action.VIEW, c)]


def get_contact(session: Session, slug: str, viewer: Viewer) -> ContactCard:
    contact = session.scalar(select(Contact).where(Contact.slug == slug))
    # An internal contact does not exist for anonymous visitors: not even its name leaks.
    if contact is None or not viewer.can(Action.VIEW, contact):
        raise NotFound(f"Es gibt keinen Kontakt „{slug}“.")
    return card(contact, viewer)


def contacts_on_theme(session: Session, theme: Theme) -> list[Contact]:
    query = select(Contact).where(Contact.themes.any(Theme.id == theme.id))
    return list(session.scalars(query.order_by(Contact.name)))


def contacts_in_region(session: Session, region_id: int) -> list[Contact]:
    query = select(Contact).where(Contact.region_id == region_id)
    return list(session.scalars(query.order_by(Contact.name)))
