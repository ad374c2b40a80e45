"""The benchmark corpus: real German pages turned into a wissen bundle of any size.

``ensure_corpus`` runs ``../shared/testdata/make_de_corpus.sh`` once (about 3,457 Markdown
pages from Debian's German man pages and LibreOffice help). ``build_bundle`` repeats those
pages as articles with varied titles, kinds, themes and regions until ``articles`` are
reached, and writes ``pdfs`` PDFs of 20 pages cut from the same text, each with a sidecar.
Everything is seeded: the same arguments give the same bundle, byte for byte.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/x.py` puts bench/ first, not the repo
    sys.path.insert(0, str(REPO))

from bench.minipdf import A4_PORTRAIT, SLIDE_16_9, write_pdf  # noqa: E402
from wissen.text.slugs import slugify  # noqa: E402

MAKE_CORPUS = REPO.parent / "shared" / "testdata" / "make_de_corpus.sh"
PDF_PAGES = 20
WORDS_PER_PDF_PAGE = 300
PDF_LINE_CHARS = 95
BUNDLE_VERSION = 1  # bump when the generated bundle changes, so old ones are rebuilt

THEMES = [
    ("ehrenamt", "Ehrenamt und Engagement", "Freiwilliges Engagement und Vereinswesen."),
    ("gesundheit", "Gesundheit", "Gesundheitsförderung, Prävention und Versorgung vor Ort."),
    ("pflege", "Pflege und Älterwerden", "Ältere Menschen und pflegende Angehörige."),
    ("beteiligung", "Beteiligung und Teilhabe", "Bürgerinnen und Bürger, Beiräte."),
    ("migration", "Migration und Integration", "Zuwanderung und Teilhabe."),
    ("mobilitaet", "Mobilität", "ÖPNV und alternative Mobilitätsangebote."),
    ("wohnen", "Wohnen und Quartier", "Altersgerechtes Wohnen, Quartiere, Leerstand."),
    ("digitalisierung", "Digitalisierung", "Digitale Verwaltung und digitale Teilhabe."),
    ("fachkraefte", "Fachkräftesicherung", "Fachkräfte gewinnen und binden."),
    ("demografie-monitoring", "Demografie-Monitoring", "Daten und Prognosen."),
    ("nahversorgung", "Nahversorgung und Daseinsvorsorge", "Dorfläden, Grundversorgung."),
    ("familie", "Familie und junge Menschen", "Kinderbetreuung, Jugendbeteiligung."),
]

REGIONS = [
    ("Wunsiedel i. Fichtelgebirge", "Landkreis", "Bayern"),
    ("Kyffhäuserkreis", "Landkreis", "Thüringen"),
    ("Pirmasens", "kreisfreie Stadt", "Rheinland-Pfalz"),
    ("Holzminden", "Landkreis", "Niedersachsen"),
    ("Werra-Meißner-Kreis", "Landkreis", "Hessen"),
    ("Gelsenkirchen", "kreisfreie Stadt", "Nordrhein-Westfalen"),
    ("Prignitz", "Landkreis", "Brandenburg"),
    ("Amt Süderbrarup", "Amt", "Schleswig-Holstein"),
    ("Weißwasser/O.L.", "Stadt", "Sachsen"),
    ("Mansfeld-Südharz", "Landkreis", "Sachsen-Anhalt"),
    ("Bremerhaven", "kreisfreie Stadt", "Bremen"),
    ("Ludwigslust-Parchim", "Landkreis", "Mecklenburg-Vorpommern"),
    ("Vorpommern-Greifswald", "Landkreis", "Mecklenburg-Vorpommern"),
    ("Altmarkkreis Salzwedel", "Landkreis", "Sachsen-Anhalt"),
    ("Uckermark", "Landkreis", "Brandenburg"),
    ("Elbe-Elster", "Landkreis", "Brandenburg"),
    ("Görlitz", "Landkreis", "Sachsen"),
    ("Erzgebirgskreis", "Landkreis", "Sachsen"),
    ("Saale-Orla-Kreis", "Landkreis", "Thüringen"),
    ("Hof", "Landkreis", "Bayern"),
    ("Kronach", "Landkreis", "Bayern"),
    ("Regen", "Landkreis", "Bayern"),
    ("Vulkaneifel", "Landkreis", "Rheinland-Pfalz"),
    ("Birkenfeld", "Landkreis", "Rheinland-Pfalz"),
    ("Saarlouis", "Landkreis", "Saarland"),
    ("Höxter", "Landkreis", "Nordrhein-Westfalen"),
    ("Hochsauerlandkreis", "Landkreis", "Nordrhein-Westfalen"),
    ("Osterode", "Stadt", "Niedersachsen"),
    ("Lüchow-Dannenberg", "Landkreis", "Niedersachsen"),
    ("Dithmarschen", "Landkreis", "Schleswig-Holstein"),
    ("Vogelsbergkreis", "Landkreis", "Hessen"),
    ("Schwäbisch Hall", "Landkreis", "Baden-Württemberg"),
    ("Zollernalbkreis", "Landkreis", "Baden-Württemberg"),
    ("Gemeinde Büsum", "Gemeinde", "Schleswig-Holstein"),
    ("Suhl", "Stadt", "Thüringen"),
    ("Frankfurt (Oder)", "kreisfreie Stadt", "Brandenburg"),
]

ARTICLE_KINDS = ["praxisbeispiel", "erfahrungsbericht", "leitfaden", "veranstaltung"]
DOCUMENT_KINDS = ["praesentation", "bericht", "leitfaden", "protokoll", "sonstiges"]
DOCUMENT_PREFIX = {
    "praesentation": "Vortrag",
    "bericht": "Bericht",
    "leitfaden": "Leitfaden",
    "protokoll": "Protokoll",
    "sonstiges": "Material",
}


@dataclass
class Page:
    """One page of the German corpus."""

    title: str
    body: str
    tags: list[str] = field(default_factory=list)


@dataclass
class Article:
    slug: str
    title: str
    kind: str
    region: str | None
    themes: list[str]
    tags: list[str]
    date: str
    summary: str
    body: str


@dataclass
class BundleInfo:
    """What the benchmark needs to know about a bundle it built (``bench-manifest.json``)."""

    root: Path
    articles: list[str]
    documents: list[str]
    themes: list[str]
    regions: list[str]
    last_article_word: str
    document_words: dict[str, str]


# --- the German corpus ---------------------------------------------------------------


def ensure_corpus(work: Path) -> Path:
    """The corpus folder under ``work``, built by make_de_corpus.sh unless already there."""
    folder = work / "de-corpus"
    if not (folder / "CORPUS.txt").is_file():
        print(f"Korpus wird erzeugt: {folder} (apt-get download, ~1 min)", file=sys.stderr)
        command = ["bash", str(MAKE_CORPUS), "-o", str(folder), "-d", str(work / "debs")]
        subprocess.run(command, check=True, stdout=sys.stderr)
    return folder


def read_page(path: Path) -> Page | None:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    head, _, body = text[4:].partition("\n---\n")
    meta = yaml.safe_load(head) or {}
    tags = [t.strip() for tag in meta.get("tags", []) for t in str(tag).split(",") if t.strip()]
    return Page(title=str(meta.get("title", "")).strip(), body=body.strip() + "\n", tags=tags)


def read_corpus(folder: Path) -> list[Page]:
    pages = [read_page(p) for p in sorted(folder.glob("*/*.md"))]
    return [p for p in pages if p is not None and p.title and len(p.body) > 200]


# --- articles ------------------------------------------------------------------------


def region_slug(name: str) -> str:
    return slugify(name)


def region_label(name: str, kind: str) -> str:
    if kind in ("kreisfreie Stadt", "Amt", "Gemeinde") or name.startswith(kind):
        return name
    return f"{kind} {name}"


def first_sentence(body: str, limit: int = 240) -> str:
    for paragraph in body.split("\n\n"):
        text = " ".join(paragraph.split())
        if len(text) > 40 and not text.startswith(("#", "|", "```", "-")):
            sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
            return sentence[:limit]
    return ""


def vary_body(body: str, round_: int) -> str:
    """Round 0 keeps the page; later rounds start at another paragraph (same text, rotated)."""
    if round_ == 0:
        return body
    paragraphs = body.strip().split("\n\n")
    cut = round_ % len(paragraphs)
    return "\n\n".join(paragraphs[cut:] + paragraphs[:cut]) + "\n"


T = TypeVar("T")


def weighted(rng: random.Random, items: list[T], skew: float = 1.0) -> T:
    """Items early in the list are more likely (Zipf-like), so facet counts differ."""
    weights = [1 / (rank + 1) ** skew for rank in range(len(items))]
    return rng.choices(items, weights=weights)[0]


def make_article(
    page: Page, index: int, round_: int, rng: random.Random, used: set[str]
) -> Article:
    region = weighted(rng, REGIONS, 0.6) if rng.random() > 0.15 else None
    if round_ == 0:
        title = page.title
    elif region is not None:
        title = f"{page.title} ({region_label(region[0], region[1])})"
    else:
        title = f"{page.title} – Teil {round_ + 1}"
    base = slugify(title, max_length=72) or f"artikel-{index}"
    slug, suffix = base, index
    while slug in used:  # the same title twice (the corpus has some): number it
        slug, suffix = f"{base}-{suffix}", suffix + 1
    used.add(slug)
    themes = sorted({weighted(rng, THEMES, 0.8)[0] for _ in range(rng.randint(1, 3))})
    day = date(2012, 1, 1) + timedelta(days=rng.randrange(365 * 13))
    return Article(
        slug=slug,
        title=title,
        kind=weighted(rng, ARTICLE_KINDS, 0.5),
        region=region_slug(region[0]) if region else None,
        themes=themes,
        tags=page.tags[:5],
        date=day.isoformat(),
        summary=first_sentence(page.body) if rng.random() < 0.5 else "",
        body=vary_body(page.body, round_),
    )


def make_articles(pages: list[Page], count: int, seed: int) -> list[Article]:
    rng = random.Random(seed)
    order = list(range(len(pages)))
    rng.shuffle(order)
    used: set[str] = set()
    articles = []
    for index in range(count):
        round_, position = divmod(index, len(order))
        articles.append(make_article(pages[order[position]], index, round_, rng, used))
    return articles


def _yaml_value(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON scalars and lists are valid YAML


def article_text(article: Article) -> str:
    lines = ["---", f"title: {_yaml_value(article.title)}", f"kind: {article.kind}"]
    if article.region:
        lines.append(f"region: {article.region}")
    lines.append(f"themes: {_yaml_value(article.themes)}")
    if article.tags:
        lines.append(f"tags: {_yaml_value(article.tags)}")
    lines.append(f"date: {article.date}")
    if article.summary:
        lines.append(f"summary: {_yaml_value(article.summary)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + article.body


def wikmd_text(article: Article) -> str:
    """The same article as a wikmd page: wikmd has no front matter, a page is its file."""
    parts = [f"# {article.title}", article.summary, article.body]
    return "\n\n".join(p.strip() for p in parts if p.strip()) + "\n"


# --- documents -----------------------------------------------------------------------


def word_stream(pages: list[Page], rng: random.Random) -> list[str]:
    """All words of the corpus in a shuffled page order, Markdown marks removed."""
    order = list(range(len(pages)))
    rng.shuffle(order)
    words: list[str] = []
    for position in order:
        text = re.sub(r"[#|`*\\]+", " ", pages[position].body)
        words.extend(text.split())
    return words


def wrap(words: list[str], width: int = PDF_LINE_CHARS) -> list[str]:
    lines, line = [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines


def document_pages(words: list[str], start: int, marker: str) -> list[list[str]]:
    pages = []
    for number in range(PDF_PAGES):
        at = (start + number * WORDS_PER_PDF_PAGE) % max(1, len(words) - WORDS_PER_PDF_PAGE)
        pages.append(wrap(words[at : at + WORDS_PER_PDF_PAGE]))
    pages[-1].append(f"Kennung des Dokuments: {marker}")
    return pages


def marker_word(kind: str, number: int) -> str:
    """A word found nowhere else: letters only, so no analyzer splits it."""
    letters = ""
    for _ in range(5):
        number, digit = divmod(number, 26)
        letters += chr(ord("a") + digit)
    return f"qx{kind}{letters}"


def write_documents(root: Path, pages: list[Page], count: int, seed: int) -> dict[str, str]:
    """Write ``count`` PDFs with sidecars; answer {slug: marker word in its last page}."""
    rng = random.Random(seed + 1)
    words = word_stream(pages, rng)
    folder = root / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    markers = {}
    for number in range(count):
        page = pages[rng.randrange(len(pages))]
        kind = weighted(rng, DOCUMENT_KINDS, 0.5)
        title = f"{DOCUMENT_PREFIX[kind]}: {page.title}"
        slug = f"dok-{number:05d}-" + slugify(page.title, max_length=50)
        markers[slug] = marker_word("d", number)
        size = SLIDE_16_9 if kind == "praesentation" else A4_PORTRAIT
        start = rng.randrange(len(words))
        write_pdf(folder / f"{slug}.pdf", title, document_pages(words, start, markers[slug]), size)
        region = weighted(rng, REGIONS, 0.6)
        sidecar = {
            "title": title,
            "kind": kind,
            "region": region_slug(region[0]),
            "themes": sorted({weighted(rng, THEMES, 0.8)[0] for _ in range(2)}),
            "date": (date(2015, 1, 1) + timedelta(days=rng.randrange(3650))).isoformat(),
            "file": f"{slug}.pdf",
        }
        lines = [f"{key}: {_yaml_value(value)}" for key, value in sidecar.items()]
        (folder / f"{slug}.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return markers


# --- the bundle ----------------------------------------------------------------------


def write_taxonomy(root: Path) -> None:
    themes = [{"slug": s, "name": n, "description": d} for s, n, d in THEMES]
    regions = [
        {"slug": region_slug(name), "name": name, "kind": kind, "state": state}
        for name, kind, state in REGIONS
    ]
    for name, items in (("themes.yml", themes), ("regions.yml", regions)):
        text = yaml.safe_dump(items, allow_unicode=True, sort_keys=False)
        (root / name).write_text(text, encoding="utf-8")


def write_articles(root: Path, articles: list[Article]) -> None:
    folder = root / "articles"
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        (folder / f"{article.slug}.md").write_text(article_text(article), encoding="utf-8")


def build_bundle(
    work: Path, articles: int, pdfs: int, seed: int
) -> tuple[BundleInfo, list[Article]]:
    """Build (or reuse) ``work/bundle-a<N>-p<M>-s<seed>``; answer its info and articles."""
    pages = read_corpus(ensure_corpus(work))
    items = make_articles(pages, articles, seed)
    last_word = marker_word("a", articles)
    items[-1].body += f"\nKennung des Artikels: {last_word}\n"
    root = work / f"bundle-a{articles}-p{pdfs}-s{seed}"
    manifest = root / "bench-manifest.json"
    if manifest.is_file() and json.loads(manifest.read_text())["version"] == BUNDLE_VERSION:
        return _info(root, json.loads(manifest.read_text())), items
    root.mkdir(parents=True, exist_ok=True)
    write_taxonomy(root)
    write_articles(root, items)
    markers = write_documents(root, pages, pdfs, seed)
    data = {
        "version": BUNDLE_VERSION,
        "articles": [a.slug for a in items],
        "documents": list(markers),
        "last_article_word": last_word,
        "document_words": markers,
    }
    manifest.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return _info(root, data), items


def _info(root: Path, data: dict) -> BundleInfo:
    return BundleInfo(
        root=root,
        articles=data["articles"],
        documents=data["documents"],
        themes=[slug for slug, _, _ in THEMES],
        regions=[region_slug(name) for name, _, _ in REGIONS],
        last_article_word=data["last_article_word"],
        document_words=data["document_words"],
    )


def write_wikmd_pages(folder: Path, articles: list[Article]) -> None:
    """The articles as wikmd pages ``<slug>.md`` (rewritten only when missing)."""
    folder.mkdir(parents=True, exist_ok=True)
    for article in articles:
        path = folder / f"{article.slug}.md"
        if not path.exists():
            path.write_text(wikmd_text(article), encoding="utf-8")
