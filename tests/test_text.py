"""wissen.text: slugs, wiki links, Markdown rendering and its safety."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from wissen.text import (
    LinkTarget,
    find_wikilinks,
    is_valid_slug,
    plain_text,
    render,
    render_with_toc,
    rewrite_wikilinks,
    slugify,
)

HOSTILE_DIR = Path(__file__).parents[1].parent / "shared" / "testdata" / "hostile-strings"

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
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
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "background", "poster"}
SAFE_SCHEMES = {"http", "https", "mailto", "tel"}


def resolve(slug: str) -> LinkTarget | None:
    pages = {"buergerbus": LinkTarget("/artikel/buergerbus", "Bürgerbus im Amt")}
    return pages.get(slug)


# --- slugs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Bürgerbus Süderbrarup", "buergerbus-suederbrarup"),
        ("Weißwasser/O.L.", "weisswasser-o-l"),
        ("ÄRZTE, ÖFFNUNGSZEITEN & ÜBERSICHT", "aerzte-oeffnungszeiten-uebersicht"),
        ("STRASSE ẞ", "strasse-ss"),
        ("U\u0308bergang", "uebergang"),  # decomposed ü, as some Mac clipboards deliver it
        ("Crème brûlée in Saint-Étienne", "creme-brulee-in-saint-etienne"),
        ("  --Demografie 2030!--  ", "demografie-2030"),
        ("Mutter's Café", "mutters-cafe"),
        ("København", "kobenhavn"),
        ("", ""),
        ("!!! ??? ---", ""),
        ("日本語", ""),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


def test_slugify_cuts_on_a_word_boundary() -> None:
    assert slugify("Ehrenamt gewinnen im ländlichen Raum", max_length=20) == "ehrenamt-gewinnen-im"
    assert slugify("Ehrenamt gewinnen im ländlichen Raum", max_length=19) == "ehrenamt-gewinnen"
    assert slugify("Donaudampfschifffahrt", max_length=5) == "donau"
    assert len(slugify("wort " * 100)) <= 80


@pytest.mark.parametrize("slug", ["a", "buergerbus", "2030-ziele", "a-b-c", "x" * 120])
def test_valid_slugs(slug: str) -> None:
    assert is_valid_slug(slug)


@pytest.mark.parametrize(
    "slug", ["", "A", "a--b", "-a", "a-", "a b", "ä", "a_b", "a\n", "x" * 121, "a/b"]
)
def test_invalid_slugs(slug: str) -> None:
    assert not is_valid_slug(slug)


# --- wiki links ------------------------------------------------------------------------


def test_find_wikilinks_in_order_without_duplicates_or_code() -> None:
    source = (
        "Siehe [[buergerbus]] und [[ ehrenamt | Ehrenamt ]] sowie [[buergerbus|nochmal]].\n\n"
        "Nicht: `[[im-code]]`, \\[[escaped]], [[Kein Slug]], [[a--b]].\n\n"
        "```\n[[im-block]]\n```\n\n"
        "    [[eingerueckt]]\n\n"
        "> Zitat mit [[zitat]]\n\n"
        "| Spalte |\n|---|\n| [[tabelle\\|Tabelle]] |\n"
    )
    assert find_wikilinks(source) == ["buergerbus", "ehrenamt", "zitat", "tabelle"]


def test_find_wikilinks_survives_odd_input() -> None:
    assert find_wikilinks("") == []
    assert find_wikilinks("[[") == []
    assert find_wikilinks("[[" + "a" * 100_000) == []
    assert find_wikilinks("`` [[x]] `") == ["x"]  # unmatched backticks are literal
    assert find_wikilinks("a\r\n\r\n[[x]]\r\n") == ["x"]


def test_rewrite_wikilinks_keeps_labels_and_code() -> None:
    source = "[[alt]] [[ alt |Alter Name]] [[alter-rest]] `[[alt]]`\n\n| [[alt\\|Z]] |\n|--|\n"
    assert rewrite_wikilinks(source, "alt", "neu") == (
        "[[neu]] [[ neu |Alter Name]] [[alter-rest]] `[[alt]]`\n\n| [[neu\\|Z]] |\n|--|\n"
    )


def test_rewrite_wikilinks_rejects_invalid_new_slug() -> None:
    with pytest.raises(ValueError):
        rewrite_wikilinks("[[alt]]", "alt", "Neuer Name")


def test_found_links_are_the_rendered_links() -> None:
    source = (
        "[[buergerbus]] `[[code]]` [[fehlt|Fehlt]]\n\n- [[liste]]\n\n[^1]\n\n[^1]: [[fussnote]]"
    )
    rendered = re.findall(r'class="wikilink[^"]*"', render(source))
    assert len(rendered) == len(find_wikilinks(source)) == 4


# --- rendering ---------------------------------------------------------------------------


def test_wikilink_resolved_uses_title_or_label() -> None:
    html = render("[[buergerbus]] und [[buergerbus|Der Bus]]", resolve)
    assert '<a href="/artikel/buergerbus" class="wikilink"' in html
    assert ">Bürgerbus im Amt</a>" in html
    assert ">Der Bus</a>" in html


def test_wikilink_missing_points_to_editor() -> None:
    html = render("[[noch-nicht|Neue Seite]] [[leer]]", resolve)
    assert 'href="/artikel/neu?slug=noch-nicht"' in html
    assert 'class="wikilink wikilink-missing"' in html
    assert 'title="Seite existiert noch nicht"' in html
    assert ">Neue Seite</a>" in html and ">leer</a>" in html


def test_wikilinks_without_resolver_are_missing() -> None:
    assert "wikilink-missing" in render("[[buergerbus]]")


def test_resolver_asked_once_per_slug() -> None:
    asked: list[str] = []

    def counting(slug: str) -> LinkTarget | None:
        asked.append(slug)
        return None

    render("[[a]] [[a]] [[b]] [[a|x]]", counting)
    assert asked == ["a", "b"]


def test_wikilink_not_converted_in_code() -> None:
    html = render("`[[buergerbus]]`\n\n```\n[[buergerbus]]\n```", resolve)
    assert "<code>[[buergerbus]]</code>" in html
    assert "<a" not in html


def test_wikilink_inside_a_link_does_not_nest_anchors() -> None:
    # CommonMark: a link may not contain a link, so the inner one wins.
    html = render("[Mehr zu [[buergerbus]]](https://example.org)", resolve)
    assert html.count("<a ") == 1
    assert 'href="/artikel/buergerbus"' in html


def test_invalid_target_stays_text() -> None:
    assert render("[[Kein Slug]]") == "<p>[[Kein Slug]]</p>\n"


def test_table_renders() -> None:
    html = render("| Landkreis | Einwohner |\n|---|--:|\n| Görlitz | 250000 |\n")
    assert "<table>" in html and "<th>Landkreis</th>" in html and "<td>Görlitz</td>" in html
    assert "style" not in html  # column alignment is dropped with the style attribute


def test_strikethrough_renders() -> None:
    assert "<s>alt</s>" in render("~~alt~~")


def test_footnotes_render() -> None:
    html = render("Quelle[^1].\n\n[^1]: Statistisches Landesamt.")
    assert '<sup class="footnote-ref"><a href="#fn1" id="fnref1"' in html
    assert '<section class="footnotes">' in html
    assert '<li id="fn1" class="footnote-item">' in html
    assert "Statistisches Landesamt." in html


def test_heading_ids_are_german_slugs_and_unique() -> None:
    html = render("# Überblick\n\n## Förderung\n\n## Förderung\n\n### !!!")
    assert '<h1 id="ueberblick">' in html
    assert '<h2 id="foerderung">' in html and '<h2 id="foerderung-1">' in html
    assert '<h3 id="abschnitt">' in html


def test_toc_matches_rendered_ids() -> None:
    source = "# Titel\n\n## Ziele & Wege\n\n### `Code` im Titel\n\n#### zu tief\n\n## Ziele & Wege"
    toc = render_with_toc(source)[1]
    assert toc == [
        (2, "ziele-wege", "Ziele & Wege"),
        (3, "code-im-titel", "Code im Titel"),
        (2, "ziele-wege-1", "Ziele & Wege"),
    ]
    html = render(source)
    for _level, anchor, _text in toc:
        assert f'id="{anchor}"' in html


def test_page_and_toc_come_from_one_parse() -> None:
    source = "# Titel\n\n## Über [[buergerbus]]\n\nText mit [[fehlt-noch]].\n\n### Ziele & Wege"
    html, toc = render_with_toc(source, resolve)
    assert html == render(source, resolve)
    assert [anchor for _level, anchor, _text in toc] == ["ueber-buergerbus", "ziele-wege"]


def test_heading_id_does_not_depend_on_resolved_title() -> None:
    source = "## Über [[buergerbus]]"
    assert render_with_toc(source, resolve)[1] == [(2, "ueber-buergerbus", "Über Bürgerbus im Amt")]
    assert 'id="ueber-buergerbus"' in render(source, resolve)


def test_plain_text() -> None:
    source = (
        "# Titel\n\nEin **fetter** [Link](https://example.org) und [[buergerbus|Bus]].\n\n"
        "![Karte](karte.png)\n\n<div>roh &amp; <script>alert(1)</script>fertig</div>\n"
    )
    assert plain_text(source) == "Titel\nEin fetter Link und Bus.\nKarte\nroh & fertig"


def test_links_get_rel_and_ordered_lists_keep_start() -> None:
    html = render("[x](https://example.org)\n\n3. drei\n4. vier")
    assert 'rel="noopener noreferrer"' in html
    assert '<ol start="3">' in html


# --- safety ------------------------------------------------------------------------------


class _MarkupCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, attrs))


def _scheme(url: str) -> str | None:
    # Browsers ignore ASCII whitespace and control characters inside a scheme.
    squashed = re.sub(r"[\x00-\x20]", "", url).lower()
    match = re.match(r"([a-z][a-z0-9+.\-]*):", squashed)
    return match.group(1) if match else None


def assert_no_executable_markup(html: str) -> None:
    assert "<script" not in html.lower()
    collector = _MarkupCollector()
    collector.feed(html)
    collector.close()
    for tag, attrs in collector.elements:
        assert tag in ALLOWED_TAGS, f"tag <{tag}> in {html!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"{name}= in {html!r}"
            assert name != "style", f"style= in {html!r}"
            if name in URL_ATTRIBUTES and value is not None:
                scheme = _scheme(value)
                assert scheme is None or scheme in SAFE_SCHEMES, f"{name}={value!r}"


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="x" oNeRrOr="alert(1)">',
    "<body onload=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">x</a>',
    '<a href="java&#09;script:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#0000106avascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
    '<img src="data:text/html;base64,PHNjcmlwdD4=">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "<style>body{display:none}</style>",
    '<p style="position:fixed;top:0">x</p>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="javascript:alert(1)"><input type=submit formaction=javascript:alert(1)></form>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    "<table background=javascript:alert(1)><td>x</td></table>",
    '<a href="/ok" onclick="alert(1)" onmouseover="alert(1)">x</a>',
    "<!--<script>alert(1)</script>-->",
    "<img src=x:alert(alt) onerror=eval(src) alt=0>",
    "<<script>alert(1);//<</script>",
    "<sc<script>ript>alert(1)</sc</script>ript>",
    '"><script>alert(1)</script>',
    "`<script>`\n\n<scr\nipt>alert(1)</script>",
    "[[buergerbus|<script>alert(1)</script>]]",
    '[[buergerbus|" onmouseover="alert(1)]]',
    "## <img src=x onerror=alert(1)>\n\n## [x](javascript:alert(1))",
    "[^1]\n\n[^1]: <img src=x onerror=alert(1)> [x](javascript:alert(1))",
    "| <script>alert(1)</script> |\n|---|\n| <img src=x onerror=alert(1)> |",
]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_render_removes_executable_markup(payload: str) -> None:
    assert_no_executable_markup(render(payload, resolve))


def test_control_characters_cannot_hide_a_scheme() -> None:
    html = render(
        '<a href="java\x01script:alert(1)">x</a> [y](java\x0bscript:alert(1))'
        " <a href=java&#1&#2&#11&#12script:alert(1)>z</a> &#1;"
    )
    assert "href" not in html
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", html)
    assert_no_executable_markup(html)


def test_resolver_urls_are_sanitised_too() -> None:
    html = render("[[boese]]", lambda slug: LinkTarget("javascript:alert(1)", "x"))
    assert_no_executable_markup(html)


def test_harmless_text_survives_sanitising() -> None:
    html = render("Kosten < 5 € & > 3 €; <b>fett</b> <em>ok</em>")
    assert html == "<p>Kosten &lt; 5 € &amp; &gt; 3 €; fett <em>ok</em></p>\n"


def _hostile_lines() -> list[str]:
    if not HOSTILE_DIR.is_dir():
        pytest.skip(f"no hostile strings at {HOSTILE_DIR}")
    lines: list[str] = json.loads((HOSTILE_DIR / "blns.json").read_text(encoding="utf-8"))
    lines += (HOSTILE_DIR / "wfuzz-XSS.txt").read_text(encoding="utf-8").splitlines()
    return lines


def test_hostile_strings_render_safely() -> None:
    lines = _hostile_lines()
    for line in lines:
        assert_no_executable_markup(render(line, resolve))
        plain_text(line)
        render_with_toc(line)
        find_wikilinks(line)
    assert_no_executable_markup(render("\n".join(lines), resolve))
    assert_no_executable_markup(render("\n\n".join(lines), resolve))


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "Entscheidungsträger*innen und Multiplikator*innen",
            "<p>Entscheidungsträger*innen und Multiplikator*innen</p>",
        ),
        ("Lots*innen und *betont*", "<p>Lots*innen und <em>betont</em></p>"),
        ("Jede*r Bürger*in", "<p>Jede*r Bürger*in</p>"),
        ("**fett** bleibt fett", "<p><strong>fett</strong> bleibt fett</p>"),
    ],
)
def test_gender_stars_stay_text(source: str, expected: str) -> None:
    assert render(source).strip() == expected
