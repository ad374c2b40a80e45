"""The fast scorer (``search.evaluate``) must rank exactly as Whoosh's matchers would.

``ranking.py`` holds the matchers that define wissen's scoring; ``evaluate.py`` computes
the same scores posting block by posting block because that is many times faster. These
tests build a real index with several segments and deleted entries and compare both on
queries of every shape the query builder makes: words in all fields, synonyms, compound
parts, typo corrections, phrases, exclusions, filters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from wissen.search import Access, Request, SearchIndex, entries, store, thesaurus
from wissen.search.entries import Entry
from wissen.search.evaluate import Evaluator
from wissen.search.querybuild import build
from wissen.search.syntax import parse

SHIPPED = thesaurus.compiled(thesaurus.shipped_text())
TEXTS = [
    "Ehrenamtliche gewinnen im ländlichen Raum: Freiwilligenagentur und Bürgerbus.",
    "Der Bürgerbus fährt dienstags; Ehrenamt und Nahverkehr im Landkreis.",
    "Gesundheitsförderung für Senioren: Förderung der Gesundheit älterer Menschen.",
    "Kindertagesstätte und Kita-Plätze: Betreuung im Dorf, Fachkräfte gewinnen.",
    "Pflegestützpunkt Uckermark: Ansprechpartnerin für pflegende Angehörige.",
    "Leuchtturmregionen zeigen, wie Daseinsvorsorge im Dorf gelingt.",
    "Öffentlicher Personennahverkehr, ÖPNV und Rufbus in der Fläche.",
    "Bürgerschaftliches Engagement stärkt die Ehrenamtsstruktur der Gemeinde.",
    "Haushaltsplan und Kreistag: Förderung von Projekten der Dorfentwicklung.",
    "Demografischer Wandel: Bevölkerungsvorausberechnung für den Landkreis.",
]
QUERIES = [
    "ehrenamt",
    "ehrenamtliche gewinnen ländlicher raum",
    "buergerbus",
    "Gesundheitsförderung",
    "senioren gesundheit",
    "kita fachkräfte",
    "ansprechpartnerin pflegestützpunkt uckermark",
    "öpnv",
    "leuchtturm",
    "ehrenamtstruktur",  # a typo: corrected and split
    "bevoelkerungsvorausberechnung",
    '"Förderung der Gesundheit"',
    '"bürgerbus" landkreis',
    "förderung -haushaltsplan",
    'dorf -"daseinsvorsorge"',
    "thema:mobilitaet bus",
    "landkreis region:uckermark",
    "thema:mobilitaet",
]


def _entry(number: int, text: str, *, version: str = "1") -> list[Entry]:
    theme = ("mobilitaet",) if "bus" in text.lower() or "verkehr" in text.lower() else ()
    region = "uckermark" if number % 3 == 0 else "altmark"
    article = Entry(
        parent=f"article:{number}",
        type="article",
        title=text.split(":")[0][:60],
        stamp=version,
        kind="praxisbeispiel",
        summary=text[:40],
        body=f"{text} {text.lower()}",
        themes=theme,
        region=region,
        date=20240101 + number,
    )
    if number % 4:
        return [article]
    pages = [f"Seite {p}: {text}" if p % 2 else TEXTS[(number + p) % len(TEXTS)] for p in (1, 2, 3)]
    return [
        Entry(
            parent=f"document:{number}",
            type="document",
            title=f"Foliensatz {number}",
            stamp=version,
            kind="vortrag",
            body=page,
            page=p,
            themes=theme,
            region=region,
        )
        for p, page in enumerate(pages, start=1)
    ]


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """Forty entries in a base segment, then edits and deletions in further segments."""
    root: Path = tmp_path_factory.mktemp("evaluate")
    groups = {}
    for number in range(40):
        items = _entry(number, TEXTS[number % len(TEXTS)])
        groups[items[0].parent] = items
    entries.rebuild(root, iter(groups.items()))
    for batch in range(3):  # each apply commits a segment and deletes the old copies
        changes: dict[str, list[Entry]] = {}
        for number in range(batch, 40, 7):
            items = _entry(number, TEXTS[(number + batch + 1) % len(TEXTS)], version="2")
            changes[items[0].parent] = items
        changes[f"article:{39 - batch}"] = []  # deleted
        entries.apply(root, changes)
    return SearchIndex(root)


def _reference(searcher, query) -> dict[int, float]:
    """Scores by Whoosh's own matchers (``ranking.py``), document by document."""
    scores: dict[int, float] = {}
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        matcher = query.matcher(sub, context)  # postings here skip deleted documents
        while matcher.is_active():
            scores[matcher.id() + offset] = matcher.score()
            matcher.next()
    return scores


