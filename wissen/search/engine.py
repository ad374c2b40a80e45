"""Running a search: visibility and facet filters, grouping pages per document, facets,
highlighted snippets, "Meinten Sie …?". Whoosh objects stay in here; callers get dataclasses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from whoosh.query import And, Every, Not, Or, Query, Term
from whoosh.searching import Searcher

from . import postcache, snippets
from .analysis import query_words
from .evaluate import Evaluator, column_values, numeric_values
from .querybuild import build, correction, is_known
from .syntax import ParsedQuery, parse
from .thesaurus import Thesaurus

FACETS = ("type", "kind", "theme", "region", "year")
PAGES_PER_DOCUMENT = 3
FEW_HITS = 3


@dataclass(frozen=True)
class Access:
    """What a viewer may find: audiences, and the regions whose drafts they edit.

    ``draft_regions`` None means all drafts (admins); region ``_ohne`` stands for content
    without a region.
    """

    audiences: tuple[str, ...] = ("public",)
    draft_regions: tuple[str, ...] | None = ()

    def hidden(self) -> Query | None:
        """What this viewer must not find, as a mask: usually a handful of drafts and
        internal contacts, so it is far cheaper than a filter listing what may be found."""
        masks: list[Query] = [
            Term("audience", a) for a in ("public", "intern") if a not in self.audiences
        ]
        if self.draft_regions is not None:
            drafts = Term("audience", "draft")
            if self.draft_regions:
                own = Or([Term("region", r) for r in self.draft_regions])
                masks.append(And([drafts, Not(own)]))
            else:
                masks.append(drafts)
        if not masks:
            return None
        return Or(masks) if len(masks) > 1 else masks[0]


@dataclass
class Request:
    text: str
    access: Access
    thesaurus: Thesaurus
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet → values
    sort: str = "relevance"  # or "date"
    offset: int = 0
    limit: int = 10
    snippets: bool = True


@dataclass(frozen=True)
class PageHit:
    number: int
    snippet: str  # HTML: escaped text with <mark> around matches


@dataclass(frozen=True)
class Hit:
    parent: str
    type: str
    score: float
    snippet: str
    pages: tuple[PageHit, ...] = ()


@dataclass
class Outcome:
    total: int = 0
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    suggestion: str | None = None
    parsed: ParsedQuery | None = None


def _restrictions(request: Request, parsed: ParsedQuery) -> dict[str, Query | None]:
    """``filter`` (chosen facets) and ``mask`` (hidden for this viewer, excluded facets)."""
    chosen = {name: list(values) for name, values in request.filters.items()}
    for name, values in parsed.filters.items():
        chosen.setdefault(name, []).extend(values)
    wanted: list[Query] = []
    for name, values in chosen.items():
        field_name = "themes" if name == "theme" else name
        if values and field_name in ("themes", "region", "kind", "type", "year"):
            terms = [Term(field_name, v) for v in dict.fromkeys(values)]
            wanted.append(Or(terms) if len(terms) > 1 else terms[0])
    unwanted: list[Query] = []
    hidden = request.access.hidden()
    if hidden is not None:
        unwanted.append(hidden)
    for name, values in parsed.excluded_filters.items():
        field_name = "themes" if name == "theme" else name
        unwanted.append(Or([Term(field_name, v) for v in values]))
    return {
        "filter": (And(wanted) if len(wanted) > 1 else wanted[0]) if wanted else None,
        "mask": (Or(unwanted) if len(unwanted) > 1 else unwanted[0]) if unwanted else None,
    }


def search(searcher: Searcher, request: Request) -> Outcome:
    parsed = parse(request.text)
    outcome = Outcome(parsed=parsed)
    built = build(searcher.reader(), parsed, request.thesaurus)
    if built.query is None and any(request.filters.values()) and not parsed.excluded:
        built.query = Every()  # browsing by facets (/suche?theme=…&region=…) without words
    if built.query is None:
        return outcome
    evaluator = Evaluator(searcher)
    scores = _allowed(evaluator, built.query, _restrictions(request, parsed))
    groups = _Groups.of(searcher, scores)
    outcome.total = len(groups)
    outcome.facets = _facet_counts(searcher, groups)
    outcome.hits = _page_of_hits(searcher, groups, request, built.query)
    if (outcome.total < FEW_HITS or built.corrections) and parsed.text:
        outcome.suggestion = _suggestion(searcher, request, parsed, built.corrections)
    return outcome


def _allowed(evaluator: Evaluator, query: Query, restrictions: dict) -> np.ndarray:
    """Scores of the live entries that match, pass the filters and are not masked."""
    scores = evaluator.scores(query)
    dropped = evaluator.deleted()
    if restrictions["filter"] is not None:
        dropped = dropped | ~evaluator.docs(restrictions["filter"])
    if restrictions["mask"] is not None:
        dropped = dropped | evaluator.docs(restrictions["mask"])
    return np.where(dropped, 0.0, scores)


@dataclass
class _Groups:
    """Matching entries grouped per parent (an article, a contact, a document's pages).

    ``docs``/``scores`` hold the matching entries sorted by parent, then best score first;
    group ``g`` is ``starts[g]:starts[g + 1]``, its first entry is its best.
    """

    docs: np.ndarray
    scores: np.ndarray
    starts: np.ndarray

    @classmethod
    def of(cls, searcher: Searcher, scores: np.ndarray) -> _Groups:
        found = np.flatnonzero(scores)
        if not found.size:  # also: an empty index has no columns at all
            empty = np.zeros(0, dtype=np.int64)
            return cls(empty, np.zeros(0), empty)
        parents = _codes(searcher, "parent")[0][found]
        found_scores = scores[found]
        order = np.lexsort((found, -found_scores, parents))
        parents = parents[order]
        starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
        return cls(found[order], found_scores[order], starts)

    def __len__(self) -> int:
        return len(self.starts)

    @property
    def best_docs(self) -> np.ndarray:
        return self.docs[self.starts]

    def entries(self, group: int) -> list[tuple[int, float]]:
        """Up to PAGES_PER_DOCUMENT best entries of one group, best first."""
        start = self.starts[group]
        end = self.starts[group + 1] if group + 1 < len(self.starts) else len(self.docs)
        end = min(end, start + PAGES_PER_DOCUMENT)
        return list(
            zip(self.docs[start:end].tolist(), self.scores[start:end].tolist(), strict=True)
        )


def _codes(searcher: Searcher, fieldname: str) -> tuple[np.ndarray, list[str]]:
    """A byte column over all segments as (code per global docnum, value per code),
    cached per searcher: grouping and counting then work on integer arrays."""
    cache = postcache.layout_cache(searcher.reader())
    if fieldname not in cache:
        values: list[str] = []
        for leaf, offset in searcher.reader().leaf_readers():
            values.extend([""] * (offset - len(values)))
            values.extend(column_values(leaf, fieldname))
        numbering: dict[str, int] = {}
        codes = [numbering.setdefault(value, len(numbering)) for value in values]
        cache[fieldname] = (np.array(codes, dtype=np.int64), list(numbering))
    return cache[fieldname]


@dataclass
class _FacetTable:
    """Facet values per combination of values (most entries share one with others);
    built once per searcher from the ``facets`` column ("type|kind|themes|region|year|…")."""

    single: dict[str, tuple[list[str], np.ndarray]]  # facet → (values, code per combination)
    themes: list[str]
    theme_pairs: tuple[np.ndarray, np.ndarray]  # (combination, theme code) for each pair
    theme_lists: list[list[str]]  # the themes of each combination

    @classmethod
    def of(cls, combinations: list[str]) -> _FacetTable:
        names = ("type", "kind", "region", "year")
        numbering: dict[str, dict[str, int]] = {name: {} for name in names}
        codes: dict[str, list[int]] = {name: [] for name in names}
        themes: dict[str, int] = {}
        pairs: tuple[list[int], list[int]] = ([], [])
        theme_lists: list[list[str]] = []
        for index, combination in enumerate(combinations):
            kind_type, kind, theme_list, region, year, *_ = (combination or "|||||").split("|")
            for name, value in zip(names, (kind_type, kind, region, year), strict=True):
                codes[name].append(numbering[name].setdefault(value, len(numbering[name])))
            theme_lists.append([t for t in theme_list.split(",") if t])
            for theme in theme_lists[-1]:
                pairs[0].append(index)
                pairs[1].append(themes.setdefault(theme, len(themes)))
        single = {
            name: (list(numbering[name]), np.array(codes[name], dtype=np.int64)) for name in names
        }
        theme_pairs = (np.array(pairs[0], dtype=np.int64), np.array(pairs[1], dtype=np.int64))
        return cls(single, list(themes), theme_pairs, theme_lists)

    def values_of(self, code: int) -> dict[str, list[str]]:
        """The facet values of one combination (themes: several, others: one or none)."""
        found: dict[str, list[str]] = {
            name: [values[codes[code]]] if values[codes[code]] else []
            for name, (values, codes) in self.single.items()
        }
        found["theme"] = self.theme_lists[code]
        return found

    def count(self, numbers: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts per facet value, given how many hits have each combination."""
        counted: dict[str, dict[str, int]] = {}
        for name, (values, codes) in self.single.items():
            totals = np.bincount(codes, weights=numbers, minlength=len(values))
            counted[name] = {values[c]: int(totals[c]) for c in np.flatnonzero(totals).tolist()}
        combos, themes = self.theme_pairs
        totals = np.bincount(themes, weights=numbers[combos], minlength=len(self.themes))
        counted["theme"] = {self.themes[c]: int(totals[c]) for c in np.flatnonzero(totals).tolist()}
        return counted


def _facet_table(searcher: Searcher) -> tuple[np.ndarray, _FacetTable]:
    cache = postcache.layout_cache(searcher.reader())
    if "facet-table" not in cache:
        codes, combinations = _codes(searcher, "facets")
        cache["facet-table"] = (codes, _FacetTable.of(combinations))
    return cache["facet-table"]


def facet_pairs(searcher: Searcher, access: Access, first: str, second: str) -> Counter:
    """How many hits a search by the two facets ``first=a&second=b`` gives, for every pair
    (a, b) that has any: the transfer matrix (themes × regions) in one pass."""
    request = Request(text="", access=access, thesaurus=Thesaurus())
    scores = _allowed(Evaluator(searcher), Every(), _restrictions(request, parse("")))
    groups = _Groups.of(searcher, scores)
    pairs: Counter = Counter()
    if not len(groups):
        return pairs
    codes, table = _facet_table(searcher)
    numbers = np.bincount(codes[groups.best_docs], minlength=len(table.single["type"][1]))
    for code in np.flatnonzero(numbers).tolist():
        values = table.values_of(code)
        for a in values[first]:
            for b in values[second]:
                pairs[a, b] += int(numbers[code])
    return pairs


def _facet_counts(searcher: Searcher, groups: _Groups) -> dict[str, list[tuple[str, int]]]:
    if not len(groups):
        return {name: [] for name in FACETS}
    codes, table = _facet_table(searcher)
    numbers = np.bincount(codes[groups.best_docs], minlength=len(table.single["type"][1]))
    counted = table.count(numbers.astype(float))
    return {
        name: sorted(
            ((value, n) for value, n in counted[name].items() if value),
            key=lambda item: (-item[1], item[0]),
        )
        for name in FACETS
    }


def _page_of_hits(searcher: Searcher, groups: _Groups, request: Request, query: Query) -> list[Hit]:
    """The requested page of grouped hits; reads stored fields only for those."""
    if not len(groups):
        return []
    best_docs, best_scores = groups.best_docs, groups.scores[groups.starts]
    keys = [best_docs, -best_scores]
    if request.sort == "date":
        keys.append(-_dates(searcher)[best_docs])
    order = np.lexsort(keys)[request.offset : request.offset + request.limit]
    shown = [groups.entries(group) for group in order.tolist()]
    ranges: dict[int, list[tuple[int, int]]] = {}
    if request.snippets:
        docnums = [docnum for entries in shown for docnum, _ in entries]
        ranges = snippets.character_ranges(searcher, docnums, snippets.body_terms(query))
    return [_hit(searcher, entries, ranges, request.snippets) for entries in shown]


def _dates(searcher: Searcher) -> np.ndarray:
    cache = postcache.layout_cache(searcher.reader())
    if "#date" not in cache:
        values: list[int] = []
        for leaf, offset in searcher.reader().leaf_readers():
            values.extend([0] * (offset - len(values)))
            values.extend(numeric_values(leaf, "date"))
        cache["#date"] = np.array(values, dtype=np.int64)
    return cache["#date"]


def _hit(
    searcher: Searcher, entries: list[tuple[int, float]], ranges: dict, with_snippets: bool
) -> Hit:
    stored = [(docnum, score, searcher.stored_fields(docnum)) for docnum, score in entries]
    _, best_score, best = stored[0]

    def cut(docnum: int, fields: dict) -> str:
        if not with_snippets:
            return ""
        return snippets.snippet(fields.get("body", ""), ranges.get(docnum, []))

    pages = tuple(PageHit(f["page"], cut(d, f)) for d, _, f in stored if f.get("page"))
    return Hit(
        parent=best["parent"],
        type=best["type"],
        score=round(float(best_score or 0.0), 4),
        snippet=pages[0].snippet if pages else cut(stored[0][0], best),
        pages=pages,
    )


def _suggestion(
    searcher: Searcher, request: Request, parsed: ParsedQuery, corrections: dict[str, str]
) -> str | None:
    """A corrected query, offered only when it finds something."""
    reader = searcher.reader()
    words = query_words(parsed.text)
    fixed = [
        corrections.get(w) or (None if is_known(reader, w) else correction(reader, w)) or w
        for w in words
    ]
    if fixed == words:
        return None
    suggestion = " ".join(fixed)
    probe = Request(text=suggestion, access=request.access, thesaurus=request.thesaurus)
    probe_built = build(reader, parse(suggestion), request.thesaurus)
    if probe_built.query is None:
        return None
    found = _allowed(
        Evaluator(searcher), probe_built.query, _restrictions(probe, parse(suggestion))
    )
    return suggestion if found.any() else None
