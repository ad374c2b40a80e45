"""Contact persons as a viewer may see them: details only for signed-in users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from wissen.errors import Gone, NotFound
from wissen.models import (
    Article,
    Contact,
    ContactVisibility,
    Document,
    DocumentKind,
    Region,
    Theme,
)
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
    removed: bool = False
    consent_date: date | None = None
    last_reviewed: date | None = None
    editable: bool = False


def card(contact: Contact, viewer: Viewer) -> ContactCard:
    details = viewer.can(Action.VIEW_CONTACT_DETAILS, contact)
    editable = not contact.removed and viewer.can(Action.EDIT, contact)
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
        removed=contact.removed,
        consent_date=contact.consent_date if editable else None,
        last_reviewed=contact.last_reviewed if editable else None,
        editable=editable,
    )


@dataclass(frozen=True)
class DirectoryFilter:
    theme: str = ""
    region: str = ""
    role: str = ""  # part of the role ("Funktion"), any case

    @property
    def active(self) -> bool:
        return bool(self.theme or self.region or self.role)


def visible_contacts(
    session: Session, viewer: Viewer, chosen: DirectoryFilter | None = None
) -> list[ContactCard]:
    query = select(Contact).where(Contact.removed_at.is_(None)).order_by(Contact.name)
    if not viewer.signed_in:
        query = query.where(Contact.visibility == ContactVisibility.PUBLIC)
    chosen = chosen or DirectoryFilter()
    if chosen.theme:
        query = query.where(Contact.themes.any(Theme.slug == chosen.theme))
    if chosen.region:
        query = query.where(Contact.region.has(Region.slug == chosen.region))
    if chosen.role:
        query = query.where(func.lower(Contact.role).contains(chosen.role.lower()))
    return [card(c, viewer) for c in session.scalars(query)]


def cards(contacts: list[Contact], viewer: Viewer) -> list[ContactCard]:
    """Cards of the contacts an article or document names; a contact removed on request
    stays as a "Kontakt entfernt" placeholder (it holds no personal data any more)."""
    return [card(c, viewer) for c in contacts if c.removed or viewer.can(Action.VIEW, c)]


def find_contact(session: Session, slug: str, viewer: Viewer) -> Contact:
    contact = session.scalar(select(Contact).where(Contact.slug == slug))
    # An internal contact does not exist for anonymous visitors: not even its name leaks.
    if contact is None or (not contact.removed and not viewer.can(Action.VIEW, contact)):
        raise NotFound(f"Es gibt keinen Kontakt „{slug}“.")
    if contact.removed:
        raise Gone("Dieser Kontakt wurde auf Wunsch der Person entfernt.")
    return contact


def get_contact(session: Session, slug: str, viewer: Viewer) -> ContactCard:
    return card(find_contact(session, slug, viewer), viewer)


@dataclass(frozen=True)
class ContactWork:
    """What a person is named in: articles, talks (slide decks), other documents."""

    articles: list[Article]
    talks: list[Document]
    documents: list[Document]


def work_of(session: Session, contact: Contact, viewer: Viewer) -> ContactWork:
    articles = session.scalars(
        select(Article)
        .where(Article.contacts.any(Contact.id == contact.id), Article.deleted_at.is_(None))
        .order_by(Article.date.desc().nulls_last(), Article.title)
    )
    documents = session.scalars(
        select(Document)
        .where(Document.contacts.any(Contact.id == contact.id), Document.deleted_at.is_(None))
        .order_by(Document.date.desc().nulls_last(), Document.title)
    )
    visible = [d for d in documents if viewer.can(Action.VIEW, d)]
    return ContactWork(
        articles=[a for a in articles if viewer.can(Action.VIEW, a)],
        talks=[d for d in visible if d.kind is DocumentKind.PRESENTATION],
        documents=[d for d in visible if d.kind is not DocumentKind.PRESENTATION],
    )
