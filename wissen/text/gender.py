"""Keep German gender stars and colons as text: "Bürger*innen" is a word, not emphasis.

CommonMark allows emphasis inside words with "*", so "Entscheidungsträger*innen und
Multiplikator*innen" would turn " innen und Multiplikator" italic. A "*" right after a
letter and before a gender ending is taken as a literal character instead.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

# Endings that follow a gender star: Bürger*innen, Lehrer*in, Kolleg*en, Expert*e(n).
_ENDING = re.compile(r"(innen|in|en|e|r)(?![a-zäöüß])")


def _gender_star(state: StateInline, silent: bool) -> bool:
    pos = state.pos
    if state.src[pos] != "*" or pos == 0 or not state.src[pos - 1].isalpha():
        return False
    if not _ENDING.match(state.src, pos + 1):
        return False
    if not silent:
        state.push("text", "", 0).content = "*"
    state.pos += 1
    return True


def gender_star_plugin(md: MarkdownIt) -> None:
    md.inline.ruler.before("emphasis", "gender_star", _gender_star)
