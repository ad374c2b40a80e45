"""Browsing by theme and region: the transfer matrix and searches by facets alone."""

from __future__ import annotations

import re
from html import unescape

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

from .conftest import EVAL_DEV, login

pytestmark = pytest.mark.skipif(not EVAL_DEV.is_dir(), reason="../shared/eval-dev fehlt")

CELL = re.compile(
    r'<a href="(/suche\?theme=([\w-]+)&amp;region=([\w-]+))" aria-label="[^"]*">(\d+)</a>'
)


def matrix_cells(client: FlaskClient) -> dict[tuple[str, str], tuple[int, str]]:
    page = client.get("/transfermatrix")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return {
        (theme, region): (int(count), unescape(url))
        for url, theme, region, count in CELL.findall(html)
    }


def visible_in_database(theme: Theme, region: Region, signed_in: bool) -> int:
    """Articles, documents and contacts on ``theme`` in ``region`` as the search shows them."""
    articles = db.session.scalars(
        select(Article).where(
            Article.region_id == region.id,
            Article.themes.any(Theme.id == theme.id),
            Article.deleted_at.is_(None),
            Article.status != ArticleStatus.DRAFT,
            Article.current_revision_id.is_not(None),
        )
    ).all()
    documents = db.session.scalars(
        select(Document).where(
            Document.region_id == region.id,
            Document.themes.any(Theme.id == theme.id),
            Document.deleted_at.is_(None),
        )
    ).all()
    contacts = select(Contact).where(
        Contact.region_id == region.id, Contact.themes.any(Theme.id == theme.id)
    )
    if not signed_in:
        contacts = contacts.where(Contact.visibility == ContactVisibility.PUBLIC)
    return len(articles) + len(documents) + len(db.session.scalars(contacts).all())


def test_matrix_counts_match_the_database(indexed: Flask) -> None:
    cells = matrix_cells(indexed.test_client())
    assert len(cells) >= 5  # eval-dev has content in several themes and regions
    with indexed.app_context():
        themes = db.session.scalars(select(Theme)).all()
        regions = db.session.scalars(select(Region)).all()
        for theme in themes:
            for region in regions:
                expected = visible_in_database(theme, region, signed_in=False)
                shown = cells.get((theme.slug, region.slug), (0, ""))[0]
                assert shown == expected, (theme.slug, region.slug)


def test_every_cell_links_to_a_search_with_exactly_that_many_results(indexed: Flask) -> None:
    client = indexed.test_client()
    for (theme, region), (count, url) in matrix_cells(client).items():
        query = url.split("?", 1)[1]
        answer = client.get(f"/api/v1/search?{query}").get_json()
        assert answer["total"] == count, (theme, region)
        assert all(h["type"] in {"article", "document", "contact"} for h in answer["hits"])
        page = client.get(url).get_data(as_text=True)
        assert f"{count} Treffer" in page


def test_internal_contacts_count_only_for_signed_in_users(indexed: Flask) -> None:
    from wissen.services import indexing

    with indexed.app_context():
        contact = db.session.scalars(select(Contact).where(Contact.region_id.is_not(None))).first()
        assert contact is not None and contact.themes
        key = (contact.themes[0].slug, contact.region.slug)
        contact.visibility = ContactVisibility.INTERNAL
        indexing.record_change(db.session, contact)
        db.session.commit()
        expected = visible_in_database(contact.themes[0], contact.region, signed_in=False)
    anonymous = matrix_cells(indexed.test_client())
    client = indexed.test_client()
    login(client, "leser@example.org")
    signed_in = matrix_cells(client)
    assert anonymous.get(key, (0, ""))[0] == expected
    assert signed_in[key][0] == expected + 1


def test_matrix_is_an_accessible_table(indexed: Flask) -> None:
    html = indexed.test_client().get("/transfermatrix").get_data(as_text=True)
    assert "<caption" in html and 'scope="col"' in html and 'scope="row"' in html
    assert "keine Einträge" in html  # empty cells say so to screen readers
    assert 'style="' not in html  # shading by classes: no inline styles


def test_a_search_by_facets_alone_lists_everything_on_them(indexed: Flask) -> None:
    client = indexed.test_client()
    with indexed.app_context():
        theme = db.session.scalars(select(Theme).order_by(Theme.position)).first()
        assert theme is not None
        slug = theme.slug
    answer = client.get(f"/api/v1/search?theme={slug}&per_page=50").get_json()
    assert answer["total"] > 0
    counted = {f["value"]: f["count"] for f in answer["facets"]["theme"]}
    assert counted[slug] == answer["total"]  # every hit is on the chosen theme
    combined = client.get(f"/api/v1/search?theme={slug}&type=document").get_json()
    assert 0 < combined["total"] <= answer["total"]
    assert {h["type"] for h in combined["hits"]} == {"document"}


