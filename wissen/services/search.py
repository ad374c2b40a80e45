"""The search use case: who may find what, facets with German labels, objects in hit order."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from wissen.models import (
    Article,
    ArticleKind,
    Contact,
    Document,
    DocumentKind,
    Region,
    Role,
    SearchMiss,
    Theme,
    ThesaurusText,
    utcnow,
)
from wissen.search import Access, Completion, Hit, Request, SearchIndex
from wissen.search import thesaurus as thesaurus_text
from wissen.search.analysis import query_words

from .permissions import Viewer

MAX_PER_PAGE = 50
TYPE_LABELS = {"article": "Artikel", "document": "Dokument", "contact": "Kontakt"}
FACET_LABELS = {
    "type": "Art des Inhalts",
    "kind": "Kategorie",
    "theme": "Thema",
    "region": "Region",
    "year": "Jahr",
}
_MODELS = {"article": Article, "document": Document, "contact": Contact}
_indexes: dict[Path, SearchIndex] = {}


def index_at(root: Path | str) -> SearchIndex:
    root = Path(root)
    if root not in _indexes:
        _indexes[root] = SearchIndex(root)
    return _indexes[root]


def access_for(viewer: Viewer) -> Access:
    user = viewer.user
    if user is None:
        return Access(audiences=("public",) if viewer.public_read else ())
    if user.role is Role.ADMIN:
        return Access(audiences=("public", "intern"), draft_regions=None)
    if user.role is Role.EDITOR:
        regions = tuple(r.slug for r in user.regions)
        return Access(audiences=("public", "intern"), draft_regions=(*regions, "_ohne"))
    return Access(audiences=("public", "intern"))


def current_thesaurus_text(session: Session) -> str:
    row = session.scalar(select(ThesaurusText).limit(1))
    return row.text if row is not None else thesaurus_text.shipped_text()


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    active: bool


@dataclass
class ResultItem:
    type: str
    obj: Any  # Article | Document | Contact
    hit: Hit


@dataclass
class SearchPage:
    query: str
    page: int
    per_page: int
    total: int = 0
    items: list[ResultItem] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    suggestion: str | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def run(
    session: Session,
    index: SearchIndex,
    query: str,
    viewer: Viewer,
    *,
    filters: dict[str, list[str]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 10,
    snippets: bool = True,
) -> SearchPage:
    """One page of results; raises ``IndexUnavailable`` when the index must be rebuilt."""
    per_page = min(max(per_page, 1), MAX_PER_PAGE)
    page = max(page, 1)
    filters = {k: [v for v in vs if v] for k, vs in (filters or {}).items() if vs}
    result = SearchPage(query=query, page=page, per_page=per_page)
    access = access_for(viewer)
    if not access.audiences or not (query.strip() or filters):
        return result
    outcome = index.search(
        Request(
            text=query,
            access=access,
            thesaurus=thesaurus_text.compiled(current_thesaurus_text(session)),
            filters=filters,
            sort="date" if sort == "datum" else "relevance",
            offset=(page - 1) * per_page,
            limit=per_page,
            snippets=snippets,
        )
    )
    result.total = outcome.total
    result.items = _load(session, outcome.hits)
    result.facets = _labelled(session, outcome.facets, filters)
    result.suggestion = outcome.suggestion
    if outcome.total == 0 and query.strip() and not filters:
        note_miss(session, query)
    return result


def _load(session: Session, hits: list[Hit]) -> list[ResultItem]:
    wanted: dict[str, list[int]] = {}
    for hit in hits:
        kind, _, ident = hit.parent.partition(":")
        wanted.setdefault(kind, []).append(int(ident))
    found: dict[str, Any] = {}
    for kind, ids in wanted.items():
        model = _MODELS[kind]
        # Each hit shows its region: loaded with it, not one query per hit.
        query = select(model).options(joinedload(model.region)).where(model.id.in_(ids))
        for obj in session.scalars(query):
            found[f"{kind}:{obj.id}"] = obj
    # An object deleted since the index saw it is simply skipped.
    return [ResultItem(h.type, found[h.parent], h) for h in hits if h.parent in found]


def _labelled(
    session: Session, facets: dict[str, list[tuple[str, int]]], filters: dict[str, list[str]]
) -> dict[str, list[FacetValue]]:
    names = {
        "theme": {slug: name for slug, name in session.execute(select(Theme.slug, Theme.name))},
        "region": {slug: name for slug, name in session.execute(select(Region.slug, Region.name))},
        "type": TYPE_LABELS,
        "kind": {
            **{k.value: k.label for k in ArticleKind},
            **{k.value: k.label for k in DocumentKind},
            "kontakt": "Kontakt",
        },
    }
    labelled: dict[str, list[FacetValue]] = {}
    for name, values in facets.items():
        labels = names.get(name, {})
        active = set(filters.get(name, []))
        labelled[name] = [
            FacetValue(value, labels.get(value, value), count, value in active)
            for value, count in values
        ]
    return labelled


def note_miss(session: Session, query: str) -> None:
    """Count a search without hits under its normalised words (no user, no address)."""
    words = " ".join(query_words(query))[:200]
    if not words:
        return
    miss = session.scalar(select(SearchMiss).where(SearchMiss.query == words))
    if miss is None:
        session.add(SearchMiss(query=words))
    else:
        miss.count += 1
        miss.last_seen = utcnow()
    session.commit()


def misses(session: Session, limit: int = 200) -> list[SearchMiss]:
    statement = select(SearchMiss).order_by(SearchMiss.count.desc(), SearchMiss.last_seen.desc())
    return list(session.scalars(statement.limit(limit)))


def complete(index: SearchIndex, text: str, viewer: Viewer) -> list[Completion]:
    access = access_for(viewer)
    if not access.audiences:
        return []
    return index.complete(text[:100], access)


def similar(
    session: Session, index: SearchIndex, obj: Article | Document, text: str, viewer: Viewer
) -> list[Any]:
    """ "Ähnliche Praxisbeispiele aus anderen Regionen" for an article or document page."""
    access = access_for(viewer)
    if not access.audiences:
        return []
    kind = "article" if isinstance(obj, Article) else "document"
    region = obj.region.slug if obj.region else ""
    parents = index.similar(f"{kind}:{obj.id}", text[:20000], access, other_region=region)
    hits = [Hit(parent=p, type=p.split(":")[0], score=0.0, snippet="") for p in parents]
    return [item.obj for item in _load(session, hits)]


def object_slug(session: Session, kind: str, ident: int) -> str | None:
    model = _MODELS.get(kind)
    return session.scalar(select(model.slug).where(model.id == ident)) if model else None
