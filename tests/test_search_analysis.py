"""wissen.search, seen from the search box: one test (or a few) per German analysis rule.

Every test builds a small real index in ``tmp_path`` from ``Entry`` records and searches it
the way the services do (shipped thesaurus, public access unless said otherwise).
"""

from __future__ import annotations

import gc
import itertools
import re
import shutil
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from wissen.search import (
    Access,
    IndexUnavailable,
    Outcome,
    Request,
    SearchIndex,
    analysis,
    engine,
    entries,
    store,
    syntax,
    thesaurus,
)
from wissen.search.entries import Entry
from wissen.search.thesaurus import Thesaurus

SHIPPED = thesaurus.compiled(thesaurus.shipped_text())
PUBLIC = Access()
INTERN = Access(audiences=("public", "intern"))
DECOY = "Der Haushaltsplan wurde im Kreistag beschlossen."


# --- helpers ------------------------------------------------------------------------------


def article(number: int, body: str = "", *, title: str = "", **fields: Any) -> Entry:
    values: dict[str, Any] = {
        "kind": "praxisbeispiel",
        "summary": "",
        "topics": "",
        "themes": (),
        "region": "",
        "audience": "public",
        "date": 20240315,
        **fields,
    }
    return Entry(
        parent=f"article:{number}",
        type="article",
        title=title or f"Beitrag {number}",
        stamp="1",
        body=body,
        **values,
    )


def document(number: int, pages: list[str], *, title: str = "", **fields: Any) -> list[Entry]:
    values: dict[str, Any] = {"kind": "leitfaden", "audience": "public", **fields}
    return [
        Entry(
            parent=f"document:{number}",
            type="document",
            title=title or f"Dokument {number}",
            stamp="1",
            body=text,
            page=page,
            **values,
        )
        for page, text in enumerate(pages, start=1)
    ]


def build(root: Path, items: Iterable[Entry]) -> SearchIndex:
    """A fresh index in ``root`` holding ``items`` (entries of one parent are grouped)."""
    groups: dict[str, list[Entry]] = {}
    for entry in items:
        groups.setdefault(entry.parent, []).append(entry)
    entries.rebuild(root, iter(groups.items()))
    return SearchIndex(root)


def search(
    index: SearchIndex,
    text: str,
    *,
    access: Access = PUBLIC,
    synonyms: Thesaurus = SHIPPED,
    **options: Any,
) -> Outcome:
    request = Request(text=text, access=access, thesaurus=synonyms, **options)
    return index.search(request)


def parents(outcome: Outcome) -> list[str]:
    return [hit.parent for hit in outcome.hits]


def plain(html: str) -> str:
    """Snippet HTML without tags, for comparing the visible text."""
    return re.sub(r"<[^>]+>", "", html)


Make = Callable[..., SearchIndex]


@pytest.fixture
def make(tmp_path: Path) -> Make:
    """``make(entry, …)`` builds an index of these entries (lists of pages are flattened)."""
    counter = itertools.count()

    def _make(*items: Entry | list[Entry]) -> SearchIndex:
        flat: list[Entry] = []
        for item in items:
            flat.extend(item if isinstance(item, list) else [item])
        return build(tmp_path / f"index-{next(counter)}", flat)

    return _make


def found_by(make: Make, query: str, text: str) -> list[str]:
    """Parents found by ``query`` in an index of ``text`` (article:1) and an unrelated decoy."""
    index = make(article(1, text), article(2, DECOY))
    return parents(search(index, query))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    """A small shared index for tests that only need *something* to search."""
    return build(
        tmp_path_factory.mktemp("corpus"),
        [
            article(1, "Der Bürgerbus fährt jeden Dienstag.", themes=("mobilitaet",)),
            article(2, "Die Bürger*innen gründen einen Dorfladen.", region="region-a"),
            *document(3, ["Inhalt", "Der Rufbus fährt nach Fahrplan."]),
            article(4, DECOY),
        ],
    )


# --- 1. folding: umlauts and ß --------------------------------------------------------------

SPELLINGS = [("Straße", "Strasse"), ("Bürgerbus", "Buergerbus", "Burgerbus")]


