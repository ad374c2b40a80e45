"""Theme pages and region profiles: everything on a theme or from a region, with counts.

A theme page can be narrowed by region and by kind; each choice shows how many items it
would leave (counted with the other choice applied, as search facets are), so a count
never promises more than the page then shows.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.models import (
    Article,
    ArticleKind,
    Contact,
    Document,
    DocumentKind,
    Region,
    Theme,
)

from .articles import listed_articles
from .contacts import ContactCard, cards
from .permissions import Action, Viewer
from .seminars import Seminar, seminars


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    count: int
    active: bool


@dataclass
class ThemeOverview:
    theme: Theme
    articles_by_kind: list[tuple[str, list[Article]]]  # (kind label, articles), in kind order
    documents: list[Document]
    contacts: list[ContactCard]
    regions: list[Choice]
    kinds: list[Choice]
    chosen_region: str = ""
    chosen_kind: str = ""

    @property
    def article_count(self) -> int:
        return sum(len(found) for _, found in self.articles_by_kind)

    @property
    def total(self) -> int:
        return self.article_count + len(self.documents) + len(self.contacts)


def theme_overview(
    session: Session, theme: Theme, viewer: Viewer, *, region: str = "", kind: str = ""
) -> ThemeOverview:
    """Articles (by kind), documents and contacts on ``theme``, narrowed by region/kind."""
    articles = list(
        session.scalars(
            listed_articles()
            .where(Article.themes.any(Theme.id == theme.id))
            .order_by(Article.date.desc().nulls_last(), Article.title)
        )
    )
    documents = [
        d
        for d in session.scalars(
            select(Document)
            .where(Document.deleted_at.is_(None), Document.themes.any(Theme.id == theme.id))
            .order_by(Document.date.desc().nulls_last(), Document.title)
        )
        if viewer.can(Action.VIEW, d)
    ]
    people = [
        c
        for c in session.scalars(
            select(Contact)
            .where(Contact.removed_at.is_(None), Contact.themes.any(Theme.id == theme.id))
            .order_by(Contact.name)
        )
        if viewer.can(Action.VIEW, c)
    ]
    items: list[Article | Document | Contact] = [*articles, *documents, *people]

    def region_of(item) -> str:
        return item.region.slug if item.region else ""

    def kind_of(item) -> str:
        return "kontakt" if isinstance(item, Contact) else item.kind.value

    by_region = Counter(region_of(i) for i in items if not kind or kind_of(i) == kind)
    by_kind = Counter(kind_of(i) for i in items if not region or region_of(i) == region)
    shown = [i for i in items if (not region or region_of(i) == region)]
    shown = [i for i in shown if not kind or kind_of(i) == kind]
    region_names = {r.slug: r.name for r in session.scalars(select(Region))}
    return ThemeOverview(
        theme=theme,
        articles_by_kind=[
            (k.label, found)
            for k in ArticleKind
            if (found := [i for i in shown if isinstance(i, Article) and i.kind is k])
        ],
        documents=[i for i in shown if isinstance(i, Document)],
        contacts=cards([i for i in shown if isinstance(i, Contact)], viewer),
        regions=sorted(
            (
                Choice(slug, region_names[slug], n, slug == region)
                for slug, n in by_region.items()
                if slug
            ),
            key=lambda c: c.label,
        ),
        kinds=[
            Choice(value, label, by_kind[value], value == kind)
            for value, label in _kind_labels()
            if by_kind[value]
        ],
        chosen_region=region,
        chosen_kind=kind,
    )


def _kind_labels() -> list[tuple[str, str]]:
    """Article kinds, then document kinds; "leitfaden" is both and is offered once."""
    labels = {k.value: k.label for k in ArticleKind}
    for kind in DocumentKind:
        labels.setdefault(kind.value, kind.label)
    return [*labels.items(), ("kontakt", "Kontakte")]


@dataclass
class RegionProfile:
    region: Region
    articles: list[Article]
    documents: list[Document]
    contacts: list[ContactCard]
    seminars: list[Seminar]
    themes: list[tuple[Theme, int]] = field(default_factory=list)  # worked on, with count


def region_profile(session: Session, region: Region, viewer: Viewer) -> RegionProfile:
    articles = list(
        session.scalars(
            listed_articles()
            .where(Article.region_id == region.id)
            .order_by(Article.date.desc().nulls_last(), Article.title)
        )
    )
    documents = [
        d
        for d in session.scalars(
            select(Document)
            .where(Document.deleted_at.is_(None), Document.region_id == region.id)
            .order_by(Document.date.desc().nulls_last(), Document.title)
        )
        if viewer.can(Action.VIEW, d)
    ]
    people = session.scalars(
        select(Contact)
        .where(Contact.region_id == region.id, Contact.removed_at.is_(None))
        .order_by(Contact.name)
    ).all()
    worked_on = Counter(t.id for item in (*articles, *documents) for t in item.themes)
    themes = session.scalars(select(Theme).order_by(Theme.position, Theme.name))
    return RegionProfile(
        region=region,
        articles=[a for a in articles if a.kind is not ArticleKind.EVENT],
        documents=documents,
        contacts=cards(list(people), viewer),
        seminars=seminars(session, viewer, region=region),
        themes=[(t, worked_on[t.id]) for t in themes if worked_on[t.id]],
    )
