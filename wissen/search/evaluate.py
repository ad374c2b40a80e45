"""Scoring a whole query at once, as arrays with one score per index entry.

Whoosh evaluates a query document by document through a tree of matcher objects: for a
query word with five fields, synonyms and compound parts that is dozens of Python calls
per matching document, and a multi-word query over 20,000 entries took 150–260 ms. Here
each posting list is read block by block (Whoosh decodes a block of up to 128 postings
at once) into numpy arrays, BM25F is computed for the whole list in one step, and the
parts of the query are combined as arrays with the same formulas as the matchers in
``ranking`` — which stay the reference implementation that the tests compare against.

A score of 0 means "does not match": BM25 scores of a matching term are always > 0
(Whoosh's idf is 1 + log(N / (df + 1)) > 0).

Queries of other types (phrases, ``Every``) fall back to Whoosh's own matchers.
"""

from __future__ import annotations

import numpy as np
from whoosh.matching.wrappers import FilterMatcher
from whoosh.query import And, AndMaybe, AndNot, Every, Not, Or, Phrase, Query, Term
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from . import postcache
from .ranking import COORD_POWER, BestOf, CoordinatedOr, FieldsTerm

Scores = np.ndarray  # float64, one per global docnum; 0 = no match


class Evaluator:
    """Scores queries against one searcher."""

    def __init__(self, searcher: Searcher) -> None:
        self.searcher = searcher
        self.leaves = list(searcher.reader().leaf_readers())
        self.size = searcher.doc_count_all()
        weighting = searcher.weighting
        self.b = getattr(weighting, "B", 0.75)
        self.k1 = getattr(weighting, "K1", 1.2)
        self._terms: dict[tuple[str, str], Scores | None] = {}  # one term, several uses

    def empty(self) -> Scores:
        return np.zeros(self.size)

    # Documents -------------------------------------------------------------------------

    def docs(self, query: Query) -> np.ndarray:
        """Boolean array: entries matching ``query`` (filters and masks). Deleted
        entries may be included; ``deleted`` lists them."""
        if not _has_not(query):
            return self.scores(query) > 0
        found = np.zeros(self.size, dtype=bool)
        found[list(query.docs(self.searcher))] = True
        return found

    def deleted(self) -> np.ndarray:
        """Boolean array of deleted entries (cached per searcher)."""
        cache = _searcher_cache(self.searcher)
        if "deleted" not in cache:
            dead = np.zeros(self.size, dtype=bool)
            for leaf, offset in self.leaves:
                if leaf.has_deletions():
                    dead[[d + offset for d in leaf.deleted_docs_set]] = True
            cache["deleted"] = dead
        return cache["deleted"]

    def live(self) -> Scores:
        """Every live entry with score 1 (a search by filters only)."""
        return np.where(self.deleted(), 0.0, 1.0)

    # Scores --------------------------------------------------------------------------

    def scores(self, query: Query) -> Scores:
        if isinstance(query, FieldsTerm):
            parts = [self._term(t.fieldname, t.text) for t in query.subqueries]
            weights = [t.boost for t in query.subqueries]
            return self._best_of(parts, weights, query.tiebreak, query.boost)
        if isinstance(query, CoordinatedOr):
            return self._coordinated([self.scores(q) for q in query.subqueries], query.boost)
        if isinstance(query, BestOf):
            parts = [self.scores(q) for q in query.subqueries]
            return self._best_of(parts, [1.0] * len(parts), query.tiebreak, query.boost)
        if isinstance(query, Term):
            found = self._term(query.fieldname, query.text)
            return self.empty() if found is None else found * query.boost
        if isinstance(query, And) and len(query.subqueries) > 1:
            return _intersection([self.scores(q) for q in query.subqueries], query.boost)
        if type(query) is Or and len(query.subqueries) > 1:
            return sum(self.scores(q) for q in query.subqueries) * query.boost
        if isinstance(query, AndMaybe):
            must, maybe = self.scores(query.a), self.scores(query.b)
            return np.where(must > 0, must + maybe, 0.0)
        if isinstance(query, AndNot):
            return np.where(self.docs(query.b), 0.0, self.scores(query.a))
        if isinstance(query, Every):
            return self.live()
        if isinstance(query, Phrase) and self._has_positions(query.fieldname):
            return self._phrase(query)
        return self._with_matchers(query)

    def _best_of(
        self, parts: list[Scores], weights: list[float], tiebreak: float, boost: float
    ) -> Scores:
        """best + tiebreak × (sum of the others), × boost — per entry."""
        present = [(p, w) for p, w in zip(parts, weights, strict=True) if p is not None]
        if not present:
            return self.empty()
        if len(present) == 1:
            part, weight = present[0]
            return part * (weight * boost)
        weighted = [part * weight for part, weight in present]
        best = np.maximum.reduce(weighted)
        if tiebreak:
            best = best + tiebreak * (sum(weighted) - best)
        return best * boost if boost != 1.0 else best

    def _coordinated(self, units: list[Scores], boost: float) -> Scores:
        """Sum over query words × (matched words / all words) ** COORD_POWER, × boost."""
        count = max(len(units), 1)
        if not units:
            return self.empty()
        total = sum(units)
        matched = sum((unit > 0).astype(np.int8) for unit in units)
        factors = np.array([boost * (n / count) ** COORD_POWER for n in range(count + 1)])
        return total * factors[matched]

    # Leaves --------------------------------------------------------------------------

    def _term(self, fieldname: str, text: str) -> Scores | None:
        """BM25F scores of one term in one field; None when the index lacks the term."""
        key = (fieldname, text)
        if key not in self._terms:
            self._terms[key] = self._read_term(fieldname, text)
        return self._terms[key]

    def _read_term(self, fieldname: str, text: str) -> Scores | None:
        btext = self.searcher.schema[fieldname].to_bytes(text)
        out = None
        for leaf, offset in self.leaves:
            ids, tfs = _decoded_postings(leaf, fieldname, btext)
            if ids.size:
                if out is None:
                    out = self.empty()
                self._bm25(out, leaf, offset, fieldname, btext, ids, tfs)
        return out

    def _bm25(self, out: Scores, leaf, offset: int, fieldname: str, btext: bytes, ids, tfs):
        """Whoosh's BM25F for one term's postings in one segment, written into ``out``."""
        idf = self.searcher.idf(fieldname, btext)
        norms = self._norm_table(fieldname)[_length_codes(leaf, fieldname)[ids]]
        out[ids + offset] = idf * (self.k1 + 1) * tfs / (tfs + norms)

    def _has_positions(self, fieldname: str) -> bool:
        try:
            field = self.searcher.schema[fieldname]
        except KeyError:
            return False
        return bool(field.format) and field.format.supports("positions")

    def _phrase(self, query: Phrase) -> Scores:
        """Whoosh's ``Phrase`` (an ordered ``SpanNear2``): every word follows the one
        before within ``slop`` positions; scored as the sum of the words' scores."""
        field = self.searcher.schema[query.fieldname]
        words = [field.to_bytes(word) for word in query.words]
        if not words or any((query.fieldname, w) not in self.searcher.reader() for w in words):
            return self.empty()
        out = self.empty()
        for leaf, offset in self.leaves:
            if any((query.fieldname, w) not in leaf for w in words):
                continue
            ids, tfs = _phrase_postings(leaf, query.fieldname, words, query.slop)
            for word, word_tfs in zip(words, tfs, strict=True):
                part = np.zeros(self.size)
                self._bm25(part, leaf, offset, query.fieldname, word, ids, word_tfs)
                out += part  # the phrase scores as the sum of its words (SpanNear2)
        return out * query.boost if query.boost != 1.0 else out

    def _norm_table(self, fieldname: str) -> np.ndarray:
        """BM25's length normalisation for each of the 256 stored length bytes."""
        cache = _searcher_cache(self.searcher)
        key = ("norms", fieldname)
        if key not in cache:
            avgfl = self.searcher.avg_field_length(fieldname) or 1
            lengths = np.array([byte_to_length(code) for code in range(256)], dtype=float)
            cache[key] = self.k1 * ((1 - self.b) + self.b * lengths / avgfl)
        return cache[key]

    def _with_matchers(self, query: Query) -> Scores:
        out = self.empty()
        context = self.searcher.context()
        for sub, offset in self.searcher.leaf_searchers():
            matcher = query.matcher(sub, context)
            while matcher.is_active():
                out[matcher.id() + offset] = matcher.score()
                matcher.next()
        return out


