"""Running a search: visibility and facet filters, grouping pages per document, facets,
highlighted snippets, "Meinten Sie …?". Whoosh objects stay in here; callers get dataclasses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from whoosh import sorting
from whoosh.query import And, Not, Or, Query, Term
from whoosh.searching import Searcher

from . import snippets
from .analysis import query_words
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
    if built.query is None:
        return outcome
    wanted = request.offset + request.limit
    sortedby = sorting.FieldFacet("date", reverse=True) if request.sort == "date" else None
    results = searcher.search(
        built.query,
        **_restrictions(request, parsed),
        limit=max(wanted * PAGES_PER_DOCUMENT, 10),
        sortedby=sortedby,
        collapse="parent",
        collapse_limit=PAGES_PER_DOCUMENT,
        groupedby={"parent": sorting.FieldFacet("parent")},
    )
    groups = results.groups("parent")
    outcome.total = len(groups)
    outcome.facets = _facet_counts(searcher, groups)
    outcome.hits = _page_of_hits(searcher, results, request, built.query)
    if (outcome.total < FEW_HITS or built.corrections) and parsed.text:
        outcome.suggestion = _suggestion(searcher, request, parsed, built.corrections)
    return outcome


def _facet_counts(searcher: Searcher, groups: dict) -> dict[str, list[tuple[str, int]]]:
    counts: dict[str, Counter[str]] = {name: Counter() for name in FACETS}
    if not groups:
        return {name: [] for name in FACETS}
    column = searcher.reader().column_reader("facets")
    for docnums in groups.values():
        kind_type, kind, themes, region, year, _ = column[docnums[0]].decode().split("|")
        counts["type"][kind_type] += 1
        counts["kind"][kind] += 1
        counts["theme"].update(t for t in themes.split(",") if t)
        if region:
            counts["region"][region] += 1
        if year:
            counts["year"][year] += 1
    return {
        name: sorted(counter.items(), key=lambda item: (-item[1], item[0]))
        for name, counter in counts.items()
    }


def _page_of_hits(searcher: Searcher, results, request: Request, query: Query) -> list[Hit]:
    """The requested page of grouped hits; reads stored fields only for those."""
    if not results.top_n:
        return []  # also: an empty index has no columns at all
    parents = searcher.reader().column_reader("parent")
    wanted = request.offset + request.limit
    order: list[str] = []
    grouped: dict[str, list[tuple[int, float]]] = {}
    for score, docnum in results.top_n:
        parent = parents[docnum]
        if parent not in grouped:
            if len(order) >= wanted:
                continue
            order.append(parent)
            grouped[parent] = []
        if len(grouped[parent]) < PAGES_PER_DOCUMENT:
            grouped[parent].append((docnum, score))
    shown = order[request.offset :]
    ranges: dict[int, list[tuple[int, int]]] = {}
    if request.snippets:
        docnums = [docnum for parent in shown for docnum, _ in grouped[parent]]
        ranges = snippets.character_ranges(searcher, docnums, snippets.body_terms(query))
    return [_hit(searcher, grouped[parent], ranges, request.snippets) for parent in shown]


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
    found = searcher.search(probe_built.query, **_restrictions(probe, parse(suggestion)), limit=1)
    return suggestion if found.scored_length() else None
