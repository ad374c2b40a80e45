"""Split German compound words: "Ehrenamtsstruktur" -> "ehrenamt", "struktur".

Why: German glues words together, so a search for "Förderung" would never find a page
about "Gesundheitsförderung". The search index adds the parts of a compound next to the
whole word; this module only decides what the parts are.

How (chosen by measurements while planning the search): a right-headed split into
words of wordfreq's German frequency list (zipf >= 2.5). Linking elements are
stripped from modifiers (Gesundheit-s-förderung); particles and function words are no
parts (An-gebot, Vor-sitzende stay whole); derivational suffixes are no heads
(Gemein-sam, Bürger-innen); only parts that are not words themselves are split further.
Among the candidate splits the one with the fewest parts wins, then the one whose parts
have the highest geometric mean frequency (Koehn & Knight 2003); a word is split only when
that mean beats the frequency of the whole word.

The module is pure (no Flask, no Whoosh, no database) so the analyzer and tests call it
directly and the word list never ends up in a pickled index schema. The list is read once
per process on first use (~60 ms, ~9 MB); call `load_words()` at start-up to pay early.

Word frequencies: wordfreq by Robyn Speer (code Apache-2.0; data CC BY-SA 4.0, built from
Wikipedia, OPUS subtitles, news, web text and more; see wordfreq's README).
"""

from __future__ import annotations

import gzip
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

import msgpack  # wordfreq's own dependency; reading through it keeps peak memory low


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words below this zipf value (0.3 per million tokens) are dropped when loading: they are
# mostly names, typos and rare compounds, and would only invite splits into junk parts.
MIN_ZIPF = 2.5

# No modifier or head is shorter than this.
MIN_PART = 3
# Short strings in the list are often abbreviations, names or English ("ges", "tim",
# "ange"), so short parts must be more frequent; three-letter parts must be listed here.
_MIN_ZIPF_BY_LENGTH = {4: 3.5, 5: 3.0}
_THREE_LETTER_WORDS = _wordset(
    """
    akt alt amt app arm art bad bär bau bio box bus dom ehe eis fan fuß gas gut hof hut job
    kai kfz kuh lkw mai mix mut nah neu not öko ohr oma opa ort ost pkw pop rad rat reh
    rot ruf see ski süd tag tal tat tee tod ton tor tür typ uhr uni web weg wut zoo zug
    """
)
# Parts shorter than this are never split further.
_MIN_SPLITTABLE = 6
# At most this many parts: every further part costs time, and a longer chain of known
# words is more often a coincidence than a compound.
_MAX_PARTS = 4

# Results are cached per process. Measured: a full cache of 190,000 words costs ~46 MB,
# five times the word list; 50,000 entries (~12 MB) hold the frequent words, and a rare
# word is split again in ~50 µs.
_CACHE_SIZE = 50_000

# Linking elements between modifier and head. "er" is tried only when nothing else fits:
# stripped, it mostly leaves junk ("wied" from "wieder").
_FUGEN = ("nen", "ens", "es", "en", "s", "n", "e")
_LAST_RESORT_FUGEN = ("er",)

# Particles, prepositions, articles, pronouns and other function words. As the left part
# they make prefix derivations, not compounds ("Vorsitzende", "Einrichtung", "Aufgabe",
# "Zusammenfassung"); anywhere else they are fragments ("außen|ber|ich"). Also Latin
# prefixes ("Trans-aktion", "Inter-essen") and particle + "ge" ("ange|sagt").
_PARTICLES = _wordset(
    """
    ab an auf aus bei da dar durch ein ent er her hin miss mit nach um un unter ur ver vor
    wider zer zu über nieder entgegen fort heraus herein herab herauf herunter hinaus
    hinein hinab hinauf hinunter herum hervor hinzu voran vorbei vorüber überein zurück
    zusammen rüber drüber runter rauf raus rein rum
    """
)
_FUNCTION_WORDS = (
    _PARTICLES
    | {particle + "ge" for particle in _PARTICLES}
    | _wordset(
        """
        am beim im ins vom vorm zum zur bis gegen hinter neben ob ohne seit außer ausser
        pro per statt trotz während wegen
        und oder aber als auch dass denn doch noch nur schon sehr so wie wo was wer wenn
        weil der die das den dem des dies diese dieser dieses jene man es sie ihr ihre wir
        uns ich du sich sein seine mein meine dein kein keine nicht nichts dessen deren
        ist war hat wird werden worden wurde haben sind sei wäre kann können muss soll will
        alle aller allem alles viel viele wenig los daher darum davon dazu dabei danach
        eben wieder immer eins zwei drei jede jedem jeden jeder jedes
        trans inter anti kon kom sub prä best
        """
    )
)

