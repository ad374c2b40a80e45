"""Around the results: autocomplete for the search box and "similar items" on detail pages."""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.query import And, Or, Query, Term
from whoosh.searching import Searcher

from .analysis import fold, query_words
from .engine import Access

MAX_PREFIX_TERMS = 3000  # stop scanning the word list early: prefix lists can be long


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
    terms = searcher.key_terms_from_text("body", text, numterms=12)
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