@pytest.mark.parametrize(
    ("query", "written"),
    [pair for group in SPELLINGS for pair in itertools.permutations(group, 2)],
)
def test_schreibweisen_ohne_umlaut_und_eszett_finden_einander(
    make: Make, query: str, written: str
) -> None:
    assert found_by(make, query, f"Am Rand der {written} steht jeden Dienstag ein Stand.") == [
        "article:1"
    ]


# --- 2. stemming ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Dorfläden", "Unser Dorfladen hat sechs Tage geöffnet."),
        ("Erfahrungen", "Die Erfahrung aus dem ersten Jahr zeigt den Bedarf."),
        ("kleiner Verwaltung", "Gerade kleine Verwaltungen profitieren davon."),
        ("Verwaltungen", "Die Verwaltung digitalisiert Anträge."),
    ],
)
def test_beugungsformen_finden_einander(make: Make, query: str, text: str) -> None:
    assert found_by(make, query, text) == ["article:1"]


# --- 3. gender forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form",
    ["Bürger*innen", "Bürger:innen", "Bürger_innen", "BürgerInnen", "Bürgerinnen und Bürger"],
)
def test_genderformen_werden_mit_der_grundform_gefunden(make: Make, form: str) -> None:
    assert found_by(make, "Bürger", f"Die {form} im Ort wurden befragt.") == ["article:1"]


@pytest.mark.parametrize("form", ["Multiplikatorin", "Multiplikator:innen", "Multiplikatorinnen"])
def test_weibliche_formen_werden_mit_der_maennlichen_mehrzahl_gefunden(
    make: Make, form: str
) -> None:
    assert found_by(make, "Multiplikatoren", f"Eine Schulung für {form} im Landkreis.") == [
        "article:1"
    ]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Multiplikator*innen", "Eine Schulung für Multiplikatoren im Landkreis."),
        ("Entscheidungsträger:innen", "Die Entscheidungsträger der Gemeinde trafen sich."),
        ("Bürger*innen", "Die Bürger des Ortes wurden befragt."),
        ("BürgerInnen", "Die Bürger des Ortes wurden befragt."),
    ],
)
def test_genderformen_in_der_anfrage_sind_woerter_keine_operatoren(
    make: Make, query: str, text: str
) -> None:
    parsed = syntax.parse(query)
    assert parsed.filters == {}
    assert parsed.text == query
    assert found_by(make, query, text) == ["article:1"]


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("Bürger*innen", "Bürger"),
        ("Bürger*in", "Bürger"),
        ("Bürger:innen", "Bürger"),
        ("Bürger:in", "Bürger"),
        ("Bürger_innen", "Bürger"),
        ("Bürger/innen", "Bürger"),
        ("Bürger/-innen", "Bürger"),
        ("Bürger·innen", "Bürger"),
        ("BürgerInnen", "Bürger"),
        ("LehrerIn", "Lehrer"),
        ("Entscheidungsträger:innen", "Entscheidungsträger"),
        ("Bürgerinnen", "Bürgerinnen"),  # the plain feminine form is masculine_base's job
        ("Bürger", "Bürger"),
        ("Termin", "Termin"),
        ("Medizin", "Medizin"),
        ("gewinnen", "gewinnen"),
        ("Berlin", "Berlin"),
    ],
)
def test_normalise_gender(word: str, base: str) -> None:
    assert analysis.normalise_gender(word) == base


@pytest.mark.parametrize(
    ("word", "base"),
    [
        ("bürgerinnen", "bürger"),
        ("multiplikatorin", "multiplikator"),
        ("multiplikatorinnen", "multiplikator"),
        ("lehrerin", "lehrer"),
        ("studentinnen", "student"),
        ("termin", "termin"),
        ("medizin", "medizin"),
        ("gewinnen", "gewinnen"),
        ("berlin", "berlin"),
        ("beginnen", "beginnen"),
        ("bürger", "bürger"),
    ],
)
def test_masculine_base(word: str, base: str) -> None:
    assert analysis.masculine_base(word) == base


