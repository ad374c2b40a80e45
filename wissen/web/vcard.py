"""Contacts as vCards (``.vcf``) for address books, built with vobject."""

from __future__ import annotations

import vobject

from wissen.services.contacts import ContactCard


def serialise(card: ContactCard, page_url: str) -> str:
    """A vCard 3.0 in UTF-8 with what this viewer may see of the contact (e-mail and phone
    only for signed-in users: the card carries the same data as the page)."""
    entry = vobject.vCard()
    entry.add("fn").value = card.name
    given, _, family = card.name.rpartition(" ")
    entry.add("n").value = vobject.vcard.Name(family=family, given=given)
    if card.role:
        entry.add("title").value = card.role
    if card.organisation:
        entry.add("org").value = [card.organisation]
    if card.email:
        email = entry.add("email")
        email.value = card.email
        email.type_param = "INTERNET"
    if card.phone:
        phone = entry.add("tel")
        phone.value = card.phone
        phone.type_param = "WORK"
    if card.region:
        entry.add("note").value = f"Region: {card.region.name}"
    entry.add("url").value = page_url
    return entry.serialize()
