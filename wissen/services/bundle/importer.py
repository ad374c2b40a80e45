"""Apply a read bundle to the database: idempotent, item by item, nothing lost on bad input."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from wissen.extract.sniff import sniff_media_type
from wissen.extract.supported import SUPPORTED_MEDIA_TYPES
from wissen.models import (
    Article,
    ArticleKind,
    ArticleStatus,
    Contact,
    ContactVisibility,
    Document,
    DocumentKind,
    DocumentStatus,
    Region,
    Revision,
    Tag,
    Theme,
)
from wissen.services import audit, indexing
from wissen.services.metadata import differs
from wissen.storage import BlobStore
from wissen.text import slugify

from .fields import ItemError
from .read import (
    ArticleItem,
    Bundle,
    ContactItem,
    DocumentItem,
    Item,
    Problem,
    RegionItem,
    ThemeItem,
    read_bundle,
)

NEW, CHANGED, SAME, REJECTED = "neu", "geändert", "unverändert", "abgelehnt"
PARTS = ("themes", "regions", "contacts", "articles", "documents")
PART_LABELS = {
    "themes": "Themen",
    "regions": "Regionen",
    "contacts": "Kontakte",
    "articles": "Artikel",
    "documents": "Dokumente",
}


@dataclass
class ImportReport:
    counts: dict[str, Counter[str]] = field(default_factory=lambda: {p: Counter() for p in PARTS})
    problems: list[Problem] = field(default_factory=list)

    @property
    def rejected(self) -> list[Problem]:
        return [p for p in self.problems if p.rejected]

    def summary_lines(self) -> list[str]:
        lines = []
        for part in PARTS:
            c = self.counts[part]
            lines.append(
                f"{PART_LABELS[part]}: {c[NEW]} neu, {c[CHANGED]} geändert, "
                f"{c[SAME]} unverändert, {c[REJECTED]} abgelehnt"
            )
        return lines


class Progress:
    """Where the importer reports how far it is; the CLI draws a bar from this."""

    def start(self, total: int) -> None:  # pragma: no cover - default does nothing
        pass

    def advance(self, label: str) -> None:  # pragma: no cover - default does nothing
        pass


def import_bundle(
    session: Session,
    store: BlobStore,
    root: Path,
    *,
    user: Any = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the bundle at ``root``; the good items are committed one by one."""
    progress = progress or Progress()
    bundle = read_bundle(root)
    report = ImportReport(problems=list(bundle.problems))
    for problem in bundle.problems:
        if problem.rejected:
            report.counts[_part_of(problem.file)][REJECTED] += 1
    progress.start(sum(1 for _ in bundle.items()))
    importer = _Importer(session, store, user)
    for part, apply in importer.steps(bundle):
        for item in getattr(bundle, part):
            progress.advance(f"{PART_LABELS[part]}: {item.slug}")
            outcome = _apply_one(session, apply, item, report)
            report.counts[part][outcome] += 1
    audit.record(
        session,
        "bundle.import",
        user,
        actor="import",
        object_key=str(root),
        **{p: dict(report.counts[p]) for p in PARTS},
    )
    session.commit()
    return report


def _part_of(file: str) -> str:
    for part in PARTS:
        if file.startswith(part):
            return part
    return "articles"


def _apply_one(
    session: Session, apply: Callable[[Any], str], item: Item, report: ImportReport
) -> str:
    try:
        outcome = apply(item)
        session.commit()
        return outcome
    except ItemError as error:
        session.rollback()
        report.problems.append(Problem(item.file, item.line, str(error)))
    except SQLAlchemyError as error:
        session.rollback()
        message = f"Datenbankfehler, Eintrag nicht gespeichert: {error.__class__.__name__}"
        report.problems.append(Problem(item.file, item.line, message))
    return REJECTED


