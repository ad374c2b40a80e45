"""Decoded posting lists kept in memory, shared by all threads of a process.

Whoosh stores a term's postings in blocks of up to 128, each zlib-compressed and pickled;
unpacking one costs 25–100 µs. A frequent word in the body of 20,000 articles has 100 and
more blocks in each field, and a query asks for every word in five fields plus its
compound parts and synonyms, so unpacking was most of a search's time. A segment never
changes once written (deletions are kept apart, see ``Evaluator.deleted``), so its decoded
lists stay valid as long as the segment exists; its id is random and never reused.

The cache is bounded by size and forgets the least recently used lists first. Rare words
are cheap to read anyway; the frequent ones, which are expensive, are the ones that stay.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

import numpy as np

DEFAULT_BYTES = 192 * 1024 * 1024
# What an entry costs besides its arrays (key, two array headers, the dict's node), so
# that the many empty lists of absent terms count as well.
ENTRY_BYTES = 320

Postings = tuple[np.ndarray, np.ndarray]  # (docnums, term frequencies)


class PostingsCache:
    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        self.max_bytes = max_bytes
        self._lists: OrderedDict[tuple, Postings] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple, read: Callable[[], Postings]) -> Postings:
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
                return found
        ids, tfs = read()  # outside the lock: other threads keep searching meanwhile
        ids = ids.astype(np.int32)  # frequencies stay float64: scores must not change
        ids.flags.writeable = tfs.flags.writeable = False  # shared: nobody may change them
        size = ids.nbytes + tfs.nbytes + ENTRY_BYTES
        if size > self.max_bytes // 8:  # one huge list must not push out everything else
            return ids, tfs
        with self._lock:
            if key not in self._lists:
                self._lists[key] = (ids, tfs)
                self._bytes += size
            while self._bytes > self.max_bytes:
                _, (old_ids, old_tfs) = self._lists.popitem(last=False)
                self._bytes -= old_ids.nbytes + old_tfs.nbytes + ENTRY_BYTES
        return ids, tfs

    @property
    def size(self) -> int:
        return self._bytes

    def clear(self) -> None:
        with self._lock:
            self._lists.clear()
            self._bytes = 0


def segment_key(leaf) -> str | None:
    """The id of a leaf reader's segment; None for readers that have no segment."""
    segment = getattr(leaf, "segment", None)
    found = segment() if callable(segment) else None
    return found.segment_id() if found is not None else None


shared = PostingsCache()

# Data derived from the columns of one set of segments (groups, facets, dates): the same
# for every thread's searcher over those segments, whatever was deleted since (deleted
# entries are dropped per search). Built once per index change instead of once per thread.
KEPT_LAYOUTS = 4
_layouts: OrderedDict[tuple, dict] = OrderedDict()
_layouts_lock = threading.Lock()


def layout_cache(reader) -> dict:
    """A dict shared by all searchers over exactly this reader's segments."""
    key = tuple((segment_key(leaf), leaf.doc_count_all()) for leaf, _ in reader.leaf_readers())
    if not key or any(segment is None for segment, _ in key):
        return reader.__dict__.setdefault("_wissen_layout", {})
    with _layouts_lock:
        if key not in _layouts:
            _layouts[key] = {}
            while len(_layouts) > KEPT_LAYOUTS:
                _layouts.popitem(last=False)
        _layouts.move_to_end(key)
        return _layouts[key]
