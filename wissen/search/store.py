"""Where the index lives on disk: schema, generations, the writer lock, searchers.

Layout of the index folder::

    CURRENT            name of the generation readers use (replaced atomically)
    writer.lock        held by the one process that writes (apply or rebuild)
    g-<time>-<rand>/   a Whoosh index; VERSION inside holds the schema/analysis stamp

A rebuild writes a new generation and then swaps CURRENT, so searches keep working on the
old one meanwhile. A missing, corrupt or outdated generation makes ``open_current`` raise
``IndexUnavailable``; the services then rebuild from the database.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from whoosh import columns, index
from whoosh.fields import COLUMN, ID, KEYWORD, NGRAMWORDS, NUMERIC, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.searching import Searcher
from whoosh.system import pack_uint

from . import bufferfile
from .analysis import ANALYSIS_VERSION, german_analyzer, spelling_analyzer

bufferfile.install()

SCHEMA_VERSION = 2  # 2: bodyf, the body's term frequencies without positions
VERSION_STAMP = f"schema {SCHEMA_VERSION} / analysis {ANALYSIS_VERSION}"
OPEN_RETRIES = 5


class IndexUnavailable(Exception):
    """The index cannot be used as it is; a rebuild from the database fixes it."""


class IndexBusy(Exception):
    """Another process holds the writer lock longer than we wait."""


class RecordingText(TEXT):
    """The body field. It remembers the terms of the value it indexed last, so that
    ``bodyf`` takes them over instead of running the German analysis a second time."""

    def index(self, value, **kwargs):
        items = list(super().index(value, **kwargs))
        self._last = (value, items)
        return items

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_last", None)  # the schema is pickled into the index
        return state


class FrequencyCopy(TEXT):
    """``bodyf``: the body's terms with frequencies and weights but no positions.

    Scoring reads only frequencies; in ``body`` every posting block also carries the
    positions and character ranges (for phrases and snippets), which make up about 80 %
    of a block and most of the time to unpack it.
    """

    def __init__(self, source: RecordingText, analyzer) -> None:
        super().__init__(analyzer=analyzer, phrase=False)
        self.source = source

    def index(self, value, **kwargs):
        last = getattr(self.source, "_last", None)
        if last is not None and last[0] is value:  # the same text, just analysed for body
            return [(text, freq, weight, pack_uint(freq)) for text, freq, weight, _ in last[1]]
        return super().index(value, **kwargs)


def build_schema() -> Schema:
    german = german_analyzer()
    body = RecordingText(analyzer=german, stored=True, chars=True)
    return Schema(
        key=ID(unique=True, stored=True),
        parent=ID(stored=True, sortable=True),
        type=ID(stored=True),
        kind=ID(stored=True),
        themes=KEYWORD(stored=True, commas=True),
        region=ID(stored=True),
        audience=ID(stored=True),
        year=ID(stored=True),
        date=NUMERIC(stored=True, sortable=True, bits=32),
        page=NUMERIC(stored=True, bits=32),
        stamp=STORED(),
        facets=COLUMN(columns.RefBytesColumn()),
        title=TEXT(analyzer=german, stored=True, chars=True),
        summary=TEXT(analyzer=german),
        topics=TEXT(analyzer=german),
        headings=TEXT(analyzer=german),
        body=body,
        bodyf=FrequencyCopy(body, german),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False),
        complete=NGRAMWORDS(minsize=2, maxsize=12, at="start"),
    )


def _current_name(root: Path) -> str | None:
    try:
        return (root / "CURRENT").read_text("utf-8").strip() or None
    except FileNotFoundError:
        return None


def current_path(root: Path) -> Path | None:
    name = _current_name(root)
    return root / name if name else None


def open_current(root: Path) -> index.Index:
    """The index readers and writers use now, or ``IndexUnavailable`` with the reason."""
    path = current_path(root)
    if path is None or not path.is_dir():
        raise IndexUnavailable("Es gibt noch keinen Suchindex.")
    try:
        stamp = (path / "VERSION").read_text("utf-8").strip()
    except FileNotFoundError:
        stamp = ""
    if stamp != VERSION_STAMP:
        raise IndexUnavailable("Der Suchindex stammt von einer anderen Version.")
    try:
        return _retrying(lambda: _storage(path).open_index())
    except Exception as error:  # any Whoosh or OS failure means: rebuild
        raise _unreadable(error) from None


def _unreadable(error: Exception) -> IndexUnavailable:
    """Close the files a failed Whoosh open left behind and say what happened.

    Whoosh leaves them to the garbage collector, which warns at some random later moment.
    """
    trace = error.__traceback__
    while trace is not None:
        for value in trace.tb_frame.f_locals.values():
            if isinstance(value, io.IOBase | StructFile):
                with contextlib.suppress(Exception):
                    value.close()
        trace = trace.tb_next
    return IndexUnavailable(f"Der Suchindex ist nicht lesbar ({type(error).__name__}).")


def _storage(path: Path) -> FileStorage:
    # Each process maps the index files once (one shared searcher, see SearcherPool).
    # Those are clean file pages the kernel can drop at any time, not heap; reading
    # without mmap measured 30-60 % slower, so mmap stays (docs/betrieb.md explains).
    return FileStorage(str(path), supports_mmap=True)


def new_generation(root: Path) -> tuple[str, index.Index]:
    root.mkdir(parents=True, exist_ok=True)
    name = f"g-{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"
    path = root / name
    path.mkdir()
    created = index.create_in(str(path), build_schema())
    (path / "VERSION").write_text(VERSION_STAMP + "\n", "utf-8")
    return name, created


def activate(root: Path, name: str) -> None:
    """Point readers at generation ``name`` atomically; remove the generations before it."""
    pointer = root / "CURRENT.tmp"
    pointer.write_text(name + "\n", "utf-8")
    os.replace(pointer, root / "CURRENT")
    for old in root.glob("g-*"):
        if old.name != name and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def writer_lock(root: Path, timeout: float = 30.0) -> Iterator[None]:
    """One writing process at a time; Whoosh's own lock would raise LockError instead."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "writer.lock", "a+b") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy("Der Suchindex wird gerade geschrieben.") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _retrying(action):
    # A reader opening while a writer commits sometimes misses a just-replaced TOC file.
    for attempt in range(OPEN_RETRIES):
        try:
            return action()
        except FileNotFoundError:
            if attempt == OPEN_RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _cache_column_readers(searcher: Searcher) -> None:
    """Keep each segment's column readers for the searcher's life.

    Whoosh decodes a column's whole offset table (and a RefBytes column's unique values)
    every time a reader is asked for it; grouping, collapsing and facets ask on every
    query, which cost about a third of the search time. A searcher's segments never
    change, so the cached readers stay valid until it is closed. Threads sharing it may
    both build a missing reader at once; one of the two equal readers is kept.
    """
    for leaf, _ in searcher.reader().leaf_readers():
        original = leaf.column_reader
        cache: dict[tuple, object] = {}

        def cached(fieldname, column=None, reverse=False, translate=True, _o=original, _c=cache):
            if column is not None:  # an explicit column type: not the field's own
                return _o(fieldname, column, reverse, translate)
            key = (fieldname, reverse, translate)
            if key not in _c:
                _c[key] = _o(fieldname, None, reverse, translate)
            return _c[key]

        leaf.column_reader = cached


