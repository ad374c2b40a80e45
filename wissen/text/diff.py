"""Word-level differences between two texts, readable for prose.

Line diffs are useless for articles where a paragraph is one long line; a word diff shows
exactly which words changed. The result is plain data; templates mark additions and
deletions with <ins>/<del> plus text for screen readers, never by colour alone.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

# Words, runs of white space and single other characters, so that a changed comma does
# not mark the whole word around it.
_TOKENS = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

Kind = Literal["gleich", "neu", "weg"]


@dataclass(frozen=True)
class Piece:
    """A run of text that is the same in both versions, only new, or only old."""

    kind: Kind
    text: str


def tokens(text: str) -> list[str]:
    return _TOKENS.findall(text)


def word_diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn ``old`` into ``new``; joined by kind they give back both texts."""
    before, after = tokens(old), tokens(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    pieces: list[Piece] = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            _append(pieces, "gleich", "".join(before[a1:a2]))
            continue
        if op in ("delete", "replace"):
            _append(pieces, "weg", "".join(before[a1:a2]))
        if op in ("insert", "replace"):
            _append(pieces, "neu", "".join(after[b1:b2]))
    return pieces


def _append(pieces: list[Piece], kind: Kind, text: str) -> None:
    if not text:
        return
    if pieces and pieces[-1].kind == kind:
        pieces[-1] = Piece(kind, pieces[-1].text + text)
    else:
        pieces.append(Piece(kind, text))


@dataclass(frozen=True)
class DiffStats:
    added_words: int
    removed_words: int


def stats(pieces: list[Piece]) -> DiffStats:
    def words(kind: Kind) -> int:
        return sum(len(re.findall(r"\w+", p.text)) for p in pieces if p.kind == kind)

    return DiffStats(words("neu"), words("weg"))
