"""Wiki links: ``[[slug]]`` and ``[[slug|Text]]``.

Rendering uses a markdown-it inline rule (``wikilinks_plugin``), so code spans and code
blocks are left alone by construction. ``find_wikilinks`` and ``rewrite_wikilinks`` work on
the source text (a rename must edit the text in place), so they walk only the lines that
the same block parser hands to inline parsing and mirror the inline rules that could hide a
``[[`` (code spans, escapes, raw HTML, autolinks). Links and their rendering then agree.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

from markdown_it import MarkdownIt
from markdown_it.common.html_re import HTML_TAG_RE
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.footnote import footnote_plugin

from wissen.text.slugs import is_valid_slug

# Bounded quantifiers keep each attempt cheap on hostile input such as "[[" + "a" * 10**6.
# "\|" is accepted as the separator because inside a table cell a bare "|" starts a new cell.
_WIKILINK_RE = re.compile(r"\[\[([^\[\]|\n\r]{1,200}?)(\\?\|([^\[\]\n\r]{0,500}))?\]\]")
_AUTOLINK_RE = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]{1,31}:[^<>\x00-\x20]*>|<[^<>\s@]+@[^<>\s]+>")
_BACKTICKS_RE = re.compile(r"`+")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n")
_UNESCAPED_PIPE_RE = re.compile(r"(?<!\\)\|")


def markdown_dialect() -> MarkdownIt:
    """The block and inline syntax wissen accepts; wissen.text.markdown builds on it.

    It lives here because the scanner below must split text into blocks exactly as the
    renderer does (a footnote body indented by four spaces is not a code block).
    """
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).use(footnote_plugin)


# Only the block structure is needed here; inline parsing would double the cost. Without
# it no footnote counts as referenced, so footnote_tail would drop them all: keep them.
_BLOCKS = markdown_dialect().disable(["inline", "footnote_tail"])


@dataclass(frozen=True)
class WikiLinkMatch:
    """One ``[[...]]`` with a valid target; offsets index the text it was found in."""

    target: str
    label: str | None
    start: int
    end: int
    target_start: int
    target_end: int


def match_wikilink(text: str, pos: int, end: int | None = None) -> WikiLinkMatch | None:
    """The wiki link starting exactly at ``pos``, or None (invalid targets stay plain text)."""
    m = _WIKILINK_RE.match(text, pos, len(text) if end is None else end)
    if m is None:
        return None
    raw_target = m.group(1)
    target = raw_target.strip()
    if not is_valid_slug(target):
        return None
    target_start = m.start(1) + (len(raw_target) - len(raw_target.lstrip()))
    label = (m.group(3) or "").strip() or None
    return WikiLinkMatch(
        target, label, m.start(), m.end(), target_start, target_start + len(target)
    )


def wikilinks_plugin(md: MarkdownIt) -> None:
    """Parse wiki links into link_open/text/link_close tokens carrying ``meta["wikilink"]``.

    href stays empty here: resolving needs the caller's lookup, which wissen.text.markdown
    does in a core rule after heading ids are made (so ids do not change with page titles).
    """
    md.inline.ruler.before("link", "wikilink", _wikilink_rule)


def _wikilink_rule(state: StateInline, silent: bool) -> bool:
    # Inside [text](url) a second <a> would nest anchors, which HTML forbids.
    if state.linkLevel > 0 or not state.src.startswith("[[", state.pos):
        return False
    found = match_wikilink(state.src, state.pos, state.posMax)
    if found is None:
        return False
    if not silent:
        link_open = state.push("link_open", "a", 1)
        link_open.attrs = {"href": "", "class": "wikilink"}
        link_open.meta = {"wikilink": found.target, "label": found.label}
        text = state.push("text", "", 0)
        text.content = found.label or found.target
        state.push("link_close", "a", -1)
    state.pos = found.end
    return True


def find_wikilinks(markdown: str) -> list[str]:
    """Distinct link targets in order of first appearance, ignoring code."""
    return list(dict.fromkeys(found.target for found in _scan(markdown)))


def rewrite_wikilinks(markdown: str, old_slug: str, new_slug: str) -> str:
    """Point every link to ``old_slug`` at ``new_slug``; labels and all other text stay."""
    if not is_valid_slug(new_slug):
        raise ValueError(f"not a valid slug: {new_slug!r}")
    parts: list[str] = []
    last = 0
    for found in _scan(markdown):
        if found.target == old_slug:
            parts += [markdown[last : found.target_start], new_slug]
            last = found.target_end
    parts.append(markdown[last:])
    return "".join(parts)


def _scan(markdown: str) -> Iterator[WikiLinkMatch]:
    line_starts = _line_starts(markdown)
    for first, last, in_table in _inline_line_ranges(markdown):
        start, end = line_starts[first], line_starts[min(last, len(line_starts) - 1)]
        spans = _table_cells(markdown, start, end) if in_table else [(start, end)]
        for span_start, span_end in spans:
            yield from _scan_inline(markdown, span_start, span_end)


def _line_starts(text: str) -> list[int]:
    # Offsets in the original text; markdown-it counts lines after normalising \r\n.
    return [0, *(m.end() for m in _LINE_BREAK_RE.finditer(text)), len(text)]


def _inline_line_ranges(markdown: str) -> list[tuple[int, int, bool]]:
    """Line ranges [first, last) of blocks whose text is parsed inline, in source order."""
    ranges: set[tuple[int, int, bool]] = set()
    previous_type = ""
    for token in _BLOCKS.parse(markdown):
        if token.type == "inline" and token.map:
            ranges.add((token.map[0], token.map[1], previous_type in ("th_open", "td_open")))
        previous_type = token.type
    return sorted(ranges)


def _table_cells(text: str, start: int, end: int) -> list[tuple[int, int]]:
    # A code span or link cannot reach across an unescaped "|" in a table row.
    bounds = [start, *(m.start() for m in _UNESCAPED_PIPE_RE.finditer(text, start, end)), end]
    return list(pairwise(bounds))


def _scan_inline(text: str, pos: int, end: int) -> Iterator[WikiLinkMatch]:
    """Walk left to right like the inline parser: whatever starts first wins."""
    while pos < end:
        ch = text[pos]
        if ch == "\\":
            pos += 2
        elif ch == "`":
            pos = _skip_code_span(text, pos, end)
        elif ch == "<":
            m = HTML_TAG_RE.match(text, pos, end) or _AUTOLINK_RE.match(text, pos, end)
            pos = m.end() if m else pos + 1
        elif ch == "[" and (found := match_wikilink(text, pos, end)):
            yield found
            pos = found.end
        else:
            pos += 1


def _skip_code_span(text: str, pos: int, end: int) -> int:
    opener = _BACKTICKS_RE.match(text, pos, end)
    assert opener is not None
    for closer in _BACKTICKS_RE.finditer(text, opener.end(), end):
        if len(closer.group()) == len(opener.group()):
            return closer.end()
    # An unmatched run is literal backticks, and what follows is ordinary text.
    return opener.end()
