"""The pages a visitor sees: layout, German errors, health, JSON API, contact privacy."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from wissen.extensions import db
from wissen.models import Article, Contact, Document

from .conftest import login, make_app, make_user

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")

PAGES = [
    "/",
    "/themen",
    "/themen/ehrenamt",
    "/regionen",
    "/regionen/bremerhaven",
    "/artikel/zwk-beirat-bremerhaven",
    "/artikel/seminar-aktivierung-lokaler-dynamiken",
    "/kontakte",
    "/kontakte/eulitz-heike",
    "/dokumente",
    "/suche?q=Beirat",
    "/-/anmelden",
]


def test_start_page_shows_the_seminar_and_its_talks(starter: Flask, client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "Strategien und Wege zur Aktivierung lokaler Dynamiken" in html
    assert "ZWK-Beirat in Bremerhaven" in html
    assert "Leuchtturm-Strategie" in html
    assert 'href="/themen/ehrenamt"' in html


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_german_and_has_the_landmarks(
    starter: Flask, client: FlaskClient, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="de">' in html
    assert 'href="#inhalt"' in html and 'id="inhalt"' in html
    assert "<header" in html and "<footer" in html and 'aria-label="Hauptnavigation"' in html
    assert 'role="search"' in html
    assert "<h1" in html
    # All assets come from wissen itself.
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="http', 'hrefx="')), url


def test_article_page_renders_markdown_and_wiki_links(starter: Flask, client: FlaskClient) -> None:
    html = client.get("/artikel/seminar-aktivierung-lokaler-dynamiken").get_data(as_text=True)
    assert '<h2 id="vortraege"' in html or "<h2" in html
    assert 'href="/artikel/zwk-beirat-bremerhaven"' in html
    assert 'href="/artikel/leuchtturm-strategie-ludwigslust-parchim"' in html
    talk = client.get("/artikel/zwk-beirat-bremerhaven").get_data(as_text=True)
    assert "Verweise auf diese Seite" in talk
    assert "Heike Eulitz" in talk


def test_theme_page_lists_its_articles(starter: Flask, client: FlaskClient) -> None:
    html = client.get("/themen/ehrenamt").get_data(as_text=True)
    assert "Leuchtturm-Strategie" in html
    assert 'Beiträge <span class="anzahl">(2)</span>' in html


def test_anonymous_visitors_never_see_email_or_phone(eval_dev: Flask, client: FlaskClient) -> None:
    contacts = db.session.query(Contact).all()
    phones = [c.phone for c in contacts if c.phone]
    assert phones, "eval-dev hat Telefonnummern"
    urls = [*PAGES, "/regionen/pirmasens", "/themen/pflege"]
    urls += [f"/kontakte/{c.slug}" for c in contacts]
    urls += [f"/api/v1/contacts/{c.slug}" for c in contacts]
    urls += ["/api/v1/articles/buergerbus-suederbrarup", "/artikel/buergerbus-suederbrarup"]
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert not EMAIL.search(body), url
        assert not any(p in body for p in phones), url


def test_signed_in_readers_see_contact_details(eval_dev: Flask, client: FlaskClient) -> None:
    make_user("leserin@example.de", "leser")
    login(client, "leserin@example.de")
    contact = db.session.query(Contact).filter(Contact.phone != "").first()
    assert contact is not None
    html = client.get(f"/kontakte/{contact.slug}").get_data(as_text=True)
    assert f'href="mailto:{contact.email}"' in html
    assert contact.phone in html
    data = client.get(f"/api/v1/contacts/{contact.slug}").get_json()
    assert data["email"] == contact.email


def test_internal_contacts_do_not_exist_for_anonymous(starter: Flask, client: FlaskClient) -> None:
    from wissen.models import ContactVisibility

    contact = db.session.query(Contact).filter_by(slug="kemink-paula").one()
    contact.visibility = ContactVisibility.INTERNAL
    db.session.commit()
    assert client.get("/kontakte/kemink-paula").status_code == 404
    assert client.get("/api/v1/contacts/kemink-paula").status_code == 404
    assert "Paula Kemink" not in client.get("/kontakte").get_data(as_text=True)
    make_user("leser@example.de", "leser")
    login(client, "leser@example.de")
    assert client.get("/kontakte/kemink-paula").status_code == 200


@pytest.mark.parametrize(
    ("url", "code", "title"),
    [("/gibt-es-nicht", 404, "Nicht gefunden"), ("/artikel/fehlt", 404, "Nicht gefunden")],
)
def test_errors_are_german_pages(
    starter: Flask, client: FlaskClient, url: str, code: int, title: str
) -> None:
    response = client.get(url)
    assert response.status_code == code
    html = response.get_data(as_text=True)
    assert title in html and '<html lang="de">' in html
    assert "Not Found" not in html


def test_wrong_method_is_a_german_405(client: FlaskClient) -> None:
    response = client.delete("/")
    assert response.status_code == 405
    assert "Methode nicht erlaubt" in response.get_data(as_text=True)


def test_unexpected_error_is_a_german_500_without_details(app: Flask, client: FlaskClient) -> None:
    def explode() -> str:
        raise RuntimeError("geheimes Detail")

    app.add_url_rule("/-/kaputt", "kaputt", explode)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/-/kaputt")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Interner Fehler" in html and "geheimes Detail" not in html


def test_too_large_request_is_refused_with_413(tmp_path: Path) -> None:
    app = make_app(tmp_path, MAX_UPLOAD_MB="1")
    response = app.test_client().post(
        "/-/anmelden", data=b"x" * (2 * 1024 * 1024), content_type="application/octet-stream"
    )
    assert response.status_code == 413
    assert "Datei zu groß" in response.get_data(as_text=True)


def test_a_null_character_is_refused_in_german_everywhere(
    starter: Flask, client: FlaskClient
) -> None:
    """PostgreSQL cannot store U+0000, so neither database gets one (no 500 on PostgreSQL)."""
    make_user("admin@example.org", "admin")
    login(client, "admin@example.org")
    with starter.app_context():
        articles_before = db.session.scalar(select(func.count()).select_from(Article))
    starter.config["WTF_CSRF_ENABLED"] = False
    form = {"title": "Dorfladen", "body": "Text", "kind": "praxisbeispiel"}
    assert client.post("/artikel/neu", data=form).status_code == 302  # the form as such works
    articles_before += 1
    saved = client.post("/artikel/neu", data={**form, "title": "Dorf\x00laden"})
    assert saved.status_code == 400 and "Nullzeichen" in saved.get_data(as_text=True)
    searched = client.get("/suche?q=dorf%00laden")
    assert searched.status_code == 400 and "Nullzeichen" in searched.get_data(as_text=True)
    api = client.get("/api/v1/search?q=dorf%00laden")
    assert api.status_code == 400 and "Nullzeichen" in api.get_json()["error"]["message"]
    assert client.get("/artikel/dorf%00laden").status_code == 404
    signed_out = starter.test_client().post(
        "/-/anmelden", data={"email": "a\x00@example.org", "password": "x"}
    )
    assert signed_out.status_code == 400
    with starter.app_context():
        assert db.session.scalar(select(func.count()).select_from(Article)) == articles_before


def test_api_errors_are_json(starter: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/articles/fehlt")
    assert response.status_code == 404
    assert response.is_json
    assert response.get_json()["error"]["code"] == 404
    assert "fehlt" in response.get_json()["error"]["message"]


def test_api_article_and_document(eval_dev: Flask, client: FlaskClient) -> None:
    article = client.get("/api/v1/articles/buergerbus-suederbrarup").get_json()
    assert article["title"].startswith("Von Bürgern für Bürger")
    assert article["kind"] == "praxisbeispiel" and article["status"] == "veroeffentlicht"
    assert {t["slug"] for t in article["themes"]} == {"ehrenamt", "mobilitaet"}
    document = client.get("/api/v1/documents/buergerbus-suederbrarup-jahresbilanz-2023").get_json()
    assert document["status"] == "pending"
    assert document["status_label"] == "wartet auf Verarbeitung"
    assert document["url"] == "/dokumente/buergerbus-suederbrarup-jahresbilanz-2023"


def test_document_download_keeps_umlauts_and_is_never_sniffed(
    eval_dev: Flask, client: FlaskClient
) -> None:
    document = db.session.query(Document).first()
    assert document is not None
    document.original_filename = "Präsentation Süd.pdf"
    db.session.commit()
    with client.get(f"/dokumente/{document.slug}/datei") as response:
        assert response.status_code == 200
        assert response.data.startswith(b"%PDF")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Type"] == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "filename*=UTF-8''Pr%C3%A4sentation%20S%C3%BCd.pdf" in disposition
    assert 'filename="Pr_sentation S_d.pdf"' in disposition


def test_health_reports_database_and_folders(app: Flask, client: FlaskClient) -> None:
    response = client.get("/-/health")
    assert response.status_code == 200
    answer = response.get_json()
    assert {k: answer[k] for k in ("status", "database", "uploads", "index")} == {
        "status": "ok",
        "database": "ok",
        "uploads": "ok",
        "index": "ok",
    }
    # No search index built yet in a fresh instance: reported, not a failure.
    assert answer["search_index"].startswith("wird neu aufgebaut")


def test_health_fails_when_the_index_folder_is_gone(app: Flask, client: FlaskClient) -> None:
    Path(app.config["INDEX_DIR"]).rmdir()
    response = client.get("/-/health")
    assert response.status_code == 503
    assert response.get_json()["index"] != "ok"


def test_private_site_asks_for_login(tmp_path: Path) -> None:
    app = make_app(tmp_path, PUBLIC_READ="nein")
    client = app.test_client()
    response = client.get("/themen")
    assert response.status_code == 302 and "/-/anmelden" in response.headers["Location"]
    assert client.get("/api/v1/articles/x").status_code == 401
    assert client.get("/-/health").status_code == 200
    assert client.get("/-/anmelden").status_code == 200
