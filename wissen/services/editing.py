"""Writing articles: create, save with conflict detection, restore an old revision.

Every save that changes title or body appends an immutable Revision; a save whose base
revision is no longer the current one raises EditConflict instead of overwriting, so a
second editor never silently replaces the first one's words.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from wissen.errors import Conflict, Forbidden, Invalid
from wissen.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Contact,
    Region,
    Revision,
    SlugRedirect,
    Tag,
    Theme,
)
from wissen.services import audit, indexing
from wissen.services.metadata import (
    MAX_SUMMARY,
    MAX_TITLE,
    apply_changes,
    lookup_many,
    lookup_one,
    parse_date,
    still_unchanged,
)
from wissen.services.permissions import Action, can, signed_in
from wissen.text import is_valid_slug, slugify

MAX_PLACE = 200
MAX_TAG = 120  # the length of Tag.name
# Long enough for any real article; bounds the parser's work on pathological input.
MAX_BODY = 200_000


@dataclass
class ArticleInput:
    """What an editor typed, as text; validated into model values by ``check``."""

    title: str = ""
    kind: str = ""
    region: str = ""
    themes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    summary: str = ""
    date: str = ""
    place: str = ""  # where an event took place
    body: str = ""
    message: str = ""


class FormInvalid(Invalid):
    """Several fields are wrong; ``errors`` maps field name → German messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("Bitte prüfen Sie die markierten Felder.")
        self.errors = errors


class EditConflict(Conflict):
    """Someone saved a newer revision since the editor opened the form."""

    def __init__(self, article: Article, theirs: ArticleInput) -> None:
        super().__init__(
            "Der Artikel wurde inzwischen von jemand anderem geändert. Ihr Text ist nicht "
            "verloren: Bitte führen Sie beide Fassungen zusammen."
        )
        self.article = article
        self.current = article.current_revision
        self.theirs = theirs


@dataclass
class Checked:
    values: dict[str, Any]
    errors: dict[str, list[str]]


