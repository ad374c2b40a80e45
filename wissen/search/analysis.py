"""German text analysis: the chain that turns text into the terms the index stores.

Each step is a small Whoosh filter with a test of its own (tests/test_search_analysis.py):

1. tokenise words, keeping gender forms whole (``Bürger*innen``, ``Bürger:innen``, ``/innen``);
2. ``GenderFilter``: drop the gender suffix (``*innen``, ``:in``, Binnen-I ``BürgerInnen``);
3. lowercase;
4. ``FeminineFilter``: ``Bürgerinnen``/``Multiplikatorin`` → ``Bürger``/``Multiplikator``;
5. German stop words out;
6. ``CompoundFilter`` (index time only): ``Ehrenamtsstruktur`` also yields ``ehrenamt`` and
   ``struktur`` at the same position with a lower weight, so phrases still work and an exact
   word outranks a part;
7. ``GermanStemFilter``: Snowball German (PyStemmer), which also maps ae/oe/ue to umlauts;
8. ``FoldFilter``: ä/ö/ü → a/o/u, ß → ss, accents off — *after* stemming, so that Straße,
   Strasse, Bürgerbus, Buergerbus and Burgerbus meet.

The filters live in this stable module path because Whoosh pickles the schema (analyzers
included) into the index; heavy data (word lists, stemmer) is loaded outside the pickle.
Change anything here → raise ``ANALYSIS_VERSION`` so that the index is rebuilt.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, Token

ANALYSIS_VERSION = 1

# A word, optionally followed by a gender suffix joined with * : · / _ (the last is part
# of \w already). Hyphenated words come out as their parts ("Werra-Meißner" → werra, meißner).
WORD_PATTERN = re.compile(r"\w+(?:[*:·/]-?[iI]n(?:nen)?(?!\w))?", re.UNICODE)
_GENDER_MARK = re.compile(r"(?:[*:·/_]-?in(?:nen)?)$", re.IGNORECASE)
_BINNEN_I = re.compile(r"(?<=[a-zäöüß])In(?:nen)?$")
# -in/-innen only after endings that make person nouns, so Termin, Medizin, gewinnen stay.
_FEMININE = re.compile(
    r"^(?P<base>\w{2,}(?:er|or|ent|ant|ist|eur|är|at|log|og|ot|ekt|ent|eut))in(?:nen)?$"
)
_COMPOUND_PART_BOOST = 0.5


def normalise_gender(word: str) -> str:
    """``Bürger*innen``, ``Bürger:in``, ``BürgerInnen`` → ``Bürger`` (case kept)."""
    stripped = _GENDER_MARK.sub("", word)
    if stripped != word:
        return stripped
    return _BINNEN_I.sub("", word)


def masculine_base(word: str) -> str:
    """``bürgerinnen`` → ``bürger``, ``multiplikatorin`` → ``multiplikator`` (lower case)."""
    match = _FEMININE.match(word)
    if match and len(match.group("base")) >= 4:
        return match.group("base")
    return word


_FOLD = str.maketrans(
    {"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "ẞ": "ss", "Ä": "A", "Ö": "O", "Ü": "U"}
)


def fold(text: str) -> str:
    """ä→a, ö→o, ü→u, ß→ss and accents off, so spellings without umlauts meet."""
    text = text.translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    """The Snowball German stop word list (shipped in wissen/data/stopwords_de.txt)."""
    text = resources.files("wissen").joinpath("data/stopwords_de.txt").read_text("utf-8")
    words = (line.split("|")[0].strip() for line in text.splitlines())
    return frozenset(w for w in words if w)


_stemmer_local = threading.local()


def stem(word: str) -> str:
    """Snowball German stem of a lower-case word (PyStemmer; one stemmer per thread)."""
    stemmer = getattr(_stemmer_local, "stemmer", None)
    if stemmer is None:
        import Stemmer

        stemmer = Stemmer.Stemmer("german")
        stemmer.maxCacheSize = 50_000
        _stemmer_local.stemmer = stemmer
    return stemmer.stemWord(word)


def term_of(word: str) -> str:
    """The index term of one lower-case, gender-normalised word: stem, then fold."""
    return fold(stem(masculine_base(word)))


class GenderFilter(Filter):
    """Drops gender suffixes; runs before lowercasing because Binnen-I needs the capital."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = normalise_gender(t.text)
            yield t


class FeminineFilter(Filter):
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = masculine_base(t.text)
            yield t


class GermanStopFilter(Filter):
    """Removes German function words; keeps positions so phrases still line up."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        stops = stop_words()
        for t in tokens:
            if t.removestops and t.text in stops:
                continue
            yield t


class CompoundFilter(Filter):
    """At index time, adds the parts of a compound at the word's own position.

    Parts get a lower weight so that the whole word still ranks first. Whoosh reuses one
    Token object, so everything needed is read before the first ``yield``.
    """

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        from wissen.search.compounds import split_compound

        for t in tokens:
            if t.mode != "index":
                yield t
                continue
            text, boost = t.text, t.boost
            parts = split_compound(text) if len(text) >= 7 else ()
            yield t
            for part in parts:
                t.text = part
                t.boost = boost * _COMPOUND_PART_BOOST
                yield t
            t.boost = boost


class GermanStemFilter(Filter):
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = stem(t.text)
            yield t


class FoldFilter(Filter):
    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            t.text = fold(t.text)
            yield t


def german_analyzer():
    """The full chain for text fields."""
    return (
        RegexTokenizer(WORD_PATTERN)
        | GenderFilter()
        | LowercaseFilter()
        | FeminineFilter()
        | GermanStopFilter()
        | CompoundFilter()
        | GermanStemFilter()
        | FoldFilter()
    )


def spelling_analyzer():
    """Surface words for "Meinten Sie …?" and autocomplete: lowercased, umlauts kept."""
    return RegexTokenizer(WORD_PATTERN) | GenderFilter() | LowercaseFilter() | GermanStopFilter()


def query_words(text: str) -> list[str]:
    """The words of a query string as the index sees them before stemming.

    Lower case, gender-normalised, stop words removed — the unit that synonyms, compound
    splitting and typo correction work on.
    """
    stops = stop_words()
    words = []
    for match in WORD_PATTERN.finditer(text):
        word = masculine_base(normalise_gender(match.group()).lower())
        if word and word not in stops:
            words.append(word)
    return words