@pytest.mark.parametrize("word", ["Termin", "Medizin", "gewinnen", "Berlin"])
def test_woerter_auf_in_sind_keine_genderformen(make: Make, word: str) -> None:
    assert analysis.normalise_gender(word) == word
    assert analysis.masculine_base(word.lower()) == word.lower()
    assert found_by(make, word, f"Hier steht {word} im Text.") == ["article:1"]


def test_termin_findet_keinen_term(make: Make) -> None:
    index = make(article(1, "Der Termin steht fest."), article(2, "Der Term ist mathematisch."))
    assert parents(search(index, "Termin")) == ["article:1"]


# --- 4. compounds ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Ehrenamt", "Die Ehrenamtsstruktur im Landkreis wird ausgebaut."),
        ("Leuchtturm", "Zwei Leuchtturmregionen wurden ausgewählt."),
        ("Gesundheitsförderung", "Ein Programm zur Förderung der Gesundheit im Alter."),
        ("Förderung", "Die Gesundheitsförderung für Ältere wird ausgebaut."),
    ],
)
def test_teile_von_zusammensetzungen_werden_gefunden(make: Make, query: str, text: str) -> None:
    assert found_by(make, query, text) == ["article:1"]


def test_ganzes_wort_rangiert_vor_wortteil(make: Make) -> None:
    index = make(
        article(1, "Die Ehrenamtsstruktur wächst."),
        article(2, "Das Ehrenamt im Landkreis wächst seit Jahren und braucht hauptamtliche Hilfe."),
    )
    assert parents(search(index, "Ehrenamt")) == ["article:2", "article:1"]


def test_phrase_ueber_eine_zusammensetzung(make: Make) -> None:
    index = make(
        article(1, "Die neue Ehrenamtsstruktur stärkt die Vereine."),
        article(2, "Die Vereine stärkt eine neue Ehrenamtsstruktur."),
    )
    assert parents(search(index, '"Ehrenamtsstruktur stärkt"')) == ["article:1"]


def test_phrase_mit_zusammensetzung_und_fuellwort(make: Make) -> None:
    index = make(
        article(1, "Die Ehrenamtsstruktur im Landkreis wird ausgebaut."),
        article(2, "Im Landkreis fehlt noch eine Ehrenamtsstruktur."),
    )
    assert parents(search(index, '"Ehrenamtsstruktur im Landkreis"')) == ["article:1"]


def test_phrase_mit_fuellwort(make: Make) -> None:
    index = make(
        article(1, "Ein Programm zur Förderung der Gesundheit im Alter."),
        article(2, "Gesundheit und Förderung sind getrennte Themen."),
    )
    assert parents(search(index, '"Förderung der Gesundheit"')) == ["article:1"]


# --- 5. synonyms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("ÖPNV", "Der öffentliche Nahverkehr im Landkreis wird ausgebaut."),
        ("öffentlicher Nahverkehr", "Der ÖPNV im Landkreis wird ausgebaut."),
        ("OEPNV", "Der öffentliche Nahverkehr im Landkreis wird ausgebaut."),
        ("Senioren", "Angebote für ältere Menschen im Landkreis."),
        ("ältere Menschen", "Angebote für Senioren im Landkreis."),
        ("Kita", "Die Kindertagesstätte im Ort hat neue Plätze."),
        ("Kindertagesstätte", "Die Kita im Ort hat neue Plätze."),
    ],
)
def test_synonyme_aus_dem_mitgelieferten_thesaurus(make: Make, query: str, text: str) -> None:
    assert found_by(make, query, text) == ["article:1"]


SYNONYM_RANKING = [
    ("Kita", "Die Kita im Ort hat neue Plätze.", "Die Kindertagesstätte im Ort hat neue Plätze."),
    pytest.param(
        "ÖPNV",
        "Der ÖPNV im Landkreis wird ausgebaut.",
        "Der öffentliche Nahverkehr im Landkreis wird ausgebaut.",
    ),
    pytest.param(
        "Senioren",
        "Angebote für Senioren im Landkreis.",
        "Angebote für ältere Menschen im Landkreis.",
    ),
]


