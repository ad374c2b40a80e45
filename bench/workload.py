"""What the benchmark asks and changes: a fixed mix of 50 queries and a set of edits.

Both are built from the corpus vocabulary with a seeded random generator, so every run
(and every system) gets exactly the same queries and the same edited texts.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from dataclasses import dataclass, field

from bench.corpus import ARTICLE_KINDS, Article, Page, marker_word

WORD = re.compile(r"[A-Za-zÄÖÜäöüß]{5,}")
# Function words of five letters or more (shorter words never enter the vocabulary).
STOP_WORDS = (
    "aller alles andere anderen bereits damit diese diesem diesen dieser dieses durch einem "
    "einen einer eines einige falls haben hinter immer jedoch jeder jedes keine können sofern "
    "sollte sowie unter viele werden wurde wurden zwischen welche welcher welches deren dessen "
    "ihrer ihren einfach weitere"
)
STOP = set(STOP_WORDS.split())
# How many queries of each kind; the facet kinds also carry a text part.
MIX = {
    "ein Wort": 14,
    "mehrere Wörter": 10,
    "Phrase": 6,
    "Thema": 5,
    "Region": 5,
    "Dokumente": 5,
    "Kategorie": 5,
}


@dataclass
class Query:
    category: str
    text: str
    facets: list[tuple[str, str]] = field(default_factory=list)

    def params(self) -> list[tuple[str, str]]:
        return [("q", self.text), *self.facets]

    def __str__(self) -> str:
        extra = " ".join(f"{k}={v}" for k, v in self.facets)
        return f"{self.text} {extra}".strip()


class Vocabulary:
    """Words by document frequency over the corpus pages; queries use the middle band."""

    def __init__(self, pages: list[Page], low: float = 0.003, high: float = 0.06) -> None:
        self.pages = pages
        df: Counter[str] = Counter()
        for page in pages:
            df.update({w for w in WORD.findall(page.body) if w.lower() not in STOP})
        count = len(pages)
        self.band = sorted(w for w, n in df.items() if low * count <= n <= high * count)
        self.in_band = set(self.band)

    def word(self, rng: random.Random) -> str:
        return rng.choice(self.band)

    def words_of_one_page(self, rng: random.Random, count: int) -> list[str]:
        """``count`` band words that occur together on one page (AND finds that page)."""
        while True:
            page = rng.choice(self.pages)
            found = sorted({w for w in WORD.findall(page.body) if w in self.in_band})
            if len(found) >= count:
                return rng.sample(found, count)

    def phrase(self, rng: random.Random) -> str:
        """Two or three consecutive words of a sentence, one of them from the band."""
        while True:
            page = rng.choice(self.pages)
            words = re.findall(r"[A-Za-zÄÖÜäöüß]+|[^\sA-Za-zÄÖÜäöüß]+", page.body)
            size = rng.choice((2, 3))
            for _ in range(40):
                at = rng.randrange(max(1, len(words) - size))
                run = words[at : at + size]
                if all(len(w) >= 3 and w.isalpha() for w in run) and self.in_band & set(run):
                    return '"' + " ".join(run) + '"'


def build_mix(pages: list[Page], themes: list[str], regions: list[str], seed: int) -> list[Query]:
    rng = random.Random(seed + 2)
    vocabulary = Vocabulary(pages)
    makers = {
        "ein Wort": lambda: Query("ein Wort", vocabulary.word(rng)),
        "mehrere Wörter": lambda: Query(
            "mehrere Wörter", " ".join(vocabulary.words_of_one_page(rng, rng.choice((2, 3))))
        ),
        "Phrase": lambda: Query("Phrase", vocabulary.phrase(rng)),
        "Thema": lambda: Query("Thema", vocabulary.word(rng), [("theme", rng.choice(themes))]),
        "Region": lambda: Query("Region", vocabulary.word(rng), [("region", rng.choice(regions))]),
        "Dokumente": lambda: Query("Dokumente", vocabulary.word(rng), [("type", "document")]),
        "Kategorie": lambda: Query(
            "Kategorie", vocabulary.word(rng), [("kind", rng.choice(ARTICLE_KINDS))]
        ),
    }
    queries = [makers[category]() for category, count in MIX.items() for _ in range(count)]
    rng.shuffle(queries)
    return queries


# --- edits -----------------------------------------------------------------------------


@dataclass
class Edit:
    slug: str
    body: str
    marker: str


def sentences(pages: list[Page]) -> list[str]:
    found = []
    for page in pages[:400]:
        for paragraph in page.body.split("\n\n"):
            text = " ".join(paragraph.split())
            if 60 < len(text) < 300 and text[0].isupper() and text.endswith("."):
                found.append(text)
    return found


def edited_body(body: str, rng: random.Random, pool: list[str], marker: str) -> str:
    """Like an editor: one paragraph rewritten, one added at the end with a new word."""
    paragraphs = body.rstrip("\n").split("\n\n")
    plain = [i for i, p in enumerate(paragraphs) if p[:1].isalpha()]
    if plain:
        paragraphs[rng.choice(plain)] = rng.choice(pool)
    paragraphs.append(f"Nachtrag: {rng.choice(pool)} Kennung der Änderung: {marker}.")
    return "\n\n".join(paragraphs) + "\n"


def build_edits(
    articles: list[Article], pages: list[Page], count: int, seed: int, max_body: int
) -> list[Edit]:
    """``count`` edits of distinct articles whose bodies the editor accepts (< max_body)."""
    rng = random.Random(seed + 3)
    pool = sentences(pages)
    candidates = [a for a in articles[:-1] if len(a.body) < max_body - 2000]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    edits = []
    for number, article in enumerate(chosen):
        marker = marker_word("e", number)
        edits.append(Edit(article.slug, edited_body(article.body, rng, pool, marker), marker))
    return edits
