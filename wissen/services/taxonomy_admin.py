"""Admins keep regions (name, kind, Bundesland, AGS) and themes (name, description, order).

Names appear in the search index of every article, document and contact of a region or
theme, so a rename queues all of them for re-indexing in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import Forbidden, InvalidFields
from wissen.models import REGION_KINDS, Article, Contact, Document, Region, Theme
from wissen.services import audit, indexing
from wissen.services.metadata import unique_slug
from wissen.services.permissions import Action, can

STATES = (
    "Baden-Württemberg",
    "Bayern",
    "Berlin",
    "Brandenburg",
    "Bremen",
    "Hamburg",
    "Hessen",
    "Mecklenburg-Vorpommern",
    "Niedersachsen",
    "Nordrhein-Westfalen",
    "Rheinland-Pfalz",
    "Saarland",
    "Sachsen",
    "Sachsen-Anhalt",
    "Schleswig-Holstein",
    "Thüringen",
)
AGS_LENGTHS = (2, 3, 5, 8, 12)  # Land, Regierungsbezirk, Kreis, Gemeinde, Regionalschlüssel


@dataclass
class RegionInput:
    name: str = ""
    kind: str = ""
    state: str = ""
    ags: str = ""


@dataclass
class ThemeInput:
    name: str = ""
    description: str = ""
    position: str = "0"


def region_input(region: Region) -> RegionInput:
    return RegionInput(region.name, region.kind, region.state, region.ags or "")


def theme_input(theme: Theme) -> ThemeInput:
    return ThemeInput(theme.name, theme.description, str(theme.position))


def save_region(session: Session, region: Region | None, data: RegionInput, user: Any) -> Region:
    """Create (``region`` None) or change a region."""
    _require_admin(user)
    problems: dict[str, str] = {}
    name = _name(data.name, problems)
    if data.kind not in REGION_KINDS:
        problems["kind"] = "Bitte eine Art auswählen (Landkreis, kreisfreie Stadt, …)."
    if data.state not in STATES and not (region is not None and data.state == region.state):
        problems["state"] = "Bitte ein Bundesland auswählen."
    ags = "".join(data.ags.split())
    # isascii: "²⁵" or "١٢٣٤٥" are digits to isdigit(), but no Gemeindeschlüssel.
    if ags and not (ags.isascii() and ags.isdigit() and len(ags) in AGS_LENGTHS):
        problems["ags"] = (
            "Der Amtliche Gemeindeschlüssel besteht aus Ziffern: 8 für eine Gemeinde "
            "(z. B. 07317000), 5 für einen Kreis (z. B. 12073)."
        )
    taken = session.scalar(select(Region).where(Region.name == name))
    if taken is not None and taken is not region:
        problems["name"] = "Eine Region mit diesem Namen gibt es schon."
    if problems:
        raise InvalidFields(problems)
    renamed = region is not None and region.name != name
    if region is None:
        region = Region(slug=unique_slug(session, Region, name, "region"))
        session.add(region)
    region.name, region.kind, region.state, region.ags = name, data.kind, data.state, ags or None
    session.flush()
    audit.record(session, "region.save", user, object_type="region", object_key=region.slug)
    if renamed:
        _reindex(session, region_id=region.id)
    session.commit()
    return region


def save_theme(session: Session, theme: Theme | None, data: ThemeInput, user: Any) -> Theme:
    """Create (``theme`` None) or change a theme."""
    _require_admin(user)
    problems: dict[str, str] = {}
    name = _name(data.name, problems)
    description = data.description.strip()
    if len(description) > 2000:
        problems["description"] = "Höchstens 2000 Zeichen."
    try:
        position = int(data.position.strip() or "0")
        if not 0 <= position <= 9999:
            raise ValueError
    except ValueError:
        problems["position"] = "Bitte eine ganze Zahl von 0 bis 9999 eingeben."
        position = 0
    taken = session.scalar(select(Theme).where(Theme.name == name))
    if taken is not None and taken is not theme:
        problems["name"] = "Ein Thema mit diesem Namen gibt es schon."
    if problems:
        raise InvalidFields(problems)
    renamed = theme is not None and theme.name != name
    if theme is None:
        theme = Theme(slug=unique_slug(session, Theme, name, "thema"))
        session.add(theme)
    theme.name, theme.description, theme.position = name, description, position
    session.flush()
    audit.record(session, "theme.save", user, object_type="theme", object_key=theme.slug)
    if renamed:
        _reindex(session, theme_id=theme.id)
    session.commit()
    return theme


def _require_admin(user: Any) -> None:
    if not can(user, Action.ADMINISTER):
        raise Forbidden("Nur die Administration darf Regionen und Themen ändern.")


def _name(value: str, problems: dict[str, str]) -> str:
    name = " ".join(value.split())
    if not name:
        problems["name"] = "Bitte einen Namen eingeben."
    elif len(name) > 200:
        problems["name"] = "Höchstens 200 Zeichen."
    return name


def _reindex(session: Session, *, region_id: int | None = None, theme_id: int | None = None):
    """Queue everything that shows the region's or theme's name in its index entry."""
    for model in (Article, Document, Contact):
        if region_id is not None:
            query = select(model).where(model.region_id == region_id)
        else:
            query = select(model).where(model.themes.any(Theme.id == theme_id))
        for obj in session.scalars(query):
            indexing.record_change(session, obj)
