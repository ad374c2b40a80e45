"""Synonyms and abbreviations, applied at query time (the index never needs a rebuild).

The text format (the shipped ``wissen/data/thesaurus.txt``, or the admins' edited copy):
one group per line, expressions separated by commas, all equivalent
(``ÖPNV, öffentlicher Personennahverkehr, Nahverkehr``); ``Handy => Smartphone`` expands
one way only (the left side also finds the right side). ``#`` starts a comment.
Expressions are compared as index terms, so spelling, umlauts and inflection do not matter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from .analysis import query_words, term_of

Terms = tuple[str, ...]


@dataclass(frozen=True)
class ThesaurusProblem:
    line: int
    message: str


@dataclass
class Thesaurus:
    """Expression (as terms) → the expressions it also finds."""

    expansions: dict[Terms, set[Terms]] = field(default_factory=dict)
    longest: int = 1

    def add(self, source: Terms, targets: list[Terms]) -> None:
        found = self.expansions.setdefault(source, set())
        found.update(t for t in targets if t != source)
        self.longest = max(self.longest, len(source))

    def alternatives(self, terms: list[str]) -> list[tuple[int, int, list[Terms]]]:
        """Every (start, end, other expressions) whose expression occurs in ``terms``."""
        found = []
        for start in range(len(terms)):
            for size in range(1, min(self.longest, len(terms) - start) + 1):
                key = tuple(terms[start : start + size])
                if self.expansions.get(key):
                    found.append((start, start + size, sorted(self.expansions[key])))
        return found


def expression_terms(expression: str) -> Terms:
    return tuple(term_of(w) for w in query_words(expression))


def parse(text: str) -> tuple[Thesaurus, list[ThesaurusProblem]]:
    """Read thesaurus text; lines that make no sense are reported, never fatal."""
    thesaurus = Thesaurus()
    problems: list[ThesaurusProblem] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.count("=>") > 1:
            problems.append(ThesaurusProblem(number, "Nur ein „=>“ je Zeile"))
            continue
        if "=>" in line:
            left, _, right = line.partition("=>")
            sources = _expressions(left)
            targets = _expressions(right)
            if not sources or not targets:
                problems.append(ThesaurusProblem(number, "„=>“ braucht links und rechts Begriffe"))
                continue
            for source in sources:
                thesaurus.add(source, targets)
            continue
        group = _expressions(line)
        if len(group) < 2:
            problems.append(
                ThesaurusProblem(number, "Eine Gruppe braucht mindestens zwei Begriffe")
            )
            continue
        for source in group:
            thesaurus.add(source, group)
    return thesaurus, problems


def _expressions(text: str) -> list[Terms]:
    found = []
    for part in text.split(","):
        terms = expression_terms(part)
        if terms and terms not in found:
            found.append(terms)
    return found


def shipped_text() -> str:
    return resources.files("wissen").joinpath("data/thesaurus.txt").read_text("utf-8")


@lru_cache(maxsize=4)
def compiled(text: str) -> Thesaurus:
    """Parsed once per distinct text: the admins' copy changes rarely."""
    return parse(text)[0]
