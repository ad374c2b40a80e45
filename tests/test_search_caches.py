"""The in-memory caches behind search speed must never change what a search finds.

Decoded posting lists and phrase matches are kept per index segment, the spelling word
lists too; an edit writes a new segment and marks old entries deleted, so the next
search must see the new text and not the old one, however warm the caches are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from wissen.search import Access, Request, SearchIndex, entries, spelling, store, thesaurus
from wissen.search.postcache import PostingsCache

from .search_helpers import article_entries

SHIPPED = thesaurus.compiled(thesaurus.shipped_text())


def _found(index: SearchIndex, text: str) -> list[str]:
    outcome = index.search(Request(text=text, access=Access(), thesaurus=SHIPPED, limit=50))
    return sorted(hit.parent for hit in outcome.hits)


@pytest.fixture
def index(tmp_path: Path) -> SearchIndex:
    texts = {
        1: "Förderung der Gesundheit älterer Menschen im Landkreis.",
        2: "Der Bürgerbus fährt dienstags in die Kreisstadt.",
        3: "Die Dorfmoderation begleitet die Gemeinde beim Wandel.",
    }
    entries.rebuild(
        tmp_path, iter({f"article:{n}": article_entries(n, t) for n, t in texts.items()}.items())
    )
    return SearchIndex(tmp_path)


def test_an_edit_is_seen_although_its_old_words_were_cached(index: SearchIndex) -> None:
    for _ in range(2):  # the second round answers from the caches
        assert _found(index, '"Förderung der Gesundheit"') == ["article:1"]
        assert _found(index, "bürgerbus") == ["article:2"]
    entries.apply(
        index.root,
        {
            "article:1": article_entries(1, "Der Rufbus ersetzt den Bürgerbus im Landkreis."),
            "article:2": [],
        },
    )
    assert _found(index, '"Förderung der Gesundheit"') == []
    assert _found(index, "bürgerbus") == ["article:1"]
    assert _found(index, "rufbus") == ["article:1"]


def test_a_typo_is_corrected_to_a_word_of_a_newer_segment(index: SearchIndex) -> None:
    assert _found(index, "Dorfmoderation") == ["article:3"]
    entries.apply(index.root, {"article:4": article_entries(4, "Das Quartiersmanagement hilft.")})
    outcome = index.search(Request(text="Quartiersmanagment", access=Access(), thesaurus=SHIPPED))
    assert [hit.parent for hit in outcome.hits] == ["article:4"]
    assert outcome.suggestion == "quartiersmanagement"


@pytest.mark.parametrize(
    ("word", "maxdist"),
    [("burgerbus", 2), ("bürgrebus", 2), ("gemeinde", 1), ("landkries", 2), ("kreistadt", 1)],
)
def test_spelling_finds_what_whoosh_finds(index: SearchIndex, word: str, maxdist: int) -> None:
    """The compiled distance must agree with Whoosh's own ``terms_within``."""
    entries.apply(index.root, {"article:5": article_entries(5, "Die Gemeinden und Landkreise.")})
    searcher = store.open_current(index.root).searcher()
    try:
        reader = searcher.reader()
        expected = set(reader.terms_within("spell", word, maxdist, prefix=1))
        assert expected  # the cases are chosen to have neighbours
        assert spelling.words_within(reader, word, maxdist) == expected
    finally:
        searcher.close()


def test_the_postings_cache_keeps_to_its_size_and_forgets_the_oldest() -> None:
    cache = PostingsCache(max_bytes=12 * 1200)  # a list: 100 ids (int32), 100 floats
    reads: list[str] = []

    def reader(name: str):
        def read():
            reads.append(name)
            return np.arange(100, dtype=np.int64), np.ones(100)

        return read

    names = [chr(ord("a") + n) for n in range(13)]
    for name in names:
        cache.get((name,), reader(name))
    assert cache.size <= cache.max_bytes
    cache.get(("m",), reader("m"))  # recent: still there
    cache.get(("a",), reader("a"))  # oldest: forgotten and read again
    assert reads == [*names, "a"]


def test_cached_lists_cannot_be_changed_by_a_caller() -> None:
    cache = PostingsCache()
    ids, tfs = cache.get(("x",), lambda: (np.arange(5), np.ones(5)))
    with pytest.raises(ValueError):
        ids[0] = 7
    with pytest.raises(ValueError):
        tfs[0] = 2.0


def test_opening_a_searcher_does_not_copy_the_index_into_memory(tmp_path: Path) -> None:
    """Each server process opens a searcher after every index change; copying the
    segment files made that take half a second at 20,000 articles, and gigabytes."""
    import tracemalloc

    words = " ".join(f"wort{n}" for n in range(2000))
    groups = {f"article:{n}": article_entries(n, f"{words} nummer{n}") for n in range(120)}
    entries.rebuild(tmp_path, iter(groups.items()))
    postings = sum(p.stat().st_size for p in tmp_path.rglob("*.seg"))
    assert postings > 1_000_000  # big enough that a copy would show
    tracemalloc.start()
    try:
        searcher = store.open_current(tmp_path).searcher()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    try:
        assert peak < postings / 4, (peak, postings)
        index = SearchIndex(tmp_path)
        assert _found(index, "nummer7") == ["article:7"]
        assert len(_found(index, '"wort10 wort11"')) == 50  # phrases read positions too
    finally:
        searcher.close()


def test_the_in_place_reader_reads_seeks_and_unpickles_like_a_file() -> None:
    import io
    import pickle

    from wissen.search.bufferfile import MemoryReader

    data = b"kopf" + pickle.dumps({"a": [1, 2, 3]}) + b"ende"
    reader = MemoryReader(memoryview(data))
    assert reader.read(4) == b"kopf"
    assert pickle.load(reader) == {"a": [1, 2, 3]}
    assert reader.read() == b"ende" and reader.read() == b""
    reader.seek(-4, io.SEEK_END)
    assert reader.tell() == len(data) - 4
    target = bytearray(10)
    assert reader.readinto(target) == 4 and bytes(target[:4]) == b"ende"