def _has_not(query: Query) -> bool:
    return isinstance(query, Not) or any(_has_not(q) for q in query.children())


def _intersection(parts: list[Scores], boost: float) -> Scores:
    everywhere = np.logical_and.reduce([part > 0 for part in parts])
    return np.where(everywhere, sum(parts) * boost, 0.0)


def _searcher_cache(searcher: Searcher) -> dict:
    return searcher.__dict__.setdefault("_wissen_cache", {})


# Reading Whoosh's segments ----------------------------------------------------------------


def _decoded_postings(leaf, fieldname: str, btext: bytes) -> postcache.Postings:
    """(docnums, term frequencies) of one term in one segment, from the shared cache.

    A term the segment lacks gives empty lists, and they are kept too: an expanded query
    asks for every word in five fields, most of them absent from most segments, and
    each of those answers was a hash lookup in the segment's term table.
    """

    def read() -> postcache.Postings:
        if (fieldname, btext) not in leaf:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        ids, tfs, _ = _postings(leaf, fieldname, btext)
        return ids, tfs

    segment = postcache.segment_key(leaf)
    if segment is None:
        return read()
    return postcache.shared.get((segment, fieldname, btext), read)


def _phrase_postings(leaf, fieldname: str, words: list[bytes], slop: int) -> postcache.Postings:
    """The segment's entries where ``words`` occur in order, each within ``slop``
    positions of the one before, with each word's frequency there (one row per word).
    Checking positions is the slow part of a phrase, so the result is cached like a
    posting list: it cannot change while the segment exists."""

    def read() -> postcache.Postings:
        decode = leaf.schema[fieldname].format.decoder("positions")
        lists = [_postings(leaf, fieldname, w, values=True) for w in words]
        candidates = lists[0][0]
        for ids, _, _ in lists[1:]:
            candidates = np.intersect1d(candidates, ids, assume_unique=True)
        places = [np.searchsorted(ids, candidates) for ids, _, _ in lists]
        positions = [
            [decode(values[i]) for i in where.tolist()]
            for (_, _, values), where in zip(lists, places, strict=True)
        ]
        keep = np.array(
            [_in_order([p[n] for p in positions], slop) for n in range(len(candidates))],
            dtype=bool,
        )
        tfs = [tfs[where[keep]] for (_, tfs, _), where in zip(lists, places, strict=True)]
        return candidates[keep], np.array(tfs, dtype=float).reshape(len(words), -1)

    segment = postcache.segment_key(leaf)
    if segment is None:
        return read()
    return postcache.shared.get((segment, "phrase", fieldname, tuple(words), slop), read)


