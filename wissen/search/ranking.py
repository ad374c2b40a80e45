"""Any-word matching with a coordination bonus: more of the query's words, higher rank.

Whoosh's own ``Or(scale=…)`` counts every leaf term, and one query word here has many
leaves (fields, synonyms, compound parts, typo variants). This union counts query *words*.
It keeps Whoosh's union matchers (not the array union), so the matched terms stay known
and snippets can be cut from stored positions without analysing the text again.
"""

from __future__ import annotations

from whoosh.matching import NullMatcher, UnionMatcher, WrappingMatcher
from whoosh.query import Or
from whoosh.util import make_binary_tree

# score × (matched / total) ** COORD_POWER; 1 would be Lucene's classic factor,
# 2 measured best on eval-dev.
COORD_POWER = 2.0


class CoordinatedMatcher(WrappingMatcher):
    def __init__(self, child, units: list, total: int, boost: float = 1.0) -> None:
        super().__init__(child, boost=boost)
        self._units = units
        self._total = max(total, 1)

    def _replacement(self, newchild):
        return self.__class__(newchild, self._units, self._total, self.boost)

    def replace(self, minquality: float = 0):
        # The unit list must keep pointing at live matchers: never swap them out.
        return self

    def score(self) -> float:
        current = self.child.id()
        matched = sum(1 for m in self._units if m.is_active() and m.id() == current)
        return self.child.score() * self.boost * (matched / self._total) ** COORD_POWER


class CoordinatedOr(Or):
    """``Or`` over query words whose score rewards documents matching more of them."""

    def normalize(self):
        return self

    def matcher(self, searcher, context=None):
        units = [q.matcher(searcher, context) for q in self.subqueries]
        units = [m for m in units if m.is_active()]
        if not units:
            return NullMatcher()
        child = units[0] if len(units) == 1 else make_binary_tree(UnionMatcher, units)
        return CoordinatedMatcher(child, units, len(self.subqueries), self.boost)


class BestOfMatcher(WrappingMatcher):
    """Score of the best-matching alternative plus ``tiebreak`` × the others.

    Whoosh 2.7's ``DisjunctionMaxMatcher`` returns a child's score even when that child
    is positioned on another document, so every match scored like the best one anywhere.
    """

    def __init__(self, child, parts: list, tiebreak: float, boost: float = 1.0) -> None:
        super().__init__(child, boost=boost)
        self._parts = parts
        self._tiebreak = tiebreak

    def _replacement(self, newchild):
        return self.__class__(newchild, self._parts, self._tiebreak, self.boost)

    def replace(self, minquality: float = 0):
        return self

    def score(self) -> float:
        current = self.child.id()
        scores = [m.score() for m in self._parts if m.is_active() and m.id() == current]
        if not scores:
            return 0.0
        best = max(scores)
        return (best + self._tiebreak * (sum(scores) - best)) * self.boost


class BestOf(Or):
    """Any of the alternatives; scored by the best one (a correct disjunction-max)."""

    def __init__(self, subqueries, boost: float = 1.0, tiebreak: float = 0.0) -> None:
        super().__init__(subqueries, boost=boost)
        self.tiebreak = tiebreak

    def normalize(self):
        # Keep the structure as built; Whoosh's normalisation would merge into plain Or.
        return self

    def matcher(self, searcher, context=None):
        parts = [q.matcher(searcher, context) for q in self.subqueries]
        parts = [m for m in parts if m.is_active()]
        if not parts:
            return NullMatcher()
        child = parts[0] if len(parts) == 1 else make_binary_tree(UnionMatcher, parts)
        return BestOfMatcher(child, parts, self.tiebreak, self.boost)