class _Shared:
    """One open searcher and the number of threads using it right now."""

    def __init__(self, name: str | None, searcher: Searcher) -> None:
        self.name = name
        self.searcher = searcher
        self.generation = searcher.reader().generation()
        self.users = 0
        self.retired = False  # replaced: close it when the last user is done


class SearcherPool:
    """One searcher per process and index generation, shared by all its threads.

    After an index change the first search opens the new generation (15–40 ms of CPU);
    with a searcher per thread every one of the server's threads paid that again, and
    those reopens, competing for one interpreter lock, were the slow searches under load.
    Whoosh's readers keep no per-search state except file positions, which
    ``bufferfile`` gives each thread separately. A replaced searcher is closed only when
    the last thread using it is done.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._shared: _Shared | None = None

    @contextlib.contextmanager
    def lease(self) -> Iterator[Searcher]:
        """The current searcher, held open until the block ends."""
        shared = self._acquire()
        try:
            yield shared.searcher
        finally:
            self._release(shared)

    def _acquire(self) -> _Shared:
        seen = self._shared
        if seen is not None and self._is_fresh(seen):  # outside the lock: a few µs
            with self._lock:
                if self._shared is seen:
                    seen.users += 1
                    return seen
        with self._lock:
            shared = self._shared
            if shared is None or not self._is_fresh(shared):
                # The first thread to see a change opens the new generation; the others
                # wait for it here instead of each opening their own.
                name = _current_name(self.root)
                shared = self._replace(_Shared(name, self._open()))
            shared.users += 1
            return shared

    def _is_fresh(self, shared: _Shared) -> bool:
        if shared.retired or shared.name != _current_name(self.root):
            return False
        try:
            # Not Searcher.refresh(): it reuses segment readers and then misses deletions
            # made since (an edited article would be found by its old words).
            return shared.searcher._ix.latest_generation() == shared.generation
        except Exception:  # a half-written generation: open afresh
            return False

    def _open(self) -> Searcher:
        try:
            searcher = open_current(self.root).searcher()
        except IndexUnavailable:
            raise
        except Exception as error:
            raise _unreadable(error) from None
        _cache_column_readers(searcher)
        return searcher

    def _replace(self, shared: _Shared) -> _Shared:
        old, self._shared = self._shared, shared
        if old is not None:
            self._retire(old)
        return shared

    def _retire(self, shared: _Shared) -> None:
        shared.retired = True
        if shared.users == 0:
            shared.searcher.close()

    def _release(self, shared: _Shared) -> None:
        with self._lock:
            shared.users -= 1
            if shared.retired and shared.users == 0:
                shared.searcher.close()

    def discard(self, searcher: Searcher) -> None:
        """Stop handing out ``searcher`` (its files changed under it); the next lease
        opens the index afresh."""
        with self._lock:
            shared = self._shared
            if shared is not None and shared.searcher is searcher:
                self._shared = None
                self._retire(shared)

    def close(self) -> None:
        with self._lock:
            shared, self._shared = self._shared, None
            if shared is not None:
                self._retire(shared)
