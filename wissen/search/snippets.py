"""Highlighted snippets cut from stored text at the positions the index already knows.

Whoosh's own highlighter either analyses the text again (the German chain costs about
15 µs a word) or needs the search to record every matched term for every matching
document. Here only the few shown hits are looked up: for each query term of the body
field, its postings give the character ranges in that document directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from whoosh.analysis import Token
from whoosh.highlight import (
    SCORE,
    BasicFragmentScorer,
    HtmlFormatter,
    PinpointFragmenter,
    top_fragments,
)
from whoosh.query import Query
from whoosh.searching import Searcher

FIELD = "body"


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


def body_terms(query: Query) -> list[bytes]:
    """The query's terms in the body field, as the index stores them."""
    found = {text for name, text in query.iter_all_terms() if name in (FIELD, FIELD + "f")}
    return sorted(t.encode("utf-8") if isinstance(t, str) else t for t in found)


def character_ranges(
    searcher: Searcher, docnums: Iterable[int], terms: list[bytes]
) -> dict[int, list[tuple[int, int]]]:
    """docnum → (start, end) of every query term in its body, from the postings."""
    wanted = sorted(set(docnums))
    ranges: dict[int, list[tuple[int, int]]] = {d: [] for d in wanted}
    reader = searcher.reader()
    for term in terms:
        if not reader.doc_frequency(FIELD, term):
            continue
        postings = reader.postings(FIELD, term)
        for docnum in wanted:
            if not postings.is_active():
                break
            postings.skip_to(docnum)
            if postings.is_active() and postings.id() == docnum:
                ranges[docnum].extend(
                    (start, end) for _, start, end in postings.value_as("characters")
                )
    return ranges


def snippet(text: str, ranges: list[tuple[int, int]], top: int = 2) -> str:
    """Escaped HTML with <mark> around the matched words; '' when nothing matched."""
    if not text or not ranges:
        return ""
    tokens = []
    for start, end in sorted(set(ranges)):
        if tokens and start < tokens[-1].endchar:
            continue  # a compound part inside an already marked word
        token = Token(text=text[start:end], startchar=start, endchar=end)
        token.matched = True
        tokens.append(token)
    fragments = list(WordFragmenter().fragment_matches(text, tokens))
    best = top_fragments(fragments, top, BasicFragmentScorer(), SCORE)
    formatter = HtmlFormatter(tagname="mark", classname="treffer", between=" … ")
    return formatter.format(best)
