"""Reading what a user typed into the search box. Never raises, whatever the input.

Understood: plain words; "quoted phrases"; -word to exclude; filters ``thema:``,
``region:``, ``art:``, ``typ:`` and ``jahr:`` (value in quotes if it has spaces).
Gender forms such as ``Multiplikator*innen`` or ``Entscheidungsträger:innen`` are words,
not wildcards or field names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FILTER_NAMES = {"thema": "theme", "region": "region", "art": "kind", "typ": "type", "jahr": "year"}
MAX_LENGTH = 300
_PIECE = re.compile(
    r"""(?P<neg>-)?(?:(?P<name>[A-Za-zäöü]+):(?:"(?P<qvalue>[^"]*)"|(?P<value>\S+))"""
    r"""|"(?P<phrase>[^"]*)"?|(?P<word>\S+))"""
)


@dataclass
class ParsedQuery:
    text: str  # the free words, as typed (for synonyms, compounds, suggestions)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    excluded_filters: dict[str, list[str]] = field(default_factory=dict)  # -thema:x

    @property
    def empty(self) -> bool:
        return not (self.text.strip() or self.phrases or self.filters)


def parse(raw: str) -> ParsedQuery:
    raw = (raw or "")[:MAX_LENGTH].replace("\x00", " ")
    words: list[str] = []
    parsed = ParsedQuery(text="")
    for match in _PIECE.finditer(raw):
        negative = bool(match.group("neg"))
        name = (match.group("name") or "").lower()
        if name in FILTER_NAMES:
            value = (
                match.group("qvalue") if match.group("qvalue") is not None else match.group("value")
            )
            if value and value.strip():
                facet, slug = _filter_value(FILTER_NAMES[name], value)
                chosen = parsed.excluded_filters if negative else parsed.filters
                chosen.setdefault(facet, []).append(slug)
            continue
        if match.group("phrase") is not None:
            phrase = match.group("phrase").strip()
            if phrase:
                (parsed.excluded if negative else parsed.phrases).append(phrase)
            continue
        word = match.group(0).lstrip("-") if not name else match.group(0)
        if negative and not name:
            if word:
                parsed.excluded.append(word)
            continue
        words.append(match.group(0))
    parsed.text = " ".join(words)
    return parsed


_TYPES = {
    "artikel": "article",
    "dokument": "document",
    "dokumente": "document",
    "kontakt": "contact",
    "kontakte": "contact",
}
_SLUG = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", " ": "-", "_": "-"})


def _filter_value(facet: str, value: str) -> tuple[str, str]:
    """``art:Dokument`` is a type, ``thema:Mobilität`` the theme slug ``mobilitaet``."""
    slug = value.strip().lower().translate(_SLUG)
    if facet in ("kind", "type") and slug in _TYPES:
        return "type", _TYPES[slug]
    return facet, slug