@pytest.mark.parametrize(("query", "exact", "synonym"), SYNONYM_RANKING)
def test_synonym_rangiert_hinter_genauem_treffer(
    make: Make, query: str, exact: str, synonym: str
) -> None:
    index = make(article(1, synonym), article(2, exact))
    assert parents(search(index, query)) == ["article:2", "article:1"]


def test_eigener_thesaurus_einseitig(make: Make) -> None:
    custom, problems = thesaurus.parse("Handy => Smartphone")
    assert problems == []
    index = make(
        article(1, "Kurse zum Smartphone für Ältere."),
        article(2, "Kurse zum Handy für Ältere."),
    )
    assert set(parents(search(index, "Handy", synonyms=custom))) == {"article:1", "article:2"}
    assert parents(search(index, "Smartphone", synonyms=custom)) == ["article:1"]


def test_mitgelieferter_thesaurus_hat_keine_problemzeilen() -> None:
    assert thesaurus.parse(thesaurus.shipped_text())[1] == []


def test_thesaurus_meldet_fehlerhafte_zeilen_mit_zeilennummer() -> None:
    text = "\n".join(
        [
            "ÖPNV, Nahverkehr",  # 1 fine
            "Einsamkeit",  # 2 group with one term
            "",  # 3 blank
            "# Kommentar",  # 4 comment
            "=> Sammeltaxi",  # 5 nothing on the left
            "Rufbus =>",  # 6 nothing on the right
            "Kita, Kitas, KITA",  # 7 fine (duplicates merge)
            "der, die, das",  # 8 only stop words
            "Kita, Kita",  # 9 one term twice
        ]
    )
    parsed, problems = thesaurus.parse(text)
    assert [p.line for p in problems] == [2, 5, 6, 8, 9]
    assert all(p.message for p in problems)
    assert parsed.expansions  # the good lines still count


@pytest.mark.parametrize(
    "text",
    ["", "=>", "=> =>", ",,,", "\x00", "#", "a" * 10_000, "Kita,\n,Kita", "ä => ö => ü", "\ufeff"],
)
def test_thesaurus_parse_wirft_nie(text: str) -> None:
    parsed, problems = thesaurus.parse(text)
    assert isinstance(problems, list)
    assert parsed is not None


def test_thesaurus_meldet_doppelten_pfeil() -> None:
    assert [p.line for p in thesaurus.parse("Rufbus => Anrufbus => Bedarfsverkehr")[1]] == [1]


# --- 6. typos -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Pflegestüzpunkt", "Der Pflegestützpunkt berät pflegende Angehörige."),
        ("Mobilitätskonzpet", "Das Mobilitätskonzept des Landkreises liegt vor."),
        ("Pflegestutzpunkt", "Der Pflegestützpunkt berät pflegende Angehörige."),
    ],
)
def test_tippfehler_werden_toleriert(make: Make, query: str, text: str) -> None:
    assert found_by(make, query, text) == ["article:1"]


@pytest.mark.parametrize(
    ("word", "variant"),
    [("Pflegestützpunkt", "Pflegestüzpunkt"), ("Mobilitätskonzept", "Mobilitätskonzpet")],
)
def test_genaue_schreibweise_rangiert_vor_aehnlicher(make: Make, word: str, variant: str) -> None:
    index = make(
        article(1, f"Hier wird der {variant} im Landkreis beschrieben."),
        article(2, f"Hier wird der {word} im Landkreis beschrieben."),
    )
    for query, expected in ((word, "article:2"), (variant, "article:1")):
        assert parents(search(index, query))[0] == expected


@pytest.mark.parametrize(
    ("query", "text", "corrected"),
    [
        ("Pflegestüzpunkt", "Der Pflegestützpunkt berät Angehörige.", "pflegestützpunkt"),
        ("Mobilitätskonzpet", "Das Mobilitätskonzept liegt vor.", "mobilitätskonzept"),
        ("Beratung Pflegestüzpunkt", "Beratung im Pflegestützpunkt.", "beratung pflegestützpunkt"),
    ],
)
def test_meinten_sie_schlaegt_die_korrektur_vor(
    make: Make, query: str, text: str, corrected: str
) -> None:
    outcome = search(make(article(1, text), article(2, DECOY)), query)
    assert outcome.suggestion is not None
    assert outcome.suggestion.lower().split() == corrected.split()


