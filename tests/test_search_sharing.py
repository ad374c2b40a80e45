"""All threads of a server process share one open searcher per index generation.

After an index change only one thread opens the new generation; the others use it too.
Sharing must never change what a search finds: not under many threads reading the same
index files at once, not for a thread still busy with the old generation, and not after
the files were damaged under it.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from wissen.search import (
    Access,
    IndexUnavailable,
    Request,
    SearchIndex,
    entries,
    postcache,
    store,
    thesaurus,
)

from .search_helpers import article_entries

SHIPPED = thesaurus.compiled(thesaurus.shipped_text())
ARTICLES = 300
THREADS = 8
# Made-up words from letters German stemming leaves alone, so each stays one term.
LETTERS = "bcdfghjklmpqvwxz"


def _word(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, len(LETTERS))
        digits = LETTERS[rest] + digits
        if number == 0:
            return "qu" + digits


def _body(number: int) -> str:
    """Article ``number`` contains word ``k`` for every divisor k up to 30."""
    words = [_word(k) for k in range(1, 31) if number % k == 0]
    return f"Bericht {number} aus dem Landkreis über " + " und ".join(words) + "."


def _request(text: str) -> Request:
    return Request(text=text, access=Access(), thesaurus=SHIPPED, limit=ARTICLES)


def _parents(index: SearchIndex, text: str) -> set[str]:
    return {hit.parent for hit in index.search(_request(text)).hits}


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    groups = {f"article:{n}": article_entries(n, _body(n)) for n in range(1, ARTICLES + 1)}
    entries.rebuild(tmp_path, iter(groups.items()))
    return SearchIndex(tmp_path)


@pytest.fixture
def uncached_postings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every search reads its posting lists from the index files, none from memory,
    and threads switch often: the hardest case for a shared searcher."""
    monkeypatch.setattr(postcache, "shared", postcache.PostingsCache(max_bytes=0))
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def _run_together(work, count: int = THREADS) -> list:
    """Run ``work(n)`` in ``count`` threads started at the same moment; re-raise errors."""
    start = threading.Barrier(count)
    results: list = [None] * count
    errors: list[BaseException] = []

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    if errors:
        raise errors[0]
    return results


def test_the_words_of_the_test_corpus_are_found_where_they_were_written(
    index: SearchIndex,
) -> None:
    for k in (1, 7, 30):
        expected = {f"article:{n}" for n in range(1, ARTICLES + 1) if n % k == 0}
        assert _parents(index, _word(k)) == expected


def test_threads_searching_at_once_find_what_one_thread_finds(
    index: SearchIndex, uncached_postings: None
) -> None:
    texts = [_word(k) for k in range(1, 31)]
    texts += [f'"{_word(2)} und {_word(3)}"', f"{_word(5)} landkreis", "bericht"]
    asks = [lambda text=text: index.search(_request(text)) for text in texts]
    asks += [lambda prefix=prefix: index.complete(prefix, Access()) for prefix in ("qu", "ber")]
    asks += [lambda: index.similar("article:60", _body(60), Access())]
    alone = [ask() for ask in asks]

    def ask_all(n: int) -> int:
        order = random.Random(n).sample(list(range(len(asks))) * 2, len(asks) * 2)
        for number in order:
            assert asks[number]() == alone[number], number  # hits, snippets, facets
        return len(order)

    assert sum(_run_together(ask_all)) == THREADS * len(asks) * 2


def test_after_a_change_the_threads_open_the_new_index_once(index: SearchIndex) -> None:
    pool = store.SearcherPool(index.root)

    def lease_together() -> set[int]:
        def hold(_: int) -> int:
            with pool.lease() as searcher:
                return id(searcher)

        return set(_run_together(hold))

    before = lease_together()
    entries.apply(index.root, {"article:1": article_entries(1, "Neu: der Rufbus im Landkreis.")})
    after = lease_together()
    assert len(before) == 1
    assert len(after) == 1
    assert before != after
    assert _parents(index, "rufbus") == {"article:1"}
    pool.close()


def test_a_thread_keeps_its_searcher_while_others_move_to_the_new_index(
    index: SearchIndex,
) -> None:
    pool = store.SearcherPool(index.root)
    with pool.lease() as old:
        changed = article_entries(1, "Neu: der Rufbus im Landkreis.")
        entries.apply(index.root, {"article:1": changed})
        with pool.lease() as new:
            assert new is not old
            assert new.document(key="article:1") is not None
        # The old one still works for the search that holds it: it sees the old text.
        assert old.document_number(key="article:1") is not None
        assert not old.is_closed
    assert old.is_closed  # closed once its last user was done
    with pool.lease() as again:
        assert again is new
        assert not again.is_closed
    pool.close()
    assert new.is_closed


def test_a_damaged_searcher_is_dropped_and_the_next_search_opens_afresh(
    index: SearchIndex,
) -> None:
    assert _parents(index, _word(7))
    with index._pool.lease() as damaged:
        pass

    def broken(searcher, *args):
        raise EOFError("Datei abgeschnitten")

    with pytest.raises(IndexUnavailable, match="beschädigt"):
        index._guarded(broken)
    assert damaged.is_closed
    expected = {f"article:{n}" for n in range(1, ARTICLES + 1) if n % 7 == 0}
    assert _parents(index, _word(7)) == expected
