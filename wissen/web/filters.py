"""Jinja filters for German dates, file sizes and link chips."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Flask, url_for

from wissen.models import ArticleKind, Theme
from wissen.services.permissions import Action

from .helpers import viewer

BERLIN = ZoneInfo("Europe/Berlin")


def datum(value: datetime | None) -> str:
    """A timestamp as German readers expect it, in German time."""
    if value is None:
        return "–"
    return value.astimezone(BERLIN).strftime("%d.%m.%Y, %H:%M Uhr")


def dateigroesse(size: int | None) -> str:
    if size is None:
        return "–"
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}".replace(".", ",")
    return f"{size} Byte"


def theme_chips(themes: list[Theme]) -> list[dict[str, str]]:
    return [{"name": t.name, "url": url_for("browse.theme", slug=t.slug)} for t in themes]


def kind_label(value: str) -> str:
    try:
        return ArticleKind(value).label
    except ValueError:
        return value


def now_utc() -> datetime:
    return datetime.now(UTC)


def visible(obj: object) -> bool:
    """Jinja test: may the person behind this request see ``obj``?"""
    return viewer().can(Action.VIEW, obj)


def register(app: Flask) -> None:
    app.add_template_test(visible)
    app.add_template_filter(kind_label)
    app.add_template_global(now_utc)
    app.add_template_filter(datum)
    app.add_template_filter(dateigroesse)
    app.add_template_filter(theme_chips)
