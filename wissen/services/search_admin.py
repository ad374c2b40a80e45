"""Admins keep the thesaurus and read the searches without hits."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from wissen.errors import Invalid
from wissen.models import SearchMiss, ThesaurusText, User
from wissen.search import thesaurus as thesaurus_text

from . import audit

MAX_THESAURUS_CHARS = 200_000


def save_thesaurus(session: Session, text: str, user: User) -> int:
    """Store the admins' thesaurus; returns its number of lines with content.

    Lines that make no sense are rejected with their line numbers; nothing is stored then.
    """
    text = text.replace("\r\n", "\n")
    if len(text) > MAX_THESAURUS_CHARS:
        raise Invalid("Der Thesaurus ist zu lang (höchstens 200.000 Zeichen).", field="text")
    _, problems = thesaurus_text.parse(text)
    if problems:
        listed = "; ".join(f"Zeile {p.line}: {p.message}" for p in problems[:10])
        raise Invalid(f"Der Thesaurus wurde nicht gespeichert. {listed}", field="text")
    row = session.scalar(select(ThesaurusText).limit(1))
    if row is None:
        row = ThesaurusText(text=text)
        session.add(row)
    row.text = text
    row.updated_by_id = user.id
    audit.record(session, "thesaurus.save", user, object_type="thesaurus")
    session.commit()
    return sum(1 for line in text.splitlines() if line.split("#", 1)[0].strip())


def reset_thesaurus(session: Session, user: User) -> None:
    """Back to the shipped thesaurus."""
    session.execute(delete(ThesaurusText))
    audit.record(session, "thesaurus.reset", user, object_type="thesaurus")
    session.commit()


def thesaurus_is_edited(session: Session) -> bool:
    return session.scalar(select(ThesaurusText.id).limit(1)) is not None


def clear_misses(session: Session, user: User) -> None:
    session.execute(delete(SearchMiss))
    audit.record(session, "search_misses.clear", user, object_type="search")
    session.commit()
