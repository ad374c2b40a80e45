"""Indexed words within a few typing errors of a word: typo alternatives and "Meinten Sie …?".

Whoosh's ``terms_within`` compares the word with every indexed word of the same first
letter in Python (about 10 µs each): at 20,000 articles that is some 70,000 words and
0.7 s for one unknown word in a query. Here each segment's words are read once per
segment (a segment's words never change; its id is random), grouped by first letter and
shared by all threads, and compared by rapidfuzz in compiled code. Its OSA distance is the
same restricted Damerau–Levenshtein distance (a swap of neighbours counts as one edit).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from rapidfuzz import process
from rapidfuzz.distance import OSA

from .postcache import segment_key

FIELD = "spell"
KEPT_SEGMENTS = 8  # an index has at most a few; merged-away ones age out

_by_segment: OrderedDict[str, dict[str, list[str]]] = OrderedDict()
_lock = threading.Lock()


def words_within(reader, word: str, maxdist: int) -> set[str]:
    """Indexed words of the ``spell`` field that share ``word``'s first letter and are at
    most ``maxdist`` edits from it (the word itself included when indexed)."""
    if not word:
        return set()
    found: set[str] = set()
    for leaf, _ in reader.leaf_readers():
        candidates = _words_by_letter(leaf).get(word[0])
        if not candidates:
            continue
        matches = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=maxdist, limit=None
        )
        found.update(match for match, _, _ in matches)
    return found


def prepare(reader) -> None:
    """Read the word lists now (at start), not during the first search with a typo."""
    for leaf, _ in reader.leaf_readers():
        _words_by_letter(leaf)


def _words_by_letter(leaf) -> dict[str, list[str]]:
    key = segment_key(leaf)
    if key is None:  # a reader without a segment (an empty index): nothing to keep
        return _read_words(leaf)
    with _lock:
        if key in _by_segment:
            _by_segment.move_to_end(key)
            return _by_segment[key]
    grouped = _read_words(leaf)  # outside the lock: 0.6 s for a segment of 20,000 articles
    with _lock:
        _by_segment[key] = grouped
        while len(_by_segment) > KEPT_SEGMENTS:
            _by_segment.popitem(last=False)
    return grouped


def _read_words(leaf) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    if FIELD in leaf.schema:
        for term in leaf.lexicon(FIELD):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            if text:
                grouped.setdefault(text[0], []).append(text)
    return grouped