@pytest.mark.parametrize("query", ["Xylofonquartett", "Zwiebelkuchenrezept", "qqqq"])
def test_meinten_sie_ohne_plausible_korrektur(make: Make, query: str) -> None:
    outcome = search(make(article(1, "Der Pflegestützpunkt berät."), article(2, DECOY)), query)
    assert outcome.total == 0
    assert outcome.suggestion is None


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Pflegestützpunkt", "Der Pflegestützpunkt berät Angehörige."),
        pytest.param("Erfahrungen", "Die Erfahrung zeigt den Bedarf."),
        pytest.param("Dorfläden", "Unser Dorfladen hat geöffnet."),
        pytest.param("öffentlicher Nahverkehr", "Der öffentliche Nahverkehr."),
    ],
)
def test_meinten_sie_bleibt_leer_bei_richtiger_schreibung(
    make: Make, query: str, text: str
) -> None:
    outcome = search(make(article(1, text), article(2, DECOY)), query)
    assert parents(outcome) == ["article:1"]
    assert outcome.suggestion is None


# --- 7. ranking and query syntax ------------------------------------------------------------


def test_titel_rangiert_vor_text(make: Make) -> None:
    index = make(
        article(1, "Der Bürgerbus fährt. Der Bürgerbus hält. Bürgerbus.", title="Verkehr"),
        article(2, "Ein Angebot für alle im Ort.", title="Bürgerbus im Landkreis"),
    )
    assert parents(search(index, "Bürgerbus")) == ["article:2", "article:1"]


def test_mehr_passende_woerter_rangieren_hoeher(make: Make) -> None:
    index = make(
        article(1, "Rufbus, Rufbus und nochmals Rufbus im Landkreis.", title="Rufbus"),
        article(2, "Der Rufbus bringt die Kinder nach Fahrplan zur Schule."),
        article(3, "Die Schule beginnt um acht Uhr."),
    )
    assert parents(search(index, "Rufbus Fahrplan Schule"))[0] == "article:2"


def test_anfuehrungszeichen_verlangen_die_wortfolge(make: Make) -> None:
    index = make(
        article(1, "Der Rufbus fährt täglich in alle Ortsteile."),
        article(2, "Der Rufbus steht, nur der Zug fährt noch."),
    )
    assert set(parents(search(index, "Rufbus fährt"))) == {"article:1", "article:2"}
    assert parents(search(index, '"Rufbus fährt"')) == ["article:1"]
    assert parents(search(index, '"fährt Rufbus"')) == []


def test_minus_schliesst_aus(make: Make) -> None:
    index = make(
        article(1, "Der Rufbus bringt Senioren zum Arzt."),
        article(2, "Der Rufbus bringt Kinder zur Schule."),
    )
    assert parents(search(index, "Rufbus -Senioren")) == ["article:2"]
    assert parents(search(index, 'Rufbus -"zur Schule"')) == ["article:1"]


@pytest.fixture
def filter_index(make: Make) -> SearchIndex:
    return make(
        article(1, "Der Bus fährt zur Schule.", themes=("mobilitaet",), region="region-a"),
        article(
            2, "Der Bus bringt Senioren.", themes=("pflege",), region="region-b", kind="studie"
        ),
        article(3, "Bus, Bahn und Rad.", themes=("mobilitaet", "klima")),
        document(4, ["Einleitung", "Der Bus im Leitfaden."], themes=("mobilitaet",)),
        article(5, "Die Pflege zu Hause.", themes=("pflege",)),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bus thema:mobilitaet", {"article:1", "article:3", "document:4"}),
        ("bus thema:Mobilität", {"article:1", "article:3", "document:4"}),
        ('bus thema:"mobilitaet"', {"article:1", "article:3", "document:4"}),
        ("bus region:region-b", {"article:2"}),
        ("bus art:studie", {"article:2"}),
        ("bus art:dokument", {"document:4"}),
        ("bus art:artikel", {"article:1", "article:2", "article:3"}),
        ("bus typ:article", {"article:1", "article:2", "article:3"}),
        pytest.param(
            "bus typ:artikel",
            {"article:1", "article:2", "article:3"},
        ),
        ("thema:pflege", {"article:2", "article:5"}),
    ],
)
def test_filter_in_der_anfrage(filter_index: SearchIndex, query: str, expected: set[str]) -> None:
    outcome = search(filter_index, query)
    assert set(parents(outcome)) == expected
    assert outcome.total == len(expected)