# Derivational suffixes, which are no heads, with their inflections: "Gemein-sam",
# "Ehrenamt-liche", "Freund-schaft", "Mehr-fach", "Zwei-mal", "Möglich-erweise".
_SUFFIXES = _wordset(
    """
    schaft heit keit ung nis tum lich isch ig bar sam chen lein haft los ling ion tion
    ation ität ismus ist ei erei ler ner ine ur ik artig mäßig weise erweise wärts seits
    ständig fach mal mals ens este sten
    """
)
_INFLECTIONS = ("", "e", "en", "er", "es", "em", "n", "s", "se", "sen", "ne", "nen")
_NO_HEAD = frozenset(suffix + ending for suffix in _SUFFIXES for ending in _INFLECTIONS) | {
    "in",
    "innen",
    "falls",
}
# No part at all: function words, bare suffixes ("Sam-stag") and linking elements
# ("Bürgerin-nen").
_NO_PART = _FUNCTION_WORDS | _SUFFIXES | frozenset(_FUGEN)
# "-ende" is a participle ending ("Vorsitz-ende", "Reis-ende") unless a linking element
# marks a noun before it ("Woche-n-ende", "Jahr-es-ende").
_PARTICIPLE_HEADS = ("ende", "enden", "ender", "endes", "endem")
# A known word before an adjective suffix makes a derivation, not a compound.
_ADJECTIVE_SUFFIXES = tuple(
    suffix + ending
    for suffix in ("lich", "isch", "ig", "bar", "sam", "haft", "los")
    for ending in _INFLECTIONS[:7]
)
# Endings of inflected forms: "freiwilligen" is split only if "freiwillig" would be.
_ENDINGS = ("innen", "in", "en", "em", "er", "es", "e", "n", "s")

# Lexicalised words whose parts would mislead a search: a "Haushalt" is a budget, not a
# house; the weekdays are no kind of "Tag" a searcher means.
_KEEP_WHOLE = _wordset(
    """
    montag dienstag mittwoch donnerstag freitag samstag sonntag sonnabend haushalt ehrenamt
    """
)

_words: dict[str, float] | None = None
_lock = threading.Lock()


