"""Looking up the regions, themes, contacts and articles a form names by slug."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from wissen.models import Article, Contact, Document, Region, Theme
from wissen.text import slugify

MAX_TITLE = 300  # the length of the title columns
MAX_SUMMARY = 2000


def lookup_one(session: Session, model: type, slug: str, name: str, label: str, fail: Any) -> Any:
    if not slug:
        return None
    found = session.scalar(select(model).where(model.slug == slug))
    if found is None:
        fail(name, f"Unbekannte {label} „{slug}“.")
    return found


def lookup_many(
    session: Session, model: type, slugs: list[str], name: str, label: str, fail: Any
) -> list[Any]:
    wanted = list(dict.fromkeys(s for s in slugs if s))
    if not wanted:
        return []
    found = {o.slug: o for o in session.scalars(select(model).where(model.slug.in_(wanted)))}
    for slug in wanted:
        if slug not in found:
            fail(
                name,
                f"Unbekanntes {label} „{slug}“."
                if label == "Thema"
                else f"Unbekannter {label} „{slug}“.",
            )
    return [found[s] for s in wanted if s in found]


def parse_date(value: str, fail: Any) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        if "." in value:
            day, month, year = (int(part) for part in value.split("."))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(value)
    except (ValueError, OverflowError):  # "1.1.99999999999999999999": too big for a date
        fail("date", "Bitte ein Datum im Format TT.MM.JJJJ oder JJJJ-MM-TT eingeben.")
        return None


def lookup_metadata(session: Session, meta: Any) -> tuple[dict[str, Any], list[str]]:
    """Model values for a document form's region, themes, contacts, articles and date."""
    errors: list[str] = []

    def fail(_name: str, message: str) -> None:
        errors.append(message)

    # Refused, not cut short: a cut text would be stored other than typed, unnoticed.
    if len(" ".join(meta.title.split())) > MAX_TITLE:
        fail("title", f"Der Titel darf höchstens {MAX_TITLE} Zeichen lang sein.")
    summary = meta.summary.strip()
    if len(summary) > MAX_SUMMARY:
        fail("summary", f"Die Kurzbeschreibung darf höchstens {MAX_SUMMARY} Zeichen lang sein.")
    values = {
        "region": lookup_one(session, Region, meta.region, "region", "Region", fail),
        "themes": lookup_many(session, Theme, meta.themes, "themes", "Thema", fail),
        "contacts": lookup_many(session, Contact, meta.contacts, "contacts", "Kontakt", fail),
        "articles": lookup_many(session, Article, meta.articles, "articles", "Artikel", fail),
        "date": parse_date(meta.date, fail),
        "summary": summary,
    }
    return values, errors


def still_unchanged(session: Session, obj: Article | Contact | Document, seen: int) -> bool:
    """Whether ``obj`` still has edit version ``seen`` in the database; if so, its row stays
    held until this transaction ends.

    The form's version was compared with what this request read. Two saves at the same
    moment both pass that comparison, and without this the later one would silently undo
    the earlier one's changes to fields without revisions (themes, region, date …). The
    UPDATE waits for the other save's lock and then sees its version.
    """
    table = type(obj).__table__
    untouched = {c.name: c for c in table.c if c.onupdate is not None}  # no new updated_at
    held = session.execute(
        update(table)
        .where(table.c.id == obj.id, table.c.edit_version == seen)
        .values(edit_version=seen, **untouched)
    )
    return held.rowcount == 1


def free_document_slug(session: Session, wanted: str) -> str:
    base = slugify(wanted) or "dokument"
    candidate, number = base, 1
    while candidate == "neu" or session.scalar(
        select(Document.id).where(Document.slug == candidate)
    ):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def differs(current: Any, new: Any) -> bool:
    """Whether a field changes; related rows come back in database order, so compare sets."""
    if isinstance(current, list) and isinstance(new, list):
        return {id(o) for o in current} != {id(o) for o in new}
    return bool(current != new)


def apply_changes(obj: Any, values: dict[str, Any]) -> set[str]:
    """Set the fields of ``obj`` whose value differs; return their names."""
    changed = {key for key, value in values.items() if differs(getattr(obj, key), value)}
    for key in changed:
        setattr(obj, key, values[key])
    return changed


def unique_slug(
    session: Session, model: type, name: str, fallback: str, reserved: set[str] | None = None
) -> str:
    """A slug for ``name`` that no ``model`` row uses yet (``name-2``, ``name-3`` …); a
    reserved word (a fixed URL such as ``neu``) gets the fallback appended."""
    base = slugify(name)[:100] or fallback
    if base in (reserved or set()):
        base = f"{base}-{fallback}"
    slug, number = base, 1
    while session.scalar(select(model.id).where(model.slug == slug)) is not None:
        number += 1
        slug = f"{base}-{number}"
    return slug
