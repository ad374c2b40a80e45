"""Markdown → safe HTML, table of contents and plain text for articles.

Authors may write raw HTML, so the parser is not the safety boundary: every byte of output
passes nh3 with an explicit allowlist. The parser only has to produce good markup.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from wissen.text.gender import gender_star_plugin
from wissen.text.slugs import slugify
from wissen.text.wikilinks import markdown_dialect, wikilinks_plugin

MISSING_PAGE_URL = "/artikel/neu?slug={slug}"
MISSING_PAGE_TITLE = "Seite existiert noch nicht"
# A heading of only punctuation or emoji still needs an id a TOC can point to.
HEADING_FALLBACK_ID = "abschnitt"


@dataclass(frozen=True)
class LinkTarget:
    """Where a wiki link points once its slug is known to exist."""

    url: str
    title: str


LinkResolver = Callable[[str], LinkTarget | None]

_HEADINGS = {f"h{level}" for level in range(1, 7)}
_ALLOWED_TAGS = _HEADINGS | {
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "del",
    "s",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "section",
    "div",
    "span",
    "abbr",
    "details",
    "summary",
    "dl",
    "dt",
    "dd",
}
# No "style" anywhere: CSS can overlay the page or exfiltrate via url(). Table column
# alignment (markdown-it writes it as style="text-align:…") is therefore dropped.
_ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    **{heading: {"id"} for heading in _HEADINGS},
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "li": {"id", "class"},
    "ol": {"class", "start"},  # "3. Punkt" renders as <ol start="3">
    "sup": {"class"},
    "section": {"class"},
    "div": {"class"},
    "span": {"class"},
    "code": {"class"},  # language-… from fenced code blocks
    "abbr": {"title"},
}
_URL_SCHEMES = {"http", "https", "mailto", "tel"}
# Other unknown tags are unwrapped and their text kept; the body of these is code, not
# prose, and would only clutter the page.
_DROP_WITH_CONTENT = {"script", "style"}
_WHITESPACE_RE = re.compile(r"\s+")
# Control characters are invalid in HTML and no text needs them. nh3 keeps them, even
# decoded from "&#1;", and passes href="java\x01script:…" as a relative URL: browsers
# agree today, but older ones dropped such characters and saw "javascript:".
_CONTROL_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_URL_ATTRIBUTES = {"href", "src"}
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_IGNORED_IN_SCHEME_RE = re.compile(r"[\x00-\x20\x7f-\x9f]")


def _heading_id(title: str) -> str:
    return slugify(title) or HEADING_FALLBACK_ID


def _resolve_wikilinks(state: StateCore) -> None:
    """Fill in the wiki links that wikilinks_plugin left without href."""
    resolve: LinkResolver | None = state.env.get("resolve_link")
    for link_open, text in _wikilink_tokens(state.tokens):
        target: str = link_open.meta["wikilink"]
        label: str | None = link_open.meta["label"]
        found = resolve(target) if resolve is not None else None
        if found is not None:
            link_open.attrs = {"href": found.url, "class": "wikilink"}
            text.content = label or found.title or target
        else:
            link_open.attrs = {
                "href": MISSING_PAGE_URL.format(slug=target),
                "class": "wikilink wikilink-missing",
                "title": MISSING_PAGE_TITLE,
            }
            text.content = label or target


def _wikilink_tokens(tokens: list[Token]) -> Iterator[tuple[Token, Token]]:
    for token in tokens:
        children = token.children or []
        for index, child in enumerate(children):
            if child.type == "link_open" and "wikilink" in child.meta:
                yield child, children[index + 1]


def _build_parser() -> MarkdownIt:
    md = markdown_dialect().use(wikilinks_plugin).use(gender_star_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=_heading_id)
    # Pushed last: after footnote_tail (links in footnotes) and after the anchors, so heading
    # ids come from the link text as typed and stay stable when a linked page is renamed.
    md.core.ruler.push("wikilink_resolve", _resolve_wikilinks)
    return md


_MD = _build_parser()


def _parse(markdown: str, resolve_link: LinkResolver | None) -> tuple[list[Token], dict[str, Any]]:
    # One lookup per distinct slug and call: a page may link the same article many times
    # and the resolver usually asks the database.
    resolver = functools.cache(resolve_link) if resolve_link is not None else None
    env: dict[str, Any] = {"resolve_link": resolver}
    return _MD.parse(_CONTROL_CHARS_RE.sub("", markdown), env), env


def _sanitize(fragment: str) -> str:
    cleaned = nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=_ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # Removing characters from text nodes cannot create markup; it only drops the
    # control characters that entities such as "&#1;" decoded to.
    return _CONTROL_CHARS_RE.sub("", cleaned)


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Second look after nh3's scheme check, which lets "java\x01script:" through."""
    value = _CONTROL_CHARS_RE.sub("", value)
    if attribute in _URL_ATTRIBUTES and not _has_allowed_scheme(value):
        return None
    return value


def _has_allowed_scheme(url: str) -> bool:
    match = _SCHEME_RE.match(_IGNORED_IN_SCHEME_RE.sub("", url))
    return match is None or match.group(1).lower() in _URL_SCHEMES


def render(markdown: str, resolve_link: LinkResolver | None = None) -> str:
    """Render article Markdown to HTML that is safe to insert into a page unescaped.

    ``resolve_link(slug)`` returns where an existing page lives, or None for a page not
    written yet (those links lead to the editor and are marked ``wikilink-missing``).
    """
    tokens, env = _parse(markdown, resolve_link)
    return _sanitize(_MD.renderer.render(tokens, _MD.options, env))


def render_with_toc(
    markdown: str, resolve_link: LinkResolver | None = None
) -> tuple[str, list[tuple[int, str, str]]]:
    """``render`` plus the table of contents, from one parse (a page shows both): the
    (level, id, text) of the h2 and h3 headings, with the ids the HTML gives them."""
    tokens, env = _parse(markdown, resolve_link)
    return _sanitize(_MD.renderer.render(tokens, _MD.options, env)), _toc(tokens)


def _toc(tokens: list[Token]) -> list[tuple[int, str, str]]:
    return [
        (int(token.tag[1]), str(token.attrGet("id")), _inline_text(tokens[index + 1]))
        for index, token in enumerate(tokens)
        if token.type == "heading_open" and token.tag in ("h2", "h3")
    ]


def plain_text(markdown: str, resolve_link: LinkResolver | None = None) -> str:
    """The readable text without markup, one block a line (for snippets and search).

    The result is text, not HTML: escape it like any other text when displaying it.
    """
    tokens, _ = _parse(markdown, resolve_link)
    blocks = (_block_text(token) for token in tokens)
    return "\n".join(block for block in blocks if block)


def _block_text(token: Token) -> str:
    if token.type == "inline":
        return _inline_text(token)
    if token.type in ("fence", "code_block"):
        return token.content.strip("\n")
    if token.type == "html_block":
        return _html_text(token.content)
    return ""


def _inline_text(token: Token) -> str:
    parts: list[str] = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(_inline_text(child))  # the alt text
    return _WHITESPACE_RE.sub(" ", "".join(parts)).strip()


def _html_text(fragment: str) -> str:
    # nh3 with no allowed tags keeps only text (and drops script/style bodies).
    text = html.unescape(nh3.clean(fragment, tags=set(), clean_content_tags=_DROP_WITH_CONTENT))
    return _WHITESPACE_RE.sub(" ", text).strip()
