"""wissen.search.compounds: which German words the index also finds by their parts."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from wissen.search import compounds
from wissen.search.compounds import is_known_word, load_words, split_compound

# Municipal compounds and their parts, "modifier|head". A part that is no known word
# itself is split further ("sozial|raum|monitoring"); one that is stays whole
# ("pflege|stützpunkt", "kinder|tagesstätte").
COMPOUNDS = [
    ("ehrenamtsstruktur", "ehrenamt|struktur"),
    ("leuchtturmregionen", "leuchtturm|regionen"),
    ("gesundheitsförderung", "gesundheit|förderung"),
    ("nachbarschaftshilfe", "nachbarschaft|hilfe"),
    ("bevölkerungsvorausberechnung", "bevölkerung|voraus|berechnung"),
    ("pflegestützpunkt", "pflege|stützpunkt"),
    ("dorfladen", "dorf|laden"),
    ("bürgerbus", "bürger|bus"),
    ("wohnraumanpassung", "wohnraum|anpassung"),
    ("mobilitätskonzept", "mobilität|konzept"),
    ("sozialraummonitoring", "sozial|raum|monitoring"),
    ("leerstandskataster", "leerstand|kataster"),
    ("randzeitenbetreuung", "rand|zeit|betreuung"),
    ("straßenverkehr", "straße|verkehr"),
    ("seniorenbeirat", "senioren|beirat"),
    ("jugendhilfeplanung", "jugendhilfe|planung"),
    ("quartiersmanagement", "quartier|management"),
    ("daseinsvorsorge", "dasein|vorsorge"),
    ("fachkräftemangel", "fachkräfte|mangel"),
    ("kindertagesstätte", "kinder|tagesstätte"),
    ("nahversorgung", "nah|versorgung"),
    ("mehrgenerationenhaus", "mehr|generation|haus"),
    ("demografiestrategie", "demografie|strategie"),
    ("bürgerbeteiligung", "bürger|beteiligung"),
    ("gemeinderat", "gemeinde|rat"),
    ("familienzentrum", "familie|zentrum"),
    ("pflegeheim", "pflege|heim"),
    ("hausarzt", "haus|arzt"),
    ("ärztemangel", "ärzte|mangel"),
    ("breitbandausbau", "breitband|ausbau"),
    ("radweg", "rad|weg"),
    ("kinderbetreuung", "kinder|betreuung"),
    ("ganztagsschule", "ganztags|schule"),
    ("stadtentwicklung", "stadt|entwicklung"),
    ("einwohnerzahl", "einwohner|zahl"),
    ("verkehrsberuhigung", "verkehr|beruhigung"),
    ("rufbus", "ruf|bus"),
    ("bürgerversammlung", "bürger|versammlung"),
    ("haushaltsplan", "haushalt|plan"),
    ("fußgängerzone", "fußgänger|zone"),
    ("dorfgemeinschaftshaus", "dorfgemeinschaft|haus"),
    ("gemeindeverwaltung", "gemeinde|verwaltung"),
    ("landesregierung", "land|regierung"),
    ("klimaschutzkonzept", "klimaschutz|konzept"),
    ("vereinsleben", "verein|leben"),
    ("abwasserentsorgung", "abwasser|entsorgung"),
    ("seniorenbegegnungsstätte", "senioren|begegnungsstätte"),
    ("kinderbetreuungsangebot", "kinderbetreuung|angebot"),
    ("ehrenamtskoordination", "ehrenamt|koordination"),
    ("wochenende", "woche|ende"),
    ("landkreis", "land|kreis"),
]

# Words a search must not take apart, by the reason they could look like compounds.
NON_COMPOUND_GROUPS = {
    "suffix as head": "verwaltung gemeinsam beteiligung einsamkeit veranstaltung "
    "gestaltung erfahrung entwicklung versorgung bildung zeitung wirtschaft gesellschaft "
    "landschaft bereitschaft betreuung beratung gesundheit förderung bevölkerung "
    "möglicherweise jedenfalls",
    "derived from a known word": "ehrenamtliche ehrenamtlichen teilnehmende studierende "
    "reisende vorsitzende romantische",
    "particle as modifier": "angebot aufgabe ausbildung nachfrage mitglied beitrag "
    "einladung einrichtung übersicht vorstand gegenstand mitarbeiter unternehmen "
    "einwohner beispiel unterstützung voraussetzung herausforderung verantwortung "
    "interessen instanz",
    "loan word": "information organisation kommune integration september präsentation "
    "protest programm kontrolle transport parlament kommunikation demografie redaktion",
    "inflected form of a whole word": "senioren freiwillige freiwilligen bürgerinnen "
    "dokumenten einstellungen",
    "plain words": "arbeit gemeinde verein verkehr regierung",
    "lexicalised": "ehrenamt haushalt mittwoch samstag sonntag freitag donnerstag",
}
NON_COMPOUNDS = [
    pytest.param(word, id=f"{word} ({reason})")
    for reason, words in NON_COMPOUND_GROUPS.items()
    for word in words.split()
]


def _parts(expected: str) -> tuple[str, ...]:
    return tuple(expected.split("|"))


@pytest.mark.parametrize(("word", "expected"), COMPOUNDS)
def test_municipal_compounds_split_into_modifier_and_head(word: str, expected: str) -> None:
    assert split_compound(word) == _parts(expected)


@pytest.mark.parametrize("word", NON_COMPOUNDS)
def test_non_compounds_stay_whole(word: str) -> None:
    assert split_compound(word) == ()


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("arbeitsmarkt", "arbeit|markt"),  # -s-
        ("jahresbericht", "jahr|bericht"),  # -es-
        ("frauenhaus", "frau|haus"),  # -en-
        ("familienzentrum", "familie|zentrum"),  # -n-
        ("herzensangelegenheit", "herz|angelegenheit"),  # -ens-
        ("jahresende", "jahr|ende"),  # a noun before "ende", so no participle
    ],
)
def test_linking_elements_are_removed_from_the_modifier(word: str, expected: str) -> None:
    assert split_compound(word) == _parts(expected)


def test_a_missing_linking_element_still_splits() -> None:
    assert split_compound("nachbarschafthilfe") == ("nachbarschaft", "hilfe")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("straßenverkehr", "straße|verkehr"),
        ("strassenverkehr", "strasse|verkehr"),
        ("großstadt", "groß|stadt"),
        ("fußweg", "fuß|weg"),
        ("grußwort", "gruß|wort"),
        ("außenbereich", "außen|bereich"),
        ("maßnahmenplan", "maßnahmen|plan"),
        ("gemeindestraßen", "gemeinde|straßen"),
    ],
)
def test_words_with_sharp_s_split_and_keep_their_spelling(word: str, expected: str) -> None:
    assert split_compound(word) == _parts(expected)


def test_capitals_are_lowered() -> None:
    assert split_compound("Gesundheitsförderung") == ("gesundheit", "förderung")


def test_hyphenated_words_split_at_the_hyphen_and_inside_the_pieces() -> None:
    assert split_compound("kinder-jugendhilfe") == ("kinder", "jugend", "hilfe")
    assert split_compound("covid-19-pandemie") == ("covid", "19", "pandemie")
    # "Kinder- und Jugendhilfe" leaves a piece with a trailing hyphen.
    assert split_compound("kinder-") == ()


@pytest.mark.parametrize("word", ["", "a", "haus", "b96", "2024er", "ab", "über"])
def test_short_words_and_words_with_digits_are_not_split(word: str) -> None:
    assert split_compound(word) == ()


def test_known_words_are_looked_up_with_or_without_sharp_s() -> None:
    assert is_known_word("gemeinde")
    assert is_known_word("Straße")
    assert is_known_word("strasse")
    assert not is_known_word("ehrenamtsstruktur")  # too rare for the list: it is split
    assert not is_known_word("xqzvbrm")


def test_the_word_list_is_read_once_even_when_threads_start_together(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reads: list[Path] = []
    real_read = compounds._read_words

    def counting_read(path: Path, min_zipf: float) -> dict[str, float]:
        reads.append(path)
        return real_read(path, min_zipf)

    monkeypatch.setattr(compounds, "_words", None)
    monkeypatch.setattr(compounds, "_read_words", counting_read)
    split_compound.cache_clear()
    sizes: list[int] = []
    threads = [threading.Thread(target=lambda: sizes.append(load_words())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reads) == 1
    assert len(set(sizes)) == 1 and sizes[0] > 50_000
    assert split_compound("bürgerbus") == ("bürger", "bus")


def test_absurdly_long_tokens_are_not_split_and_cost_nothing() -> None:
    # Found by the test suite: a 200,000-letter "word" made indexing spin for minutes.
    assert compounds.split_compound("x" * 200_000) == ()
    assert compounds.split_compound("ehrenamt" * 20) == ()
