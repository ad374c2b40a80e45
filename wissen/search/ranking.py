"""Scoring matchers: any-word matching with a coordination bonus, and a correct
disjunction-max over alternatives (fields, synonyms, compound parts, typo variants).

Both keep their parts in a flat list instead of Whoosh's binary tree of wrapped union
matchers: the search walks every matching document, and each tree level costs Python
calls per document. Whoosh's ``Or(scale=…)`` counts every leaf term, and one query word
here has many leaves, so the coordination bonus counts query *words* instead.
Whoosh 2.7's ``DisjunctionMaxMatcher`` scores a document with a child positioned on
another document; ``BestOf`` replaces it.
"""

from __future__ import annotations

from whoosh.matching import Matcher, NullMatcher
from whoosh.query import Or

# score × (matched / total) ** COORD_POWER; 1 would be Lucene's classic factor,
# 2 measured best on eval-dev.
COORD_POWER = 2.0


class FlatUnionMatcher(Matcher):
    """Matches where any part matches; subclasses combine the parts' scores."""

    def __init__(
        self, parts: list[Matcher], boost: float = 1.0, weights: list[float] | None = None
    ) -> None:
        weights = weights or [1.0] * len(parts)
        active = [(p, w) for p, w in zip(parts, weights, strict=True) if p.is_active()]
        self._parts = [p for p, _ in active]
        self._weights = {id(p): w for p, w in active}
        self._boost = boost
        self._id = min(p.id() for p in self._parts) if self._parts else -1

    def _settle(self) -> None:
        self._parts = [p for p in self._parts if p.is_active()]
        self._id = min(p.id() for p in self._parts) if self._parts else -1

    def is_active(self) -> bool:
        return bool(self._parts)

    def id(self) -> int:
        return self._id

    def next(self) -> None:
        current = self._id
        for part in self._parts:
            if part.id() == current:
                part.next()
        self._settle()

    def skip_to(self, target: int) -> None:
        for part in self._parts:
            if part.id() < target:
                part.skip_to(target)
        self._settle()

    def current_scores(self) -> list[float]:
        current, weights = self._id, self._weights
        return [part.score() * weights[id(part)] for part in self._parts if part.id() == current]

    def children(self) -> list[Matcher]:
        return list(self._parts)

    def replace(self, minquality: float = 0) -> Matcher:
        return self if self._parts else NullMatcher()

    def copy(self) -> FlatUnionMatcher:
        clone = self.__class__.__new__(self.__class__)
        clone.__dict__.update(self.__dict__)
        clone._parts = [p.copy() for p in self._parts]
        clone._weights = {
            id(new): self._weights[id(old)]
            for old, new in zip(self._parts, clone._parts, strict=True)
        }
        return clone

    def supports_block_quality(self) -> bool:
        return False

    def supports(self, astype: str) -> bool:
        return False


class CoordinatedMatcher(FlatUnionMatcher):
    def __init__(self, parts: list[Matcher], total: int, boost: float = 1.0) -> None:
        super().__init__(parts, boost)
        self._total = max(total, 1)

    def score(self) -> float:
        scores = self.current_scores()
        return sum(scores) * self._boost * (len(scores) / self._total) ** COORD_POWER


class BestOfMatcher(FlatUnionMatcher):
    def __init__(
        self,
        parts: list[Matcher],
        tiebreak: float,
        boost: float = 1.0,
        weights: list[float] | None = None,
    ) -> None:
        super().__init__(parts, boost, weights)
        self._tiebreak = tiebreak

    def score(self) -> float:
        scores = self.current_scores()
        if not scores:
            return 0.0
        best = max(scores)
        return (best + self._tiebreak * (sum(scores) - best)) * self._boost


class CoordinatedOr(Or):
    """``Or`` over query words whose score rewards documents matching more of them."""

    def normalize(self):
        return self

    def matcher(self, searcher, context=None):
        units = [q.matcher(searcher, context) for q in self.subqueries]
        if not any(m.is_active() for m in units):
            return NullMatcher()
        return CoordinatedMatcher(units, len(self.subqueries), self.boost)


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
        if len(parts) == 1 and self.boost == 1.0:
            return parts[0]
        return BestOfMatcher(parts, self.tiebreak, self.boost)


class FieldsTerm(BestOf):
    """One word in several fields with a weight each (built from boosted ``Term``s).

    The weights are applied here, not by Whoosh wrapping every posting list in a boost
    matcher: one Python call less per field and document.
    """

    def matcher(self, searcher, context=None):
        weighting = context.weighting if context is not None else searcher.weighting
        reader = searcher.reader()
        parts, weights = [], []
        for term in self.subqueries:
            text = searcher.schema[term.fieldname].to_bytes(term.text)
            if (term.fieldname, text) in reader:
                parts.append(searcher.postings(term.fieldname, text, weighting=weighting))
                weights.append(term.boost)
        if not parts:
            return NullMatcher()
        return BestOfMatcher(parts, self.tiebreak, self.boost, weights)