class _Importer:
    def __init__(self, session: Session, store: BlobStore, user: Any) -> None:
        self.session = session
        self.store = store
        self.user = user

    def steps(self, bundle: Bundle) -> list[tuple[str, Callable[[Any], str]]]:
        return [
            ("themes", self.theme),
            ("regions", self.region),
            ("contacts", self.contact),
            ("articles", self.article),
            ("documents", self.document),
        ]

    # -- lookups ---------------------------------------------------------------------------

    def _by_slug(self, model: type, slug: str) -> Any:
        return self.session.scalar(select(model).where(model.slug == slug))

    def _region(self, slug: str | None) -> Region | None:
        if slug is None:
            return None
        region = self._by_slug(Region, slug)
        if region is None:
            raise ItemError(f"unbekannte Region „{slug}“.")
        return region

    def _many(self, model: type, slugs: list[str], label: str) -> list[Any]:
        if not slugs:
            return []
        found = {
            o.slug: o for o in self.session.scalars(select(model).where(model.slug.in_(slugs)))
        }
        missing = [s for s in slugs if s not in found]
        if missing:
            raise ItemError(f"{label} „{'“, „'.join(missing)}“.")
        return [found[s] for s in slugs]

    def _tags(self, names: list[str]) -> list[Tag]:
        tags = []
        for name in names:
            tag = self.session.scalar(select(Tag).where(Tag.name == name))
            if tag is None:
                tag = Tag(name=name, slug=slugify(name) or "tag")
                self.session.add(tag)
            tags.append(tag)
        return tags

    # -- each part -------------------------------------------------------------------------

    def theme(self, item: ThemeItem) -> str:
        values = {"name": item.name, "description": item.description, "position": item.position}
        return self._upsert(Theme, item.slug, values)

    def region(self, item: RegionItem) -> str:
        values = {"name": item.name, "kind": item.kind, "state": item.state, "ags": item.ags}
        return self._upsert(Region, item.slug, values)

    def contact(self, item: ContactItem) -> str:
        values = {
            "name": item.name,
            "role": item.role,
            "organisation": item.organisation,
            "region": self._region(item.region),
            "email": item.email,
            "phone": item.phone,
            "themes": self._many(Theme, item.themes, "unbekanntes Thema"),
            "visibility": ContactVisibility(item.visibility),
            "consent_date": item.consent_date,
            "last_reviewed": item.last_reviewed,
        }
        return self._upsert(Contact, item.slug, values, indexed=True)

    def article(self, item: ArticleItem) -> str:
        values = {
            "title": item.title,
            "kind": ArticleKind(item.kind),
            "region": self._region(item.region),
            "themes": self._many(Theme, item.themes, "unbekanntes Thema"),
            "tags": self._tags(item.tags),
            "contacts": self._many(Contact, item.contacts, "unbekannter Kontakt"),
            "date": item.date,
            "place": item.place,
            "summary": item.summary,
            "status": ArticleStatus(item.status),
        }
        article = self._by_slug(Article, item.slug)
        outcome = self._upsert(Article, item.slug, values, indexed=False)
        article = article or self._by_slug(Article, item.slug)
        current = article.current_revision
        if current is None or (current.title, current.body) != (item.title, item.body):
            self._add_revision(article, item)
            if outcome == SAME:
                article.edit_version += 1
            outcome = outcome if outcome == NEW else CHANGED
        if outcome != SAME:
            indexing.record_change(self.session, article)
        return outcome

    def _add_revision(self, article: Article, item: ArticleItem) -> None:
        number = 1 + max((r.number for r in article.revisions), default=0)
        revision = Revision(
            article=article,
            number=number,
            title=item.title,
            body=item.body,
            author_id=getattr(self.user, "id", None),
            message="Import aus einem Bundle",
        )
        self.session.add(revision)
        self.session.flush()
        article.current_revision = revision

    def document(self, item: DocumentItem) -> str:
        assert item.path is not None
        values = {
            "title": item.title,
            "kind": DocumentKind(item.kind),
            "region": self._region(item.region),
            "themes": self._many(Theme, item.themes, "unbekanntes Thema"),
            "tags": self._tags(item.tags),
            "contacts": self._many(Contact, item.contacts, "unbekannter Kontakt"),
            "articles": self._many(Article, item.articles, "unbekannter Artikel"),
            "date": item.date,
            "summary": item.summary,
            "original_filename": item.file_name,
        }
        staged = self.store.stage_path(item.path)
        try:
            existing = self._by_slug(Document, item.slug)
            if existing is None or existing.sha256 != staged.sha256:
                values.update(self._file_values(item, staged.path, staged.sha256, staged.size))
            outcome = self._upsert(Document, item.slug, values, indexed=True)
            self.store.commit(staged)
        finally:
            self.store.discard(staged)
        return outcome

    def _file_values(self, item: DocumentItem, path: Path, sha256: str, size: int) -> dict:
        media_type = sniff_media_type(path)
        if media_type not in SUPPORTED_MEDIA_TYPES:
            found = media_type or "unbekannt"
            raise ItemError(
                f"„documents/{item.file_name}“ ist kein unterstütztes Format (erkannt: {found})."
            )
        return {
            "media_type": media_type,
            "sha256": sha256,
            "size": size,
            "status": DocumentStatus.PENDING,
            "page_count": None,
            "error": "",
            "pages": [],
        }

    def _upsert(self, model: type, slug: str, values: dict[str, Any], indexed: bool = False) -> str:
        """Create or update the row with ``slug``; tell whether anything changed."""
        obj = self._by_slug(model, slug)
        if obj is None:
            obj = model(slug=slug, **values)
            self.session.add(obj)
            self.session.flush()
            outcome = NEW
        else:
            changed = {k: v for k, v in values.items() if differs(getattr(obj, k), v)}
            for key, value in changed.items():
                setattr(obj, key, value)
            outcome = CHANGED if changed else SAME
            if changed and hasattr(obj, "edit_version"):
                obj.edit_version += 1  # a form opened before the import must not undo it
        if indexed and outcome != SAME:
            indexing.record_change(self.session, obj)
        return outcome
