"""Repair extracted text so that searches for ordinary German words find it.

PDF producers (TeX's old fonts above all) hand out "Unterst¨utzung", ligature code points
and words hyphenated across line ends; each step below undoes one of these.
"""

from __future__ import annotations

import re
import unicodedata

# Characters that only disturb: C0/C1 controls (tab and line breaks are handled apart),
# lone surrogates (unencodable, a database rejects them), bidi overrides (they let text
# display differently from what is indexed), BOM, zero-width space and word joiner (they
# split words invisibly), and the two non-characters.
_JUNK = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069"
    "\ufeff\u200b\u2060\ufffe\uffff]"
)
_LINE_BREAKS = re.compile("\r\n|[\r\v\f\x1c-\x1e\x85\u2028\u2029]")
# TeX fonts emit the diaeresis as its own glyph before the letter ("f¨ur"); a combining
# one can also come out in front of its vowel ("f\u0308ur"). After a vowel it is the
# ordinary decomposed form, which NFKC composes by itself.
_SPACING_DIAERESIS = re.compile("\u00a8([A-Za-z\u0131])")
_LEADING_COMBINING = re.compile("(?<![AEIOUaeiouy])\u0308([AOUaou])")
_SOFT_HYPHEN_BREAK = re.compile("\u00ad[ \t]*\n[ \t]*")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"[ ]*\n[\n ]*")
# "Unter-\nstützung": a letter, a hyphen at the end of the line, a word on the next line.
_LINE_END_HYPHEN = re.compile(r"(?<=[^\W\d_])[-\u2010]\n(?=([^\W\d_]+))")
# "Kinder-\nund Jugendhilfe" is a shortened compound, not one hyphenated word.
_CONJUNCTIONS = frozenset({"und", "oder", "bzw", "sowie", "bis", "als", "noch", "wie"})


def clean_text(text: str) -> str:
    """Repaired, whitespace-normalised text: one ``\\n`` per line or paragraph break."""
    text = _LINE_BREAKS.sub("\n", text)
    text = _JUNK.sub("", text)
    text = _join_diaereses(text)
    text = unicodedata.normalize("NFKC", text)
    text = _SOFT_HYPHEN_BREAK.sub("", text).replace("\u00ad", "")
    text = _SPACES.sub(" ", text)
    text = _NEWLINES.sub("\n", text).strip()
    return _LINE_END_HYPHEN.sub(_rejoin, text)


def clean_title(text: str | None, max_length: int = 300) -> str | None:
    """A title fit to show, or None for empty, absurdly long or file-name-like metadata."""
    if not text:
        return None
    title = clean_text(text[: max_length * 4]).replace("\n", " ").strip(" -–—:|·/")
    title = _strip_producer_prefix(title)
    if not title or len(title) > max_length or not any(c.isalpha() for c in title):
        return None
    if _FILE_NAME.search(title) or title.casefold() in _PLACEHOLDER_TITLES:
        return None
    return title


_FILE_NAME = re.compile(r"\.(dvi|tex|pdf|docx?|pptx?|odt|odp|rtf|txt|indd|qxd|ps)$", re.I)
_PLACEHOLDER_TITLES = frozenset(
    {
        "untitled",
        "unbenannt",
        "ohne titel",
        "title",
        "titel",
        "präsentation",
        "presentation",
        "powerpoint presentation",
        "powerpoint-präsentation",
    }
)
_PRODUCER_PREFIX = re.compile(r"^Microsoft (Word|PowerPoint|Excel) - ", re.I)


def _strip_producer_prefix(title: str) -> str:
    # Office's PDF printer writes "Microsoft Word - Bericht.docx": only the name is left,
    # and that is rejected as a file name afterwards.
    return _PRODUCER_PREFIX.sub("", title)


def _join_diaereses(text: str) -> str:
    text = _SPACING_DIAERESIS.sub(_compose, text)
    return _LEADING_COMBINING.sub(_compose, text)


def _compose(match: re.Match[str]) -> str:
    base = match.group(1).replace("\u0131", "i")  # dotless ı: TeX's base for "ï"
    composed = unicodedata.normalize("NFC", base + "\u0308")
    return composed if len(composed) == 1 else match.group(0)


def _rejoin(match: re.Match[str]) -> str:
    next_word = match.group(1)
    if next_word[0].islower() and next_word not in _CONJUNCTIONS:
        return ""
    return match.group(0)
