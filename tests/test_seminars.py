"""Seminars: date and place, talks, slide decks and speakers; the list, newest first."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from wissen.extensions import db
from wissen.models import Article, User
from wissen.services import editing
from wissen.services.editing import ArticleInput

from .conftest import login, make_user
from .test_documents import PDFS, upload

SEMINAR = "seminar-aktivierung-lokaler-dynamiken"


def test_the_starter_seminar_lists_its_talks_and_speakers(starter: Flask) -> None:
    page = starter.test_client().get(f"/artikel/{SEMINAR}").get_data(as_text=True)
    assert 'id="programm"' in page
    programme = page.split('id="programm"', 1)[1]
    assert "/artikel/zwk-beirat-bremerhaven" in programme
    assert "/artikel/leuchtturm-strategie-ludwigslust-parchim" in programme
    assert "Referentinnen und Referenten" in programme
    assert "/kontakte/kemink-paula" in programme and "/kontakte/eulitz-heike" in programme
    listing = starter.test_client().get("/seminare").get_data(as_text=True)
    assert f"/artikel/{SEMINAR}" in listing and "2 Vorträge" in listing
    assert "/artikel/zwk-beirat-bremerhaven" not in listing  # talks are not seminars


def test_date_and_place_are_kept_and_shown(starter: Flask) -> None:
    with starter.app_context():
        make_user("admin@example.org", "admin")
    client = starter.test_client()
    login(client, "admin@example.org")
    editor_url = f"/artikel/{SEMINAR}/bearbeiten"
    form = client.get(editor_url).get_data(as_text=True)
    assert 'name="place"' in form
    with starter.app_context():
        article = db.session.scalar(select(Article).where(Article.slug == SEMINAR))
        data = ArticleInput(
            title=article.title,
            kind="veranstaltung",
            themes=[t.slug for t in article.themes],
            contacts=[c.slug for c in article.contacts],
            summary=article.summary,
            date="2024-05-14",
            place="Berlin, Tagungszentrum „Alte Münze“",
            body=article.body,
        )
        admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        editing.save_article(
            db.session,
            article,
            data,
            base_revision=article.current_revision.number,
            user=admin,
            base_version=article.edit_version,
        )
    page = client.get(f"/artikel/{SEMINAR}").get_data(as_text=True)
    assert "Berlin, Tagungszentrum „Alte Münze“" in page and "14.05.2024" in page
    with starter.app_context():
        checked = editing.check(
            db.session, ArticleInput(title="T", kind="veranstaltung", place="x" * 201)
        )
        assert checked.errors["place"] == ["Der Ort darf höchstens 200 Zeichen lang sein."]


def test_seminars_are_listed_newest_first(starter: Flask) -> None:
    with starter.app_context():
        make_user("admin@example.org", "admin")
        admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
        for title, day in (
            ("Frühjahrsseminar 2021", "2021-03-01"),
            ("Herbstseminar 2025", "2025-10-01"),
        ):
            editing.create_article(
                db.session,
                ArticleInput(title=title, kind="veranstaltung", date=day, body="Programm folgt."),
                admin,
                publish=True,
            )
    listing = starter.test_client().get("/seminare").get_data(as_text=True)
    assert listing.index("Herbstseminar 2025") < listing.index("Frühjahrsseminar 2021")


@pytest.mark.skipif(not PDFS, reason="../shared/eval-dev fehlt")
def test_a_deck_attached_to_a_talk_appears_with_its_speaker(starter: Flask) -> None:
    with starter.app_context():
        make_user("admin@example.org", "admin")
    client = starter.test_client()
    login(client, "admin@example.org")
    answer = upload(
        client,
        [(PDFS[0].read_bytes(), PDFS[0].name)],
        title="Folien ZWK-Beirat",
        articles=["zwk-beirat-bremerhaven"],
        contacts=["eulitz-heike"],
    )
    assert answer.status_code in (200, 302, 303)
    page = client.get(f"/artikel/{SEMINAR}").get_data(as_text=True)
    programme = page.split('id="programm"', 1)[1]
    assert "Folien und Unterlagen" in programme and "/dokumente/" in programme


def test_the_start_page_serves_searchers_browsers_and_callers(starter: Flask) -> None:
    page = starter.test_client().get("/").get_data(as_text=True)
    assert 'role="search"' in page
    assert "/transfermatrix" in page and "/kontakte" in page
    newest = page.split('id="neueste"', 1)[1].split("</section>", 1)[0]
    assert "/artikel/zwk-beirat-bremerhaven" in newest
    assert f"/artikel/{SEMINAR}" not in newest  # seminars are listed on their own
    seminars = page.split('id="seminare"', 1)[1].split("</section>", 1)[0]
    assert f"/artikel/{SEMINAR}" in seminars and "2 Vorträge" in seminars
    themes = page.split('id="themen"', 1)[1].split("</section>", 1)[0]
    assert "/themen/beteiligung" in themes and "Beitr" in themes
