"""Running a search: visibility and facet filters, grouping pages per document, facets,
highlighted snippets, "Meinten Sie …?". Whoosh objects stay in here; callers get dataclasses.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from whoosh import sorting
from whoosh.highlight import HtmlFormatter, PinpointFragmenter
from whoosh.query import And, Not, Or, Query, Term
from whoosh.searching import Searcher

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

    def query(self) -> Query:
        allowed: list[Query] = [Term("audience", a) for a in self.audiences]
        if self.draft_regions is None:
            allowed.append(Term("audience", "draft"))
        elif self.draft_regions:
            regions = Or([Term("region", r) for r in self.draft_regions])
            allowed.append(And([Term("audience", "draft"), regions]))
        return Or(allowed) if len(allowed) > 1 else allowed[0]


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


class WordFragmenter(PinpointFragmenter):
    """Cuts snippets at word boundaries, but keeps the text's own first and last word.

    Whoosh's autotrim also drops a whole word at the very start or end of the text.
    """

    def __init__(self) -> None:
        super().__init__(maxchars=220, surround=70, autotrim=False)

    def fragment_matches(self, text, tokens):
        for fragment in super().fragment_matches(text, tokens):
            start, end = fragment.startchar, fragment.endchar
            if start > 0 and not text[start - 1].isspace():
                space = text.find(" ", start, end)
                first = fragment.matches[0].startchar if fragment.matches else end
                if 0 <= space < first:
                    fragment.startchar = space + 1
            if end < len(text) and not text[end].isspace():
                space = text.rfind(" ", start, end)
                last = fragment.matches[-1].endchar if fragment.matches else start
                if space > last:
                    fragment.endchar = space
            yield fragment


def _filter_query(request: Request, parsed: ParsedQuery) -> Query:
    clauses: list[Query] = [request.access.query()]
    chosen = {name: list(values) for name, values in request.filters.items()}
    for name, values in parsed.filters.items():
        chosen.setdefault(name, []).extend(values)
    for name, values in chosen.items():
        field_name = "themes" if name == "theme" else name
        if values and field_name in ("themes", "region", "kind", "type", "year"):
            terms = [Term(field_name, v) for v in dict.fromkeys(values)]
            clauses.append(Or(terms) if len(terms) > 1 else terms[0])
    for name, values in parsed.excluded_filters.items():
        field_name = "themes" if name == "theme" else name
        clauses.append(Not(Or([Term(field_name, v) for v in values])))
    return And(clauses) if len(clauses) > 1 else clauses[0]


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
        filter=_filter_query(request, parsed),
        limit=max(wanted * PAGES_PER_DOCUMENT, 10),
        sortedby=sortedby,
        collapse="parent",
        collapse_limit=PAGES_PER_DOCUMENT,
        groupedby={"parent": sorting.FieldFacet("parent")},
        terms=request.snippets,  # lets the highlighter use stored positions, no re-analysis
    )
    groups = results.groups("parent")
    outcome.total = len(groups)
    outcome.facets = _facet_counts(searcher, groups)
    outcome.hits = _page_of_hits(results, request)
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


def _page_of_hits(results, request: Request) -> list[Hit]:
    order: list[str] = []
    grouped: dict[str, list] = {}
    for hit in results:
        parent = hit["parent"]
        if parent not in grouped:
            order.append(parent)
            grouped[parent] = []
        grouped[parent].append(hit)
    if request.snippets:
        results.fragmenter = WordFragmenter()
        results.formatter = HtmlFormatter(tagname="mark", classname="treffer", between=" … ")
    return [
        _hit(grouped[parent], request.snippets)
        for parent in order[request.offset : request.offset + request.limit]
    ]


def _hit(entries: list, snippets: bool) -> Hit:
    best = entries[0]
    best_pages = [e for e in entries if e["page"]][:PAGES_PER_DOCUMENT]
    pages = tuple(PageHit(e["page"], _snippet(e) if snippets else "") for e in best_pages)
    return Hit(
        parent=best["parent"],
        type=best["type"],
        score=round(float(best.score or 0.0), 4),
        snippet=(pages[0].snippet if pages else _snippet(best)) if snippets else "",
        pages=pages,
    )


def _snippet(hit) -> str:
    try:
        return hit.highlights("body", top=2)
    except KeyError:
        return ""


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
    found = searcher.search(
        probe_built.query, filter=_filter_query(probe, parse(suggestion)), limit=1
    )
    return suggestion if found.scored_length() else None