def _postings(
    leaf, fieldname: str, btext: bytes, values: bool = False
) -> tuple[np.ndarray, np.ndarray, list | None]:
    """(docnums, term frequencies, encoded values if asked) of one term in one segment,
    deleted documents included (the caller drops them)."""
    try:  # the raw block matcher: ``postings`` first reads a block to skip deletions
        matcher = leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)
    except AttributeError:
        matcher = leaf.postings(fieldname, btext)
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    if not _is_block_matcher(matcher):
        return _postings_one_by_one(matcher, values)
    ids: list[np.ndarray] = []
    tfs: list[np.ndarray] = []
    encoded: list | None = [] if values else None
    while matcher.is_active():
        # Whoosh 3 block layout: (ids, weights, values); ids delta-coded, weights None
        # (all 1.0), one float for all, or one per posting.
        if matcher._data is None:
            matcher._read_data()
        raw_ids, raw_weights, _ = matcher._data
        block_ids = np.array(raw_ids, dtype=np.int64)
        ids.append(np.cumsum(block_ids))
        if raw_weights is None or isinstance(raw_weights, float):
            tfs.append(np.full(matcher._blocklength, raw_weights or 1.0))
        else:
            tfs.append(np.array(raw_weights, dtype=float))
        if encoded is not None:
            if matcher._values is None:
                matcher._read_values()
            encoded.extend(matcher._values)
        matcher._next_block()
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros(0), encoded
    return np.concatenate(ids), np.concatenate(tfs), encoded


def _is_block_matcher(matcher) -> bool:
    """Whoosh 3's postings of documents (not term vectors, whose ids are bytes)."""
    needed = ("_read_data", "_data", "_blocklength", "_values")
    return all(hasattr(matcher, a) for a in needed) and not getattr(matcher, "_byteids", True)