def test_the_index_has_several_segments_and_deletions(index: SearchIndex) -> None:
    with store.open_current(index.root).searcher() as searcher:
        leaves = list(searcher.reader().leaf_readers())
        assert len(leaves) >= 2
        assert any(leaf.has_deletions() for leaf, _ in leaves)


@pytest.mark.parametrize("text", QUERIES)
def test_scores_equal_whoosh_matchers(index: SearchIndex, text: str) -> None:
    searcher = store.open_current(index.root).searcher()
    try:
        query = build(searcher.reader(), parse(text), SHIPPED).query
        assert query is not None
        evaluator = Evaluator(searcher)
        scores = evaluator.scores(query)
        dropped = evaluator.deleted()
        fast = {d: scores[d] for d in range(len(scores)) if scores[d] > 0 and not dropped[d]}
        reference = _reference(searcher, query)
        assert fast.keys() == reference.keys(), text
        for docnum, score in reference.items():
            assert fast[docnum] == pytest.approx(score, rel=1e-6), (text, docnum)
    finally:
        searcher.close()


@pytest.mark.parametrize("text", QUERIES)
def test_search_results_follow_the_scores(index: SearchIndex, text: str) -> None:
    """Hits come in score order, one per parent, and the total counts parents."""
    request = Request(text=text, access=Access(), thesaurus=SHIPPED, limit=50)
    outcome = index.search(request)
    scores = [hit.score for hit in outcome.hits]
    assert scores == sorted(scores, reverse=True)
    assert len({hit.parent for hit in outcome.hits}) == len(outcome.hits) == outcome.total
    assert "article:39" not in {hit.parent for hit in outcome.hits}  # deleted


def test_exclusion_removes_every_entry_that_contains_the_word(index: SearchIndex) -> None:
    request = Request(text="förderung -haushaltsplan", access=Access(), thesaurus=SHIPPED)
    with_word = Request(text="haushaltsplan", access=Access(), thesaurus=SHIPPED, limit=50)
    excluded = {hit.parent for hit in index.search(with_word).hits}
    assert excluded
    assert not excluded & {hit.parent for hit in index.search(request).hits}


def test_block_reading_equals_the_public_matcher_interface(index: SearchIndex) -> None:
    """The fast path reads Whoosh 3's blocks directly; the slow path is kept for other
    codecs. Both must give the same postings, values included."""
    from wissen.search.evaluate import _postings, _postings_one_by_one

    searcher = store.open_current(index.root).searcher()
    try:
        compared = 0
        for leaf, _ in searcher.reader().leaf_readers():
            for fieldname, btext in [
                ("bodyf", b"burgerbus"),
                ("body", b"forder"),
                ("title", b"bus"),
            ]:
                if (fieldname, btext) not in leaf:
                    continue
                fast = _postings(leaf, fieldname, btext, values=True)
                slow = _postings_one_by_one(leaf.postings(fieldname, btext), values=True)
                deleted = leaf.deleted_docs_set
                live = [i for i, d in enumerate(fast[0].tolist()) if d not in deleted]
                assert fast[0][live].tolist() == slow[0].tolist()
                assert fast[1][live].tolist() == slow[1].tolist()
                assert [fast[2][i] for i in live] == slow[2]
                compared += 1
        assert compared >= 3
    finally:
        searcher.close()