HOSTILE = [
    '"unbalanciert',
    '"',
    '""',
    '"""',
    "-",
    "- - -",
    "---",
    '-"',
    "-thema:",
    "thema:",
    'thema:"',
    'thema:"offen',
    "art:dokument",
    "art:",
    ":::",
    "*",
    "?",
    "~2",
    "^3",
    "()[]{}",
    "OR AND NOT",
    "foo:bar",
    "\\",
    "x\x00y",
    "\x00",
    "a" * 10_000,
    "Bürgerbus " * 1_000,
    '"' * 5_000,
    "<script>alert(1)</script>",
    "\u202e\u200b\ufeff",
    "🚌 Bürgerbus",
    "   ",
    "",
]


@pytest.mark.parametrize("raw", HOSTILE, ids=lambda raw: repr(raw[:20]))
def test_syntax_parse_wirft_nie(corpus: SearchIndex, raw: str) -> None:
    parsed = syntax.parse(raw)
    assert isinstance(parsed, syntax.ParsedQuery)
    outcome = search(corpus, raw)
    assert outcome.total >= len(outcome.hits)


def test_syntax_parse_erkennt_die_bestandteile() -> None:
    parsed = syntax.parse('Rufbus "im Landkreis" -Schule thema:Mobilität region:"Region A"')
    assert parsed.text == "Rufbus"
    assert parsed.phrases == ["im Landkreis"]
    assert parsed.excluded == ["Schule"]
    assert parsed.filters == {"theme": ["mobilitaet"], "region": ["region-a"]}
    assert syntax.parse("art:dokument").filters == {"type": ["document"]}


# --- 8. visibility --------------------------------------------------------------------------


@pytest.fixture
def visibility_index(make: Make) -> SearchIndex:
    drafts_b = [
        article(100 + n, "Der Bürgerbus fährt.", audience="draft", region="region-b")
        for n in range(15)
    ]
    public = [article(n, "Der Bürgerbus fährt.") for n in range(1, 4)]
    return make(
        *drafts_b,
        *public,
        article(50, "Der Bürgerbus fährt intern.", audience="intern"),
        article(60, "Der Bürgerbus fährt im Entwurf.", audience="draft", region="region-a"),
    )


PUBLIC_HITS = {"article:1", "article:2", "article:3"}


def test_oeffentlich_sieht_keine_entwuerfe_und_internes(visibility_index: SearchIndex) -> None:
    outcome = search(visibility_index, "Bürgerbus", limit=10)
    assert set(parents(outcome)) == PUBLIC_HITS
    assert outcome.total == 3  # visibility applies before paging
    assert outcome.facets["type"] == [("article", 3)]


def test_intern_sieht_internes_aber_keine_entwuerfe(visibility_index: SearchIndex) -> None:
    outcome = search(visibility_index, "Bürgerbus", access=INTERN)
    assert set(parents(outcome)) == PUBLIC_HITS | {"article:50"}
    assert outcome.total == 4


def test_entwuerfe_nur_der_eigenen_region(visibility_index: SearchIndex) -> None:
    access = Access(audiences=("public", "intern"), draft_regions=("region-a",))
    outcome = search(visibility_index, "Bürgerbus", access=access)
    assert set(parents(outcome)) == PUBLIC_HITS | {"article:50", "article:60"}
    assert outcome.total == 5


def test_alle_entwuerfe_fuer_admins(visibility_index: SearchIndex) -> None:
    access = Access(audiences=("public", "intern"), draft_regions=None)
    outcome = search(visibility_index, "Bürgerbus", access=access, limit=10)
    assert outcome.total == 20
    assert len(outcome.hits) == 10