def test_matrix_waits_for_a_missing_index(indexed: Flask, tmp_path) -> None:
    import shutil

    from wissen.services import search

    shutil.rmtree(indexed.config["INDEX_DIR"])
    search._indexes.clear()
    page = indexed.test_client().get("/transfermatrix")
    assert page.status_code == 200  # rebuilt at once in tests, or a notice: never a crash
    html = page.get_data(as_text=True)
    assert "Transfermatrix" in html


# --- theme pages and region profiles ------------------------------------------------------

COUNT = re.compile(r'<p role="status" class="such-anzahl">(\d+) Eintr')
CHOICE = re.compile(
    r'href="/themen/[\w-]+\?region=([\w-]+)"[^>]*>[^<]+<span class="anzahl">\((\d+)\)'
)


def on_theme(theme: Theme, region: Region | None = None) -> int:
    """Listed articles, documents and public contacts on ``theme`` (in ``region``)."""

    def where_region(model):
        return [model.region_id == region.id] if region is not None else []

    articles = db.session.scalars(
        select(Article).where(
            Article.themes.any(Theme.id == theme.id),
            Article.deleted_at.is_(None),
            Article.status != ArticleStatus.DRAFT,
            *where_region(Article),
        )
    ).all()
    documents = db.session.scalars(
        select(Document).where(
            Document.themes.any(Theme.id == theme.id),
            Document.deleted_at.is_(None),
            *where_region(Document),
        )
    ).all()
    people = db.session.scalars(
        select(Contact).where(
            Contact.themes.any(Theme.id == theme.id),
            Contact.visibility == ContactVisibility.PUBLIC,
            *where_region(Contact),
        )
    ).all()
    return len(articles) + len(documents) + len(people)


def test_theme_pages_count_what_the_database_holds(indexed: Flask) -> None:
    client = indexed.test_client()
    with indexed.app_context():
        themes = db.session.scalars(select(Theme)).all()
        regions = {r.slug: r for r in db.session.scalars(select(Region))}
        checked = 0
        for theme in themes:
            page = client.get(f"/themen/{theme.slug}").get_data(as_text=True)
            assert int(COUNT.search(page).group(1)) == on_theme(theme), theme.slug
            for region_slug, count in CHOICE.findall(page):
                assert int(count) == on_theme(theme, regions[region_slug]), region_slug
                narrowed = client.get(f"/themen/{theme.slug}?region={region_slug}")
                assert int(COUNT.search(narrowed.get_data(as_text=True)).group(1)) == int(count)
                checked += 1
        assert checked >= 5


def test_a_theme_page_narrows_by_kind(indexed: Flask) -> None:
    client = indexed.test_client()
    page = client.get("/themen/ehrenamt?art=praesentation").get_data(as_text=True)
    assert '<h2 id="beitraege">Beiträge <span class="anzahl">(0)' in page
    assert 'aria-current="true">Präsentation' in page


def test_region_profiles_show_everything_from_the_region(indexed: Flask) -> None:
    client = indexed.test_client()
    page = client.get("/regionen/pirmasens").get_data(as_text=True)
    with indexed.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "pirmasens"))
        listed = db.session.scalars(
            select(Article).where(
                Article.region_id == region.id,
                Article.deleted_at.is_(None),
                Article.status != ArticleStatus.DRAFT,
            )
        ).all()
        events = [a for a in listed if a.kind.value == "veranstaltung"]
        people = db.session.scalars(select(Contact).where(Contact.region_id == region.id)).all()
        themes = {t.slug for a in listed for t in a.themes}
    assert f'Beiträge <span class="anzahl">({len(listed) - len(events)})' in page
    assert f'Seminare <span class="anzahl">({len(events)})' in page
    assert f'Kontakte <span class="anzahl">({len(people)})' in page
    for slug in themes:
        assert f"/suche?theme={slug}&amp;region=pirmasens" in page


def test_each_kind_is_offered_once(indexed: Flask) -> None:
    page = indexed.test_client().get("/themen/ehrenamt").get_data(as_text=True)
    kinds = re.findall(r'href="/themen/ehrenamt\?art=([\w-]+)"', page)
    assert kinds and len(kinds) == len(set(kinds))
