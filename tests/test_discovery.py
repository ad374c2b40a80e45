"""Feeds, OpenSearch, sitemap — and that an anonymous visitor finds no personal data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import deque
from datetime import datetime
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wissen.extensions import db
from wissen.models import (
    Article,
    ArticleStatus,
    Contact,
    ContactVisibility,
    Document,
    Region,
    Theme,
)
from wissen.services import indexing

from .conftest import EVAL_DEV

pytestmark = pytest.mark.skipif(not EVAL_DEV.is_dir(), reason="../shared/eval-dev fehlt")
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


def atom(client: FlaskClient, url: str) -> ET.Element:
    answer = client.get(url)
    assert answer.status_code == 200, url
    assert answer.mimetype == "application/atom+xml"
    feed = ET.fromstring(answer.get_data())
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    _timestamp(feed.findtext(f"{ATOM}updated"))
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "link"):
            assert entry.find(f"{ATOM}{name}") is not None, name
        _timestamp(entry.findtext(f"{ATOM}updated"))
    return feed


def _timestamp(text: str | None) -> None:
    """RFC 3339 with a time zone, as Atom requires."""
    assert text and re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)", text)
    assert datetime.fromisoformat(text).tzinfo is not None


def entry_titles(feed: ET.Element) -> set[str]:
    return {e.findtext(f"{ATOM}title") or "" for e in feed.findall(f"{ATOM}entry")}


def test_the_feeds_are_atom_and_list_public_content(indexed: Flask) -> None:
    client = indexed.test_client()
    with indexed.app_context():
        article = db.session.scalars(select(Article).where(Article.region_id.is_not(None))).first()
        assert article is not None and article.themes
        theme, region = article.themes[0], article.region
        article.status = ArticleStatus.DRAFT  # a draft must not appear anywhere
        db.session.commit()
        draft = article.title
        on_theme = {
            a.title
            for a in db.session.scalars(select(Article).where(Article.themes.any(id=theme.id)))
            if a.status is not ArticleStatus.DRAFT
        }
        theme_slug, region_slug = theme.slug, region.slug
    everything = atom(client, "/feeds/neu.atom")
    assert len(entry_titles(everything)) >= 10
    assert draft not in entry_titles(everything)
    by_theme = atom(client, f"/feeds/thema/{theme_slug}.atom")
    article_titles = {
        e.findtext(f"{ATOM}title")
        for e in by_theme.findall(f"{ATOM}entry")
        if "/artikel/" in (e.find(f"{ATOM}link").get("href") or "")
    }
    assert article_titles and article_titles <= on_theme
    by_region = atom(client, f"/feeds/region/{region_slug}.atom")
    assert draft not in entry_titles(by_region)
    assert client.get("/feeds/thema/gibt-es-nicht.atom").status_code == 404


def test_theme_and_region_pages_link_their_feeds(indexed: Flask) -> None:
    client = indexed.test_client()
    with indexed.app_context():
        theme = db.session.scalars(select(Theme)).first()
        region = db.session.scalars(select(Region)).first()
        assert theme is not None and region is not None
        theme_slug, region_slug = theme.slug, region.slug
    page = client.get(f"/themen/{theme_slug}").get_data(as_text=True)
    assert 'type="application/atom+xml" title="Neues zum Thema' in page
    assert f"/feeds/thema/{theme_slug}.atom" in page
    assert f"/feeds/region/{region_slug}.atom" in client.get(f"/regionen/{region_slug}").get_data(
        as_text=True
    )


def test_browsers_are_offered_wissen_as_a_search_engine(indexed: Flask) -> None:
    client = indexed.test_client()
    start = client.get("/").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in start
    answer = client.get("/opensearch.xml")
    assert answer.mimetype == "application/opensearchdescription+xml"
    description = ET.fromstring(answer.get_data())
    urls = {u.get("type"): u.get("template") for u in description.iter(f"{OPENSEARCH}Url")}
    assert urls["text/html"].endswith("/suche?q={searchTerms}")
    suggestions = urls["application/x-suggestions+json"].replace("{searchTerms}", "dorf")
    answer = client.get(urlsplit(suggestions)._replace(scheme="", netloc="").geturl())
    first, completions = answer.get_json()
    assert first == "dorf" and completions and all(isinstance(c, str) for c in completions)


def test_the_sitemap_lists_public_pages_only(indexed: Flask) -> None:
    client = indexed.test_client()
    with indexed.app_context():
        draft = db.session.scalars(select(Article)).first()
        assert draft is not None
        draft.status = ArticleStatus.DRAFT
        indexing.record_change(db.session, draft)
        db.session.commit()
        draft_slug = draft.slug
        published = db.session.scalars(
            select(Article.slug).where(Article.status == ArticleStatus.PUBLISHED)
        ).all()
    answer = client.get("/sitemap.xml")
    assert answer.status_code == 200
    locations = [
        urlsplit(loc.text or "").path
        for loc in ET.fromstring(answer.get_data()).iter(f"{SITEMAP}loc")
    ]
    assert {f"/artikel/{slug}" for slug in published} <= set(locations)
    assert f"/artikel/{draft_slug}" not in locations
    assert "/transfermatrix" in locations
    for path in locations:
        assert client.get(path).status_code == 200, path
    robots = client.get("/robots.txt").get_data(as_text=True)
    assert "Sitemap: http" in robots and "Disallow: /-/" in robots


# --- an anonymous visitor walks everything ----------------------------------------------

# Downloads are the uploaded files themselves, not pages; static files hold no data.
SKIP = re.compile(r"/(datei|vorschau\.png)$|/fruehere/|^/static/|\.(png|jpg|pdf)$")


def walk(client: FlaskClient, starts: list[str], limit: int = 600) -> dict[str, str]:
    """Every page reachable by links from ``starts`` (same site, GET only)."""
    seen: dict[str, str] = {}
    queue = deque(starts)
    while queue and len(seen) < limit:
        path = queue.popleft()
        if path in seen or SKIP.search(urlsplit(path).path):
            continue
        answer = client.get(path)
        assert answer.status_code < 500, path
        text = answer.get_data(as_text=True)
        answer.close()
        seen[path] = text
        if answer.mimetype == "text/html":
            for href in re.findall(r'href="([^"#]+)', text):
                href = unescape(href)
                if href.startswith("/") and not href.startswith("//"):
                    queue.append(href)
        elif "xml" in answer.mimetype:
            for url in re.findall(r"(?:href=\"|<loc>)(https?://[^\"<]+)", text):
                queue.append(urlsplit(unescape(url))._replace(scheme="", netloc="").geturl())
    return seen


def test_an_anonymous_visitor_sees_no_contact_details_anywhere(indexed: Flask) -> None:
    with indexed.app_context():
        contacts = db.session.scalars(select(Contact)).all()
        hidden = contacts[0]
        hidden.visibility = ContactVisibility.INTERNAL
        indexing.record_change(db.session, hidden)
        db.session.commit()
        secrets = {c.email for c in contacts if c.email} | {c.phone for c in contacts if c.phone}
        # A slide deck a region published may print an address itself: that is the
        # document's own public text, shown in its snippets — not a leak of the record.
        published = " ".join(p.text for d in db.session.scalars(select(Document)) for p in d.pages)
        secrets = {s for s in secrets if s not in published}
        internal_name = hidden.name
        searches = [f"/api/v1/search?q={c.name.split()[-1]}" for c in contacts]
    assert secrets
    client = indexed.test_client()
    starts = [
        "/",
        "/sitemap.xml",
        "/feeds/neu.atom",
        "/feeds/aenderungen.atom",
        "/kontakte",
        "/transfermatrix",
        "/suche?q=kontakt",
        "/suche?q=ansprechpartner",
        "/suche?type=contact",
        "/suche/vorschlaege?q=" + internal_name[:4],
        *searches,
    ]
    pages = walk(client, starts)
    assert len(pages) > 60
    for path, text in pages.items():
        for secret in secrets:
            assert secret not in text, (path, secret)
        assert internal_name not in text, path