def _postings_one_by_one(matcher, values: bool) -> tuple[np.ndarray, np.ndarray, list | None]:
    """The same through the public matcher interface, for other codecs."""
    ids: list[int] = []
    tfs: list[float] = []
    encoded: list | None = [] if values else None
    while matcher.is_active():
        ids.append(matcher.id())
        tfs.append(matcher.weight())
        if encoded is not None:
            encoded.append(matcher.value())
        matcher.next()
    return np.array(ids, dtype=np.int64), np.array(tfs, dtype=float), encoded


def _in_order(positions: list[list[int]], slop: int) -> bool:
    """Whether each word occurs 1…slop positions after the previous one."""
    ends = set(positions[0])
    for following in positions[1:]:
        ends = {p for p in following if any(p - k in ends for k in range(1, slop + 1))}
        if not ends:
            return False
    return True


def _length_codes(leaf, fieldname: str) -> np.ndarray:
    """The segment's stored field-length bytes, one per document (cached per reader)."""
    cache = leaf.__dict__.setdefault("_wissen_lengths", {})
    if fieldname not in cache:
        raw = _read_length_bytes(leaf, fieldname)
        missing = leaf.doc_count_all() - len(raw)  # Whoosh leaves trailing zeros out
        cache[fieldname] = np.frombuffer(raw + bytes(max(missing, 0)), dtype=np.uint8)
    return cache[fieldname]


def _read_length_bytes(leaf, fieldname: str) -> bytes:
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    try:
        column = leaf._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        if column is None:
            return b""
        return bytes(column._dbfile.get(column._basepos, column._count))
    except AttributeError:  # another codec: ask document by document
        from whoosh.util.numeric import length_to_byte

        count = leaf.doc_count_all()
        return bytes(length_to_byte(leaf.doc_field_length(d, fieldname, 0)) for d in range(count))


def column_values(leaf, fieldname: str) -> list[str]:
    """All values of one segment's byte column as strings (cached per reader)."""
    cache = leaf.__dict__.setdefault("_wissen_columns", {})
    if fieldname not in cache:
        if not leaf.has_column(fieldname):  # an empty segment or index
            cache[fieldname] = [""] * leaf.doc_count_all()
        else:
            reader = leaf.column_reader(fieldname, translate=False)
            cache[fieldname] = [v.decode("utf-8") for v in _column_bytes(reader)]
    return cache[fieldname]


def _column_bytes(reader) -> list[bytes]:
    """Read a whole column at once; Whoosh's readers fetch value by value (µs each)."""
    get = getattr(getattr(reader, "_dbfile", None), "get", None)
    if get is not None and hasattr(reader, "_uniques"):  # RefBytesColumn
        raw = get(reader._basepos, reader._doccount * reader._itemsize)
        refs = np.frombuffer(raw, dtype=np.dtype(reader._typecode).newbyteorder(">"))
        uniques = reader._uniques
        return [uniques[r] for r in refs.tolist()]
    if get is not None and hasattr(reader, "_offsets"):  # VarBytesColumn
        blob = bytes(get(reader._basepos, reader._length))
        return [blob[o : o + n] for o, n in zip(reader._offsets, reader._lengths, strict=True)]
    return list(reader)


def numeric_values(leaf, fieldname: str) -> list[int]:
    """All values of one segment's numeric column, in their sortable form (cached)."""
    cache = leaf.__dict__.setdefault("_wissen_columns", {})
    key = f"#{fieldname}"
    if key not in cache and not leaf.has_column(fieldname):
        cache[key] = [0] * leaf.doc_count_all()
    if key not in cache:
        reader = leaf.column_reader(fieldname, translate=False)
        count = leaf.doc_count_all()
        get = getattr(getattr(reader, "_dbfile", None), "get", None)
        if get is not None and hasattr(reader, "_fixedlen") and hasattr(reader, "_typecode"):
            raw = get(reader._basepos, reader._count * reader._fixedlen)
            values = np.frombuffer(raw, dtype=np.dtype(reader._typecode).newbyteorder(">"))
            listed = values.tolist() + [reader._default] * (count - len(values))
        else:
            listed = [reader[d] for d in range(count)]
        cache[key] = listed
    return cache[key]
