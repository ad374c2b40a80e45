"""The only writer of the search index, fed by an outbox in the database.

Every service that creates, edits, renames, deletes or restores an article, document or
contact calls ``record_change`` before it commits: the outbox row lands in the same
transaction as the change. After the commit, the job consumer calls ``apply_pending``,
which reads the current rows from the database and replaces their index entries —
idempotently, so a replay after a crash is harmless. A failed write leaves its rows for
the next run (``attempts``/``last_error`` show it to ``wissen check``); an edit or upload
is never lost to an index failure.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from wissen.models import Article, Contact, Document, IndexChange
from wissen.search import entries as index_writer
from wissen.search.store import IndexUnavailable, open_current

from .index_entries import all_entries, count_objects, entries_for

log = logging.getLogger(__name__)

Indexable = Article | Document | Contact
_TYPES = {Article: "article", Document: "document", Contact: "contact"}
BATCH = 500  # outbox rows read at once
ENTRIES_PER_COMMIT = 2000  # index entries (articles, pages, contacts) per Whoosh commit
DIRTY = "wissen_index_dirty"  # session.info flag: this transaction recorded a change


def record_change(session: Session, obj: Indexable) -> None:
    """Note that ``obj`` changed; the row commits (or rolls back) with the change."""
    if obj.id is None:
        session.flush()
    session.add(IndexChange(object_type=_TYPES[type(obj)], object_id=obj.id))
    session.info[DIRTY] = True


def pending_count(session: Session) -> int:
    from sqlalchemy import func

    return session.scalar(select(func.count(IndexChange.id))) or 0


# What tidy() leaves at most: base, delta, newest changes (the job queue retries until then).
TIDY_SEGMENTS = index_writer.TIDY_SEGMENTS


def tidy(root: Path) -> int:
    """Fold the small segments a burst of changes left; returns the segment count."""
    try:
        return index_writer.tidy(root)
    except IndexUnavailable:
        return 0


def optimise(root: Path) -> int:
    """Merge the whole index into one segment (the nightly job); returns the segment count."""
    try:
        return index_writer.optimise(root, lock_timeout=600)
    except IndexUnavailable:
        return 0


def apply_pending(session: Session, root: Path) -> int:
    """Apply every waiting outbox row to the index; returns how many rows were applied.

    Reading, applying and deleting the rows happen under the index's writer lock, so two
    workers never apply the same rows. A missing or unusable index is rebuilt instead.
    """
    applied = 0
    while True:
        try:
            with index_writer.exclusive(root) as writer:
                rows = list(
                    session.scalars(select(IndexChange).order_by(IndexChange.id).limit(BATCH))
                )
                if not rows:
                    session.rollback()
                    return applied
                try:
                    for chunk in _chunks(_changes_of(session, rows)):
                        writer.apply(chunk)
                except IndexUnavailable:
                    raise
                except Exception as error:
                    _note_failure(session, rows, error)
                    raise
                ids = [r.id for r in rows]
                session.execute(delete(IndexChange).where(IndexChange.id.in_(ids)))
                session.commit()
                applied += len(rows)
        except IndexUnavailable as error:
            log.warning("Suchindex nicht nutzbar (%s): wird neu aufgebaut", error)
            session.rollback()
            rebuild(session, root)  # takes the lock itself: only after leaving the block
            return applied


def _chunks(changes: dict[str, list]) -> Iterator[dict[str, list]]:
    """Split into commits of at most ENTRIES_PER_COMMIT entries: 500 documents of 20 pages
    in one Whoosh commit held gigabytes; applying a parent twice is harmless."""
    chunk: dict[str, list] = {}
    size = 0
    for parent, entries in changes.items():
        if chunk and size + len(entries) > ENTRIES_PER_COMMIT:
            yield chunk
            chunk, size = {}, 0
        chunk[parent] = entries
        size += len(entries)
    if chunk or not changes:
        yield chunk


def _changes_of(session: Session, rows: list[IndexChange]) -> dict[str, list]:
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.object_type, set()).add(row.object_id)
    changes: dict[str, list] = {}
    for object_type, ids in wanted.items():
        changes.update(entries_for(session, object_type, sorted(ids)))
    return changes


def _note_failure(session: Session, rows: list[IndexChange], error: Exception) -> None:
    session.rollback()
    session.execute(
        update(IndexChange)
        .where(IndexChange.id.in_([r.id for r in rows]))
        .values(attempts=IndexChange.attempts + 1, last_error=f"{type(error).__name__}: {error}")
    )
    session.commit()


def reindex_parents(session: Session, root: Path, parents: list[str]) -> None:
    """Queue the given objects ("article:12", …) for the indexer, e.g. after a check."""
    for parent in parents:
        object_type, _, ident = parent.partition(":")
        session.add(IndexChange(object_type=object_type, object_id=int(ident)))
    session.commit()
    apply_pending(session, root)


def rebuild(session: Session, root: Path, progress: Callable[[int], None] | None = None) -> int:
    """Build the whole index anew from the database and swap it in; returns object count.

    Outbox rows that existed before the rebuild read the database are covered by it and
    are removed (otherwise a first import would be indexed a second time, row by row).
    Rows written meanwhile stay and are applied afterwards (replays are harmless).
    """
    from sqlalchemy import func

    covered = session.scalar(select(func.max(IndexChange.id))) or 0
    session.rollback()
    count = index_writer.rebuild(root, all_entries(session), progress=progress)
    session.rollback()
    session.execute(delete(IndexChange).where(IndexChange.id <= covered))
    session.commit()
    return count


def ensure_index(session: Session, root: Path) -> bool:
    """Rebuild when the index is missing, corrupt or of another version; True if rebuilt."""
    try:
        open_current(root).close()
        return False
    except IndexUnavailable as error:
        log.warning("Suchindex wird aufgebaut: %s", error)
        rebuild(session, root)
        return True


@dataclass
class CheckReport:
    objects: int = 0
    indexed: int = 0
    missing: list[str] = field(default_factory=list)  # in the database, not in the index
    extra: list[str] = field(default_factory=list)  # in the index, gone from the database
    stale: list[str] = field(default_factory=list)  # indexed from an older state
    pending: int = 0
    failing: list[str] = field(default_factory=list)  # outbox rows that keep failing
    unusable: str = ""

    @property
    def healthy(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.failing or self.unusable)


def check(session: Session, root: Path) -> CheckReport:
    """Compare the index with the database, object by object."""
    report = CheckReport(objects=count_objects(session), pending=pending_count(session))
    report.failing = [
        f"{r.object_type}:{r.object_id} ({r.attempts}×: {r.last_error})"
        for r in session.scalars(select(IndexChange).where(IndexChange.attempts > 0))
    ]
    try:
        indexed = index_writer.indexed_stamps(root)
    except IndexUnavailable as error:
        report.unusable = str(error)
        return report
    report.indexed = len(indexed)
    expected: dict[str, str] = {}
    for parent, entries in all_entries(session):
        if entries:
            expected[parent] = entries[0].stamp
    waiting = {f"{r.object_type}:{r.object_id}" for r in session.scalars(select(IndexChange))}
    report.missing = sorted(p for p in expected if p not in indexed and p not in waiting)
    report.extra = sorted(p for p in indexed if p not in expected and p not in waiting)
    report.stale = sorted(
        p
        for p, stamp in expected.items()
        if p in indexed and indexed[p] != stamp and p not in waiting
    )
    session.rollback()
    return report
