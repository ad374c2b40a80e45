"""From a parsed query to a Whoosh query: fields, synonyms, compound parts, typos.

Every query word becomes one *unit*: the word itself in all text fields (weighted: title ≫
tags/themes/summary ≫ headings ≫ body), or — with lower weight — a synonym from the
thesaurus, its compound parts, or, when the index does not know the word, the nearest
known spelling. Units are OR-ed with a coordination bonus (see ``ranking``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh.query import And, AndMaybe, AndNot, Every, Or, Phrase, Query, Term

from .analysis import fold, query_words, term_of
from .compounds import split_compound
from .ranking import BestOf, CoordinatedOr, FieldsTerm
from .spelling import words_within
from .syntax import ParsedQuery
from .thesaurus import Terms, Thesaurus

# Words are scored in bodyf: the body's terms without positions, quicker to read.
FIELD_WEIGHTS = {"title": 6.0, "topics": 4.0, "summary": 4.0, "headings": 1.5, "bodyf": 1.0}
# Phrases need positions: body (weight as bodyf).
PHRASE_FIELDS = {"title": 6.0, "summary": 4.0, "headings": 1.5, "body": 1.0}
SYNONYM_BOOST = 0.7
PART_BOOST = 0.5
TYPO_BOOST = 0.9
FIELD_TIEBREAK = 0.2
UNIT_TIEBREAK = 0.3
MAX_WORDS = 12


@dataclass
class Built:
    query: Query | None
    corrections: dict[str, str] = field(default_factory=dict)  # typed word → known word


def word_query(term: str, boost: float = 1.0) -> Query:
    return FieldsTerm(
        [Term(name, term, boost=weight * boost) for name, weight in FIELD_WEIGHTS.items()],
        tiebreak=FIELD_TIEBREAK,
    )


def terms_query(terms: Terms, boost: float = 1.0, slop: int = 1) -> Query:
    if len(terms) == 1:
        return word_query(terms[0], boost)
    return BestOf(
        [
            Phrase(name, list(terms), slop=slop, boost=weight * boost)
            for name, weight in PHRASE_FIELDS.items()
        ],
        tiebreak=FIELD_TIEBREAK,
    )


def _known(reader, term: str) -> bool:
    return any(reader.doc_frequency(name, term) for name in ("title", "topics", "body"))


def is_known(reader, word: str) -> bool:
    """Whether the index has the word (in any inflection): then it needs no correction."""
    return _known(reader, term_of(word))


def correction(reader, word: str) -> str | None:
    """The most frequent indexed word within 1–2 edits of ``word`` (longer words: 2)."""
    word = word.lower()
    if not 4 <= len(word) <= 40:  # the edit automaton grows with the word
        return None
    maxdist = 2 if len(word) >= 8 else 1
    best: tuple[int, int, str] | None = None
    for candidate in sorted(words_within(reader, word, maxdist)):
        if candidate == word:
            return None
        distance = _distance(fold(word), fold(candidate))
        rank = (distance, -reader.doc_frequency("spell", candidate), candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _unit(reader, word: str, synonyms: list[Terms], built: Built) -> Query:
    term = term_of(word)
    alternatives = [word_query(term)]
    for terms in synonyms:
        alternatives.append(terms_query(terms, SYNONYM_BOOST / len(terms)))
    parts = split_compound(word) if len(word) >= 7 else ()
    if len(parts) >= 2:
        alternatives.append(And([word_query(term_of(p)) for p in parts], boost=PART_BOOST))
    if reader is not None and not _known(reader, term):
        known = correction(reader, word)
        if known:
            built.corrections[word] = known
            alternatives.append(word_query(term_of(known), TYPO_BOOST))
            known_parts = split_compound(known) if len(known) >= 7 else ()
            if len(known_parts) >= 2:
                parts_query = And([word_query(term_of(p)) for p in known_parts])
                alternatives.append(parts_query.with_boost(PART_BOOST * TYPO_BOOST))
    if len(alternatives) == 1:
        return alternatives[0]
    return BestOf(alternatives, tiebreak=UNIT_TIEBREAK)


def _free_text(reader, text: str, thesaurus: Thesaurus, built: Built) -> list[Query]:
    words = query_words(text)[:MAX_WORDS]
    terms = [term_of(w) for w in words]
    single: dict[int, list[Terms]] = {}
    units: list[Query] = []
    for start, end, others in thesaurus.alternatives(terms):
        if end - start == 1:
            single.setdefault(start, []).extend(others)
        else:
            phrase = [terms_query(tuple(terms[start:end]))]
            units.append(
                BestOf(
                    phrase + [terms_query(o, SYNONYM_BOOST / len(o)) for o in others],
                    tiebreak=UNIT_TIEBREAK,
                )
            )
    for position, word in enumerate(words):
        units.insert(position, _unit(reader, word, single.get(position, []), built))
    return units


def _phrase(text: str) -> Query:
    """A quoted phrase; stop words inside ("Förderung der Gesundheit") leave a gap."""
    words = query_words(text)
    gaps = len(text.split()) - len(words)
    return terms_query(tuple(term_of(w) for w in words), slop=1 + max(gaps, 0))


def build(reader, parsed: ParsedQuery, thesaurus: Thesaurus) -> Built:
    """The Whoosh query for ``parsed``; ``query`` is None when nothing can match."""
    built = Built(query=None)
    optional = _free_text(reader, parsed.text, thesaurus, built)
    required = [_phrase(p) for p in parsed.phrases if query_words(p)]
    if required:
        must: Query = required[0] if len(required) == 1 else And(required)
        query: Query = AndMaybe(must, CoordinatedOr(optional)) if optional else must
    elif optional:
        query = CoordinatedOr(optional)
    elif parsed.filters:
        query = Every()
    else:
        return built
    excluded = [_phrase(e) for e in parsed.excluded if query_words(e)]
    if excluded:
        query = AndNot(query, Or(excluded))
    built.query = query
    return built
