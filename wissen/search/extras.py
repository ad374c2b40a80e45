"""Around the results: autocomplete for the search box and "similar items" on detail pages."""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from whoosh.query import And, Or, Query, Term
from whoosh.searching import Searcher

from .analysis import fold, query_words
from .engine import Access

MAX_PREFIX_TERMS = 3000  # stop scanning the word list early: prefix lists can be long

# The key terms of a page's text: the costliest part of "similar items" (analysing the text
# and weighing each word by its frequency in the whole index). They depend on the text and,
# only slightly, on the index's word statistics, so they are kept for a while; the search
# with them always runs on the current index, with the viewer's mask.
KEY_TERMS_KEPT = 2048
KEY_TERMS_SECONDS = 900.0
_key_terms: OrderedDict[bytes, tuple[float, list[tuple[str, float]]]] = OrderedDict()
_key_terms_lock = threading.Lock()


@dataclass(frozen=True)
class Completion:
    label: str
    parent: str | None  # set for a title (go straight there), None for a search term


def complete(searcher: Searcher, text: str, access: Access, limit: int = 8) -> list[Completion]:
    """Titles whose words start with what was typed, then frequent words with that start."""
    words = fold(text.lower()).split()
    if not words or len(words[-1]) < 2:
        return []
    prefix = words[-1][:12]
    clauses: list[Query] = [Term("complete", w[:12]) for w in words if len(w) >= 2]
    titles = searcher.search(And(clauses), mask=access.hidden(), limit=limit // 2 + 1)
    found = [Completion(hit["title"], hit["parent"]) for hit in titles]
    found.extend(
        Completion(" ".join([*text.split()[:-1], w]), None) for w in _frequent(searcher, prefix)
    )
    return found[:limit]


def _frequent(searcher: Searcher, prefix: str, count: int = 5) -> list[str]:
    reader = searcher.reader()
    candidates = []
    for n, word in enumerate(reader.expand_prefix("spell", prefix)):
        if n >= MAX_PREFIX_TERMS:
            break
        word = word.decode("utf-8") if isinstance(word, bytes) else word
        candidates.append((reader.doc_frequency("spell", word), word))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    return [word for _, word in candidates[:count]]


def similar(
    searcher: Searcher,
    parent: str,
    text: str,
    access: Access,
    *,
    other_region: str = "",
    limit: int = 5,
) -> list[str]:
    """Parents of the items most like ``text`` (its key terms), outside ``other_region``."""
    if not query_words(text):
        return []
    terms = key_terms(searcher, text)
    if not terms:
        return []
    query = Or([Term("bodyf", term, boost=weight) for term, weight in terms])
    excluded: list[Query] = [Term("parent", parent)]
    if other_region:
        excluded.append(Term("region", other_region))
    hidden = access.hidden()
    if hidden is not None:
        excluded.append(hidden)
    results = searcher.search(query, mask=Or(excluded), limit=limit * 3, collapse="parent")
    found: list[str] = []
    for hit in results:
        if hit["parent"] not in found:
            found.append(hit["parent"])
    return found[:limit]


def key_terms(searcher: Searcher, text: str, count: int = 12) -> list[tuple[str, float]]:
    """The ``count`` words that best describe ``text``, with weights (cached, see above)."""
    data = f"{count}\n{text}".encode("utf-8", "surrogatepass")
    key = hashlib.blake2b(data, digest_size=16).digest()
    now = time.monotonic()
    with _key_terms_lock:
        kept = _key_terms.get(key)
        if kept is not None and now - kept[0] < KEY_TERMS_SECONDS:
            _key_terms.move_to_end(key)
            return kept[1]
    terms = searcher.key_terms_from_text("body", text, numterms=count)
    with _key_terms_lock:
        _key_terms[key] = (now, terms)
        _key_terms.move_to_end(key)
        while len(_key_terms) > KEY_TERMS_KEPT:
            _key_terms.popitem(last=False)
    return terms