# --- 9. documents ---------------------------------------------------------------------------


def test_seiten_eines_dokuments_sind_ein_treffer(make: Make) -> None:
    pages = [
        "Inhalt und Einleitung.",
        "Ein Rufbus wird hier nur erwähnt.",
        "Der Rufbus fährt nach Fahrplan. Der Fahrplan des Rufbus hängt am Markt.",
        "Anhang mit Adressen.",
        "Noch einmal der Rufbus.",
    ]
    index = make(
        document(1, pages, themes=("mobilitaet",)),
        article(2, "Ein Rufbus im Dorf.", themes=("mobilitaet",)),
    )
    outcome = search(index, "Rufbus Fahrplan")
    assert parents(outcome) == ["document:1", "article:2"]
    assert outcome.total == 2
    hit = outcome.hits[0]
    numbers = [page.number for page in hit.pages]
    assert numbers[0] == 3  # the page with the fact comes first
    assert sorted(numbers) == [2, 3, 5]  # every matching page, each once
    assert all("<mark" in page.snippet for page in hit.pages)
    assert outcome.facets["type"] == [("article", 1), ("document", 1)]
    assert outcome.facets["theme"] == [("mobilitaet", 2)]


def test_dokument_zeigt_hoechstens_die_besten_seiten(make: Make) -> None:
    pages = [f"Der Rufbus hält auf Seite {n}." for n in range(1, 8)]
    pages[4] = "Der Rufbus fährt nach Fahrplan, der Fahrplan hängt aus."
    hit = search(make(document(1, pages)), "Rufbus Fahrplan").hits[0]
    assert hit.pages[0].number == 5
    assert len(hit.pages) <= engine.PAGES_PER_DOCUMENT


def test_seitenzahlen_nur_fuer_dokumente(make: Make) -> None:
    outcome = search(make(article(1, "Der Rufbus fährt.")), "Rufbus")
    assert outcome.hits[0].pages == ()


# --- 10. snippets ---------------------------------------------------------------------------


def test_ausschnitt_maskiert_html(make: Make) -> None:
    index = make(article(1, "Achtung <script>alert(1)</script> Bürgerbus fährt heute ab."))
    snippet = search(index, "Bürgerbus").hits[0].snippet
    assert "&lt;script&gt;" in snippet
    assert "<script" not in snippet
    assert re.search(r"<mark[^>]*>Bürgerbus</mark>", snippet)


def test_ausschnitt_maskiert_html_am_textanfang(make: Make) -> None:
    index = make(article(1, "<script>alert(1)</script> Bürgerbus <b>fett</b> & mehr Text."))
    hit = search(index, "Bürgerbus").hits[0]
    assert "<script" not in hit.snippet
    assert "<b>" not in hit.snippet
    assert re.search(r"<mark[^>]*>Bürgerbus</mark>", hit.snippet)


def test_ausschnitt_zeigt_kurzen_text_ganz(make: Make) -> None:
    index = make(article(1, "Ein Rufbus im Dorf."))
    assert plain(search(index, "Rufbus").hits[0].snippet) == "Ein Rufbus im Dorf."


# --- version stamp and broken indexes -------------------------------------------------------


def _index_with_one_entry(make: Make) -> SearchIndex:
    index = make(article(1, "Der Bürgerbus fährt."))
    assert parents(search(index, "Bürgerbus")) == ["article:1"]
    return index


def test_fehlender_index_ist_nicht_verfuegbar(tmp_path: Path) -> None:
    with pytest.raises(IndexUnavailable):
        store.open_current(tmp_path / "leer")
    with pytest.raises(IndexUnavailable):
        search(SearchIndex(tmp_path / "leer"), "Bürgerbus")


@pytest.mark.parametrize("stamp", ["schema 0 / analysis 0", "", None])
def test_anderer_versionsstempel_ist_nicht_verfuegbar(make: Make, stamp: str | None) -> None:
    index = _index_with_one_entry(make)
    version = store.current_path(index.root) / "VERSION"
    if stamp is None:
        version.unlink()
    else:
        version.write_text(stamp + "\n", "utf-8")
    with pytest.raises(IndexUnavailable):
        store.open_current(index.root)
    with pytest.raises(IndexUnavailable):
        search(SearchIndex(index.root), "Bürgerbus")