def check(session: Session, data: ArticleInput) -> Checked:
    """Validate ``data``; collect every problem instead of stopping at the first."""
    errors: dict[str, list[str]] = {}

    def fail(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    title = " ".join(data.title.split())
    if not title:
        fail("title", "Bitte einen Titel eingeben.")
    elif len(title) > MAX_TITLE:
        fail("title", f"Der Titel darf höchstens {MAX_TITLE} Zeichen lang sein.")
    if data.kind not in {k.value for k in ArticleKind}:
        fail("kind", "Bitte eine Art auswählen.")
    if len(data.summary) > MAX_SUMMARY:
        fail("summary", f"Die Zusammenfassung darf höchstens {MAX_SUMMARY} Zeichen lang sein.")
    if len(normalise_body(data.body)) > MAX_BODY:
        fail("body", f"Der Text darf höchstens {MAX_BODY:,} Zeichen lang sein.".replace(",", "."))
    if any(len(" ".join(tag.split())) > MAX_TAG for tag in data.tags):
        # Refused, not cut short: a cut tag would be stored other than typed, unnoticed.
        fail("tags", f"Ein Schlagwort darf höchstens {MAX_TAG} Zeichen lang sein.")
    values: dict[str, Any] = {
        "title": title,
        "kind": ArticleKind(data.kind) if data.kind in {k.value for k in ArticleKind} else None,
        "summary": data.summary.strip(),
        "body": normalise_body(data.body),
        "region": lookup_one(session, Region, data.region, "region", "Region", fail),
        "themes": lookup_many(session, Theme, data.themes, "themes", "Thema", fail),
        "contacts": lookup_many(session, Contact, data.contacts, "contacts", "Kontakt", fail),
        "tags": _clean_tags(data.tags),
        "date": parse_date(data.date, fail),
        "place": " ".join(data.place.split()),
    }
    if len(values["place"]) > MAX_PLACE:
        fail("place", f"Der Ort darf höchstens {MAX_PLACE} Zeichen lang sein.")
    return Checked(values, errors)


def normalise_body(body: str) -> str:
    # Browsers send CRLF; revisions compare and diff on LF only.
    text = body.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") or not text else text + "\n"


def _clean_tags(tags: list[str]) -> list[str]:
    names = (" ".join(t.split())[:MAX_TAG] for t in tags)
    return list(dict.fromkeys(n for n in names if n))


def tags_for(session: Session, names: list[str]) -> list[Tag]:
    existing = {t.name: t for t in session.scalars(select(Tag).where(Tag.name.in_(names)))}
    tags = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = Tag(name=name, slug=slugify(name) or "schlagwort")
            session.add(tag)
        tags.append(tag)
    return tags


def free_slug(session: Session, wanted: str) -> str:
    """``wanted`` if no article or redirect uses it, else ``wanted-2``, ``wanted-3`` …"""
    base = slugify(wanted) or "artikel"
    candidate, number = base, 1
    while _slug_taken(session, candidate):
        number += 1
        candidate = f"{base}-{number}"
    return candidate


# Paths under /artikel/ that are pages of their own, not articles.
RESERVED_SLUGS = frozenset({"neu"})


def _slug_taken(session: Session, slug: str) -> bool:
    return slug in RESERVED_SLUGS or bool(
        session.scalar(select(Article.id).where(Article.slug == slug))
        or session.scalar(select(SlugRedirect.id).where(SlugRedirect.old_slug == slug))
    )


def create_article(
    session: Session,
    data: ArticleInput,
    user: Any,
    *,
    slug: str = "",
    publish: bool = False,
) -> Article:
    """Create an article and its first revision; drafts unless ``publish``."""
    checked = check(session, data)
    if slug and not is_valid_slug(slug):
        slug = ""  # a hand-edited ?slug= must not block saving: the title gives one
    if checked.errors:
        raise FormInvalid(checked.errors)
    values = checked.values
    if not can(user, Action.CREATE, values["region"] or _NoRegion()):
        raise Forbidden("Sie dürfen in dieser Region keine Artikel anlegen.")
    body = values.pop("body")
    values["tags"] = tags_for(session, values["tags"])
    article = Article(
        slug=free_slug(session, slug or values["title"]),
        status=ArticleStatus.PUBLISHED if publish else ArticleStatus.DRAFT,
        **values,
    )
    session.add(article)
    session.flush()
    _append_revision(session, article, values["title"], body, user, data.message or "Angelegt")
    audit.record(session, "article.create", user, object_type="article", object_key=article.slug)
    indexing.record_change(session, article)
    session.commit()
    return article


class _NoRegion:
    """Stands for "no region" when asking whether a user may create content."""

    region = None


def _append_revision(
    session: Session, article: Article, title: str, body: str, user: Any, message: str
) -> Revision:
    number = 1 + (article.current_revision.number if article.current_revision else 0)
    account = signed_in(user)
    revision = Revision(
        article=article,
        number=number,
        title=title,
        body=body,
        author_id=account.id if account else None,
        message=message.strip()[:500],
    )
    session.add(revision)
    session.flush()
    article.current_revision = revision
    if number > 1:
        article.edit_version = (article.edit_version or 1) + 1
    return revision


@dataclass(frozen=True)
class SaveResult:
    article: Article
    revision: Revision | None
    metadata_changed: bool

    @property
    def changed(self) -> bool:
        return self.revision is not None or self.metadata_changed


def save_article(
    session: Session,
    article: Article,
    data: ArticleInput,
    base_revision: int,
    user: Any,
    *,
    base_version: int | None = None,
) -> SaveResult:
    """Save an edit made on top of revision ``base_revision``.

    Raises EditConflict when another revision was saved in between, FormInvalid on bad
    input and Forbidden when the user may not edit the article or move it to that region.
    """
    if not can(user, Action.EDIT, article):
        raise Forbidden("Sie dürfen diesen Artikel nicht bearbeiten.")
    checked = check(session, data)
    if checked.errors:
        raise FormInvalid(checked.errors)
    values = checked.values
    if values["region"] is not article.region and not can(
        user, Action.CREATE, values["region"] or _NoRegion()
    ):
        raise Forbidden("Sie dürfen Artikel nicht in diese Region verschieben.")
    current = article.current_revision
    seen = article.edit_version
    stale_text = current is not None and current.number != base_revision
    if stale_text or (base_version is not None and base_version != seen):
        raise EditConflict(article, data)
    body = values.pop("body")
    with _lost_race_is_conflict(session, article, data, base_revision):
        if not still_unchanged(session, article, seen):
            session.rollback()
            raise EditConflict(article, data)
        values["tags"] = tags_for(session, values["tags"])
        metadata_changed = bool(apply_changes(article, values))
        revision = None
        if current is None or (current.title, current.body) != (values["title"], body):
            revision = _append_revision(session, article, values["title"], body, user, data.message)
        result = SaveResult(article, revision, metadata_changed)
        if metadata_changed and revision is None:
            article.edit_version += 1
        if result.changed:
            audit.record(
                session,
                "article.edit",
                user,
                object_type="article",
                object_key=article.slug,
                revision=revision.number if revision else None,
            )
            indexing.record_change(session, article)
        session.commit()
    return result


@contextlib.contextmanager
def _lost_race_is_conflict(
    session: Session, article: Article, data: ArticleInput, base_revision: int
) -> Iterator[None]:
    """Two saves on the same base revision at the same moment both pass the check above;
    the later one then fails on the unique revision number (found by bench/load.py: HTTP
    500). That is the same conflict as a stale base, so the editor gets the conflict page."""
    try:
        yield
    except IntegrityError:
        session.rollback()
        current = article.current_revision  # reloaded: the revision that won the race
        if current is not None and current.number != base_revision:
            raise EditConflict(article, data) from None
        raise


def restore_revision(session: Session, article: Article, number: int, user: Any) -> Revision:
    """Make revision ``number`` current again, as a new revision; history stays intact."""
    if not can(user, Action.EDIT, article):
        raise Forbidden("Sie dürfen diesen Artikel nicht bearbeiten.")
    old = session.scalar(
        select(Revision).where(Revision.article_id == article.id, Revision.number == number)
    )
    if old is None:
        raise Invalid(f"Version {number} gibt es nicht.")
    current = article.current_revision
    if current is not None and (current.title, current.body) == (old.title, old.body):
        raise Invalid(f"Version {number} entspricht schon der aktuellen Fassung.")
    article.title = old.title
    revision = _append_revision(
        session, article, old.title, old.body, user, f"Version {number} wiederhergestellt"
    )
    audit.record(
        session,
        "article.restore_revision",
        user,
        object_type="article",
        object_key=article.slug,
        restored=number,
    )
    indexing.record_change(session, article)
    session.commit()
    return revision


def append_link_rewrite(
    session: Session, article: Article, body: str, message: str, user: Any
) -> Revision:
    """A new revision whose only change is a rewritten [[link]] after a rename.

    No permission check: the rename that causes it was checked, and the rewrite changes
    nothing but the link target, even in articles of other regions.
    """
    title = article.current_revision.title if article.current_revision else article.title
    revision = _append_revision(session, article, title, body, user, message)
    indexing.record_change(session, article)
    return revision
