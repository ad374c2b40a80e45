"""Writing to the index: plain ``Entry`` records in, Whoosh documents out.

An object (article, document, contact) is one *parent*; a document has one entry per page.
Writes replace all entries of a parent at once, so replaying a change is harmless.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter

from . import store
from .analysis import fold

# Segments: each commit merges small segments the Whoosh way (logarithmic, cheap). Every
# FOLD_SECONDS at most, the other segments are also folded (see _fold) next to the big
# base segment, so searches see at most three segments however many edits were made (each
# extra segment costs every query term a lookup; wikmd's searches slowed 8-15x after
# edits). Folding on every commit would rewrite a growing delta again and again while a
# burst of uploads is indexed. Base and delta are merged into one only by optimise(), which
# the job queue runs at night: on a large index it holds the writer lock for minutes, and
# in the daytime every edit would wait that long to become searchable.
FOLD_SECONDS = 30.0
TIDY_SEGMENTS = 3  # base, delta, and one segment of the newest changes


@dataclass(frozen=True)
class Entry:
    parent: str  # "article:12", "document:5", "contact:7"
    type: str  # article | document | contact
    kind: str
    title: str
    stamp: str  # changes whenever the object changes; `wissen check` compares it
    summary: str = ""
    topics: str = ""
    headings: str = ""
    body: str = ""
    page: int = 0  # document pages: 1…n; everything else 0
    themes: tuple[str, ...] = ()
    region: str = ""
    audience: str = "public"  # public | intern | draft
    date: int = 0  # yyyymmdd, 0 when unknown
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.parent}:{self.page}" if self.page else self.parent


def _fields(entry: Entry) -> dict[str, object]:
    year = str(entry.date // 10000) if entry.date else ""
    facets = "|".join(
        [entry.type, entry.kind, ",".join(entry.themes), entry.region, year, entry.audience]
    )
    text = f"{entry.title} {entry.summary} {entry.body}"
    return {
        "key": entry.key,
        "parent": entry.parent,
        "type": entry.type,
        "kind": entry.kind,
        "themes": ",".join(entry.themes),
        "region": entry.region or "_ohne",
        "audience": entry.audience,
        "year": year,
        "date": entry.date,
        "page": entry.page,
        "stamp": entry.stamp,
        "facets": facets.encode("utf-8"),
        "title": entry.title,
        "summary": entry.summary,
        "topics": entry.topics,
        "headings": entry.headings,
        "body": entry.body,
        "bodyf": entry.body,  # the same object: bodyf reuses body's analysis
        "spell": text,
        "complete": fold(entry.title.lower()) if entry.page <= 1 else "",
    }


def _write(writer: SegmentWriter, parent: str, entries: Iterable[Entry]) -> None:
    writer.delete_by_term("parent", parent)
    for entry in entries:
        writer.add_document(**_fields(entry))


def apply(root: Path, changes: dict[str, list[Entry]], *, lock_timeout: float = 30.0) -> int:
    """Replace the entries of each parent in ``changes`` (an empty list deletes it).

    Returns the number of segments after the commit. Raises ``IndexUnavailable`` when
    there is no usable index (the caller rebuilds) and ``IndexBusy`` on lock timeout.
    """
    with store.writer_lock(root, lock_timeout):
        return _apply_locked(root, changes, lock_timeout)


class LockedWriter:
    """Applies changes while its ``exclusive`` block holds the writer lock."""

    def __init__(self, root: Path, lock_timeout: float) -> None:
        self.root, self.lock_timeout = root, lock_timeout

    def apply(self, changes: dict[str, list[Entry]]) -> int:
        return _apply_locked(self.root, changes, self.lock_timeout)


@contextlib.contextmanager
def exclusive(root: Path, lock_timeout: float = 30.0) -> Iterator[LockedWriter]:
    """Hold the writer lock across several steps, e.g. read the outbox, apply it and delete
    it: otherwise a second worker that read the same rows before the first deleted them
    applies them again as soon as the lock is free (a burst of 10,000 pages twice)."""
    with store.writer_lock(root, lock_timeout):
        yield LockedWriter(root, lock_timeout)


def _apply_locked(root: Path, changes: dict[str, list[Entry]], lock_timeout: float) -> int:
    ix = store.open_current(root)
    writer = ix.writer(timeout=lock_timeout)
    try:
        for parent, entries in changes.items():
            _write(writer, parent, entries)
    except BaseException:
        writer.cancel()
        raise
    writer.commit()  # searchable now (with Whoosh's cheap merging of small segments)
    _tidy(root, ix, lock_timeout)
    return len(ix._segments())  # Whoosh has no public segment count


def tidy(root: Path, lock_timeout: float = 30.0) -> int:
    """Fold the small segments now if due (the job queue calls this after a burst of
    edits); answers the segment count."""
    with store.writer_lock(root, lock_timeout):
        ix = store.open_current(root)
        _tidy(root, ix, lock_timeout)
        return len(ix._segments())


def optimise(root: Path, lock_timeout: float = 30.0) -> int:
    """Merge everything into one segment (nightly: minutes on a large index, meanwhile
    changes wait); answers the segment count."""
    with store.writer_lock(root, lock_timeout):
        ix = store.open_current(root)
        if len(ix._segments()) > 1:
            ix.optimize()
            (root / "optimised").touch()
        return len(ix._segments())


def _tidy(root: Path, ix, lock_timeout: float) -> None:
    if len(ix._segments()) > TIDY_SEGMENTS and _due(root / "folded", FOLD_SECONDS):
        ix.writer(timeout=lock_timeout).commit(mergetype=_fold)


def _due(stamp: Path, seconds: float) -> bool:
    """Whether the action noted in ``stamp`` was last done more than ``seconds`` ago."""
    import time

    try:
        if time.time() - stamp.stat().st_mtime < seconds:
            return False
    except FileNotFoundError:
        pass
    stamp.touch()
    return True


def _fold(writer, segments):
    """Base, delta, and the small segments since: the small ones are merged into one; only
    when together they outweigh the delta is the delta rewritten with them. So the delta is
    rewritten each time it doubles, not on every fold (a bulk upload of 20,000 pages would
    otherwise rewrite a growing delta dozens of times), and searches see at most three
    segments."""
    ordered = sorted(segments, key=lambda segment: segment.doc_count_all(), reverse=True)
    small = ordered[2:]
    if len(ordered) > 2 and sum(s.doc_count_all() for s in small) >= ordered[1].doc_count_all():
        small = ordered[1:]
    if len(small) <= 1:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        writer.add_reader(reader)
        reader.close()
    return [segment for segment in segments if segment not in small]


def rebuild(
    root: Path,
    groups: Iterator[tuple[str, list[Entry]]],
    *,
    chunk: int = 2000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Build a new generation from ``groups`` and swap it in; returns the parent count.

    Commits every ``chunk`` parents so memory stays bounded; merges once at the end.
    """
    with store.writer_lock(root, timeout=600):
        name, ix = store.new_generation(root)
        count = 0
        writer = ix.writer(limitmb=128)
        for parent, entries in groups:
            _write(writer, parent, entries)
            count += 1
            if count % chunk == 0:
                writer.commit(merge=False)
                writer = ix.writer(limitmb=128)
            if progress is not None:
                progress(count)
        writer.commit(optimize=True)
        store.activate(root, name)
        return count


def indexed_stamps(root: Path) -> dict[str, str]:
    """parent → stamp of everything in the index, for ``wissen check``."""
    ix = store.open_current(root)
    with ix.searcher() as searcher:
        return {
            fields["parent"]: fields.get("stamp", "") for fields in searcher.all_stored_fields()
        }