def _data_file() -> Path:
    """wordfreq's German list, found without importing wordfreq (that costs ~14 MB)."""
    spec = importlib.util.find_spec("wordfreq")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("wordfreq is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "large_de.msgpack.gz"


def _read_words(path: Path, min_zipf: float) -> dict[str, float]:
    """Read the frequent alphabetic words of a wordfreq cBpack file, word -> zipf.

    The format is the one of `wordfreq.read_cBpack`: a header, then one list of words per
    centibel, list i holding the words of zipf 9 - i/100. Streaming it stops after the
    last wanted list and never holds all 630,000 words, where read_cBpack peaks ~45 MB
    higher and leaves ~6 MB more resident after pruning.
    """
    last_bucket = round((9 - min_zipf) * 100)
    words: dict[str, float] = {}
    with gzip.open(path, "rb") as infile:
        unpacker = msgpack.Unpacker(infile, raw=False)
        count = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError(f"unexpected wordfreq header: {header!r}")
        for bucket in range(min(count - 1, last_bucket + 1)):
            zipf = 9 - bucket / 100
            for word in unpacker.unpack():
                if len(word) >= 2 and word.isalpha():
                    words[word] = zipf
    return words


def load_words() -> int:
    """Load the word list now (once per process, thread-safe); returns its size.

    Called at app start so that the first indexing or search does not wait for it.
    """
    global _words
    if _words is None:
        with _lock:
            if _words is None:
                _words = _read_words(_data_file(), MIN_ZIPF)
    return len(_words)


def _table() -> dict[str, float]:
    if _words is None:
        load_words()
    assert _words is not None
    return _words


def _key(word: str) -> str:
    # wordfreq casefolds: "straße" is stored as "strasse".
    return word.replace("ß", "ss")


def is_known_word(word: str) -> bool:
    """Whether `word` is in the pruned frequency list (zipf >= MIN_ZIPF), with ß or ss."""
    return _key(word.lower()) in _table()


def word_zipf(word: str) -> float:
    """The word's zipf frequency (log10 per billion tokens), 0.0 if not in the list."""
    return _table().get(_key(word.lower()), 0.0)


# An analysis: (sum of the parts' zipf values, the parts).
_Analysis = tuple[float, tuple[str, ...]]


def _rank(analysis: _Analysis) -> tuple[int, float]:
    """Fewer parts first, then the higher geometric mean of the parts' frequencies.

    Fewest parts keeps a frequent inner word together ("ehrenamt|struktur", not
    "ehre|amt|struktur"), which a plain mean would tear apart: short words are frequent.
    """
    return (-len(analysis[1]), analysis[0] / len(analysis[1]))


def _better(candidate: _Analysis | None, best: _Analysis | None) -> _Analysis | None:
    if candidate is None:
        return best
    if best is None or _rank(candidate) > _rank(best):
        return candidate
    return best


class _Splitter:
    """The search for one word; remembers the analyses of its substrings.

    Every method takes a budget: the most parts the analysis may have. `best` tries two
    parts first, then more, so a plain two-part compound costs one pass over its cuts.
    """

    def __init__(self, words: dict[str, float], has_sharp_s: bool) -> None:
        self.words = words
        self.has_sharp_s = has_sharp_s
        self.memo: dict[tuple[str, int, bool], _Analysis | None] = {}

    def best(self, word: str) -> _Analysis | None:
        for budget in range(2, _MAX_PARTS + 1):
            analysis = self.split(word, budget)
            if analysis is not None:
                return analysis
        return None

    def freq(self, part: str) -> float:
        """Zipf of a candidate part, 0.0 if unknown or too rare for its length."""
        if len(part) == 3 and part not in _THREE_LETTER_WORDS:
            return 0.0
        z = self.words.get(_key(part) if self.has_sharp_s else part, 0.0)
        if z < _MIN_ZIPF_BY_LENGTH.get(len(part), MIN_ZIPF):
            return 0.0
        return z

    def split(self, word: str, budget: int) -> _Analysis | None:
        """The best split of `word` into 2..budget parts, modifier(s) + head."""
        memo_key = (word, budget, True)
        if memo_key in self.memo:
            return self.memo[memo_key]
        best: _Analysis | None = None
        for cut in range(MIN_PART, len(word) - MIN_PART + 1):
            surface, head_text = word[:cut], word[cut:]
            if head_text in _NO_HEAD:
                continue
            if head_text in _PARTICIPLE_HEADS and not self._linked_noun(surface):
                continue
            head = self.word(head_text, budget - 1)
            if head is None:
                continue
            modifier = self.modifier(surface, budget - len(head[1]))
            if modifier is not None:
                best = _better((modifier[0] + head[0], modifier[1] + head[1]), best)
        self.memo[memo_key] = best
        return best

    def modifier(self, surface: str, budget: int) -> _Analysis | None:
        """The modifier without its linking element; its most frequent reading wins."""
        memo_key = (surface, budget, False)
        if memo_key in self.memo:
            return self.memo[memo_key]
        best: _Analysis | None = None
        if surface not in _NO_PART:
            for fugen in (_FUGEN, _LAST_RESORT_FUGEN):
                stems = [surface] if fugen is _FUGEN else []
                stems += [
                    surface[: -len(fuge)]
                    for fuge in fugen
                    if surface.endswith(fuge) and len(surface) - len(fuge) >= MIN_PART
                ]
                for stem in stems:
                    best = _better(self.word(stem, budget), best)
                if best is not None:
                    break
        self.memo[memo_key] = best
        return best

    def word(self, text: str, budget: int) -> _Analysis | None:
        """`text` as one known word, or else split if it is long enough."""
        if text in _NO_PART:
            return None
        z = self.freq(text)
        if z:
            return (z, (text,))
        if budget >= 2 and len(text) >= _MIN_SPLITTABLE:
            return self.split(text, budget)
        return None

    def _linked_noun(self, surface: str) -> bool:
        """Whether the modifier before "-ende" carries a noun's linking element."""
        if not surface.endswith(("n", "s")):
            return False
        return not (self.freq(surface + "en") or self.freq(surface + "n"))

    def is_derived(self, word: str) -> bool:
        """Whether `word` is a known word plus an adjective or participle suffix.

        "ehrenamtliche" is Ehrenamt + -liche, not Ehre + amtliche; "teilnehmende" is
        teilnehmen + -de; "romantische" is Romantik + -ische, not Roman + tische.
        """
        for suffix in _ADJECTIVE_SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 4:
                base = word[: -len(suffix)]
                if suffix.startswith("isch"):
                    if self.freq(base + "ik") or self.freq(base + "ie"):
                        return True
                    if base.endswith("t"):  # "schreibt|isch" is a Schreib-tisch
                        continue
                if self.freq(base):
                    return True
        for suffix in _PARTICIPLE_HEADS:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_PART:
                stem = word[: -len(suffix)]
                if self.freq(stem + "en") or self.freq(stem + "n"):
                    return True
        return False


# Longer than "Donaudampfschifffahrtsgesellschaftskapitänsmütze" (48): not a word.
MAX_WORD = 60


@lru_cache(maxsize=_CACHE_SIZE)
def split_compound(word: str) -> tuple[str, ...]:
    """Split one German word into its parts, or return () if it is no compound.

    The parts come back lower-case and in order. Modifiers lose their linking element and
    take their most frequent form ("gesundheitsförderung" -> ("gesundheit", "förderung"),
    "seniorenbeirat" -> ("senioren", "beirat")); the head keeps its inflection
    ("leuchtturmregionen" -> ("leuchtturm", "regionen")). A part is split further only
    when it is no known word itself: "bevölkerungsvorausberechnung" -> ("bevölkerung",
    "voraus", "berechnung"), but "pflegestützpunkt" -> ("pflege", "stützpunkt"). Umlauts
    and ß stay as written; at most four parts. Results are cached per process.

    Hyphenated words are cut at the hyphens and each piece is split on its own
    ("kinder-jugendhilfe" -> ("kinder", "jugend", "hilfe")); a piece with digits stays
    whole. A word without hyphen that has digits or other non-letters is not split.
    """
    word = word.lower()
    if len(word) > MAX_WORD:
        return ()  # no real compound is this long; the search would cost O(n³)
    if "-" in word:
        return _split_hyphenated(word)
    if len(word) < 2 * MIN_PART or not word.isalpha() or word in _KEEP_WHOLE:
        return ()
    words = _table()
    whole = words.get(_key(word), 0.0)
    if _inflects_unsplit_word(word, whole, words):
        return ()
    splitter = _Splitter(words, "ß" in word)
    if splitter.is_derived(word):
        return ()
    analysis = splitter.best(word)
    # Split only when the parts are together more plausible than the word itself.
    if analysis is None or analysis[0] / len(analysis[1]) <= whole:
        return ()
    return analysis[1]


def _inflects_unsplit_word(word: str, whole: float, words: dict[str, float]) -> bool:
    """Whether `word` is an inflected form of a more frequent word that is not split.

    "freiwilligen" follows "freiwillig", "dokumenten" follows "dokument": otherwise a rarer
    inflected form could be torn apart ("frei|willigen") while its base form is not.
    """
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            base = word[: -len(ending)]
            if words.get(_key(base), 0.0) >= max(whole, MIN_ZIPF) and not split_compound(base):
                return True
    return False


def _split_hyphenated(word: str) -> tuple[str, ...]:
    pieces = [piece for piece in word.split("-") if piece]
    if len(pieces) == 1:
        return split_compound(pieces[0])
    parts: list[str] = []
    for piece in pieces:
        parts.extend((split_compound(piece) or (piece,)) if piece.isalpha() else (piece,))
    return tuple(parts)
