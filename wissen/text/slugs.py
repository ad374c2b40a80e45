"""URL slugs that German readers recognise: "Bürgerbus" becomes "buergerbus", not "burgerbus"."""

from __future__ import annotations

import re
import unicodedata

SLUG_MAX_LENGTH = 120

_SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*", re.ASCII)
_NON_SLUG_RUN = re.compile(r"[^a-z0-9]+")

# German spelling rules first; NFKD would turn "ü" into "u", which reads as another word.
# The other letters here have no decomposition, so NFKD alone would drop them.
_TRANSLITERATION = str.maketrans(
    {
        "ä": "ae",
        "ö": "oe",
        "ü": "ue",
        "ß": "ss",
        "ẞ": "ss",
        "æ": "ae",
        "œ": "oe",
        "ø": "o",
        "å": "aa",
        "ł": "l",
        "đ": "d",
        "ð": "d",
        "þ": "th",
        "ı": "i",
        # An apostrophe inside a word ("Mutter's") should not split it into two.
        "'": None,
        "\u2019": None,
    }
)


def slugify(text: str, max_length: int = 80) -> str:
    """Turn a title into a slug: lowercase ASCII words joined by single hyphens.

    Returns "" when the text has no letters or digits; callers decide on a fallback.
    """
    if max_length < 1:
        raise ValueError("max_length must be at least 1")
    # NFC first so a decomposed "u" + combining diaeresis is caught by the umlaut table.
    text = unicodedata.normalize("NFC", text).lower().translate(_TRANSLITERATION)
    ascii_text = _strip_accents(text)
    slug = _NON_SLUG_RUN.sub("-", ascii_text).strip("-")
    return _truncate(slug, max_length)


def is_valid_slug(s: str) -> bool:
    """True for strings slugify could have produced (and that fit a URL segment)."""
    return 0 < len(s) <= SLUG_MAX_LENGTH and _SLUG_RE.fullmatch(s) is not None


def _strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    # Non-ASCII leftovers become separators later instead of vanishing silently,
    # so "a→b" stays two words.
    return "".join(
        ch if ch.isascii() else " " for ch in decomposed if not unicodedata.combining(ch)
    )


def _truncate(slug: str, max_length: int) -> str:
    if len(slug) <= max_length:
        return slug
    cut = slug[:max_length]
    # Cutting mid-word leaves a fragment that reads like a typo; drop it when a whole
    # word fits before it.
    if slug[max_length] != "-" and "-" in cut:
        cut = cut[: cut.rfind("-")]
    return cut.strip("-")