def _damage(generation: Path, pattern: str, how: str) -> None:
    for path in generation.glob(pattern):
        if path.name == "VERSION":
            continue
        if how == "leeren":
            path.write_bytes(b"")
        elif how == "loeschen":
            path.unlink()
        else:
            path.write_bytes(b"\x00kaputt" * 16)


# Whoosh leaves the damaged file open when reading it fails; that leak has its own test below.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.parametrize("how", ["leeren", "loeschen", "muell"])
@pytest.mark.parametrize(
    "pattern",
    ["*", "*.toc", "*.seg"],
)
def test_beschaedigter_index_ist_nicht_verfuegbar(
    tmp_path: Path, make: Make, pattern: str, how: str
) -> None:
    index = _index_with_one_entry(make)
    copy = tmp_path / "kopie"
    shutil.copytree(index.root, copy)
    generation = store.current_path(copy)
    assert generation is not None
    _damage(generation, pattern, how)
    with pytest.raises(IndexUnavailable):
        search(SearchIndex(copy), "Bürgerbus")


@pytest.mark.parametrize("how", ["leeren", "muell"])
def test_beschaedigter_index_laesst_keine_datei_offen(tmp_path: Path, make: Make, how: str) -> None:
    index = _index_with_one_entry(make)
    copy = tmp_path / "kopie"
    shutil.copytree(index.root, copy)
    generation = store.current_path(copy)
    assert generation is not None
    _damage(generation, "*.toc", how)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(IndexUnavailable):
            store.open_current(copy)
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []


def test_many_small_changes_are_folded_into_few_segments(tmp_path: Path) -> None:
    """Each extra segment slows every search; a burst of edits must not leave many."""
    import os

    root = tmp_path / "index"
    first = [
        (
            f"article:{n}",
            [
                Entry(
                    parent=f"article:{n}",
                    type="article",
                    kind="x",
                    title=f"T{n}",
                    stamp="1",
                    body=f"Rufbus Nummer {n}",
                )
            ],
        )
        for n in range(50)
    ]
    entries.rebuild(root, iter(first))
    for n in range(8):
        change = Entry(
            parent=f"article:{n}",
            type="article",
            kind="x",
            title=f"T{n}",
            stamp="2",
            body=f"Bürgerbus Nummer {n}",
        )
        entries.apply(root, {f"article:{n}": [change]})
        # Visible at once, whatever happens to the segments afterwards.
        assert f"article:{n}" in [h.parent for h in search(SearchIndex(root), "Bürgerbus").hits]
    for stamp in ("folded", "optimised"):
        if (root / stamp).exists():
            os.utime(root / stamp, (0, 0))  # long ago: folding is due
    assert entries.tidy(root) <= 3
    assert len(search(SearchIndex(root), "Bürgerbus").hits) == 8
    assert search(SearchIndex(root), "Rufbus").total == 42


def test_a_large_burst_is_folded_even_while_a_full_merge_is_not_yet_due(tmp_path: Path) -> None:
    """After a bulk upload (many pages next to the base) searches must not stay spread over
    many segments until the nightly full merge."""
    root = tmp_path / "index"

    def entry(n: int) -> tuple[str, list[Entry]]:
        text = f"Bürgerbus Nummer {n}"
        return f"article:{n}", [Entry(f"article:{n}", "article", "x", f"T{n}", "1", body=text)]

    entries.rebuild(root, iter([entry(n) for n in range(300)]))
    for start in range(300, 1300, 200):  # batches too big for Whoosh's own small merges
        entries.apply(root, dict(entry(n) for n in range(start, start + 200)))
    import os

    if (root / "folded").exists():
        os.utime(root / "folded", (0, 0))
    assert entries.tidy(root) <= 3
    assert search(SearchIndex(root), "Bürgerbus").total == 1300
    assert entries.optimise(root) == 1  # the nightly job
    assert search(SearchIndex(root), "Bürgerbus").total == 1300
