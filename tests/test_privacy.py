"""DSGVO: the privacy page, Auskunft as JSON, and erasure of accounts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from wissen.errors import Invalid
from wissen.extensions import db
from wissen.models import (
    Article,
    ArticleKind,
    AuditEvent,
    Contact,
    ContactVisibility,
    Region,
    Revision,
    TokenKind,
    User,
    UserToken,
)
from wissen.services import audit, privacy

from .conftest import PASSWORD, csrf_token_of, login, make_app, make_user

ADMIN = "admin@example.org"
EDITOR = "redaktion@example.org"
READER = "rita.leser@example.org"
READER_NAME = "Rita Leserin"
TOKEN_SECRET = "geheimes-token-123"
TOKEN_HASH = hashlib.sha256(TOKEN_SECRET.encode()).hexdigest()


def user_named(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def people(app: Flask) -> Flask:
    """An admin, an editor and a reader who wrote a revision and holds an API token."""
    with app.app_context():
        db.session.add(
            Region(
                slug="uckermark", name="Landkreis Uckermark", kind="Landkreis", state="Brandenburg"
            )
        )
        db.session.commit()
        make_user(ADMIN, "admin")
        make_user(EDITOR, "redaktion", regions=("uckermark",))
        make_user(READER, "redaktion", regions=("uckermark",))
        reader = user_named(READER)
        reader.name = READER_NAME
        article = Article(slug="buergerbus", title="Bürgerbus", kind=ArticleKind.PRACTICE)
        db.session.add(article)
        db.session.flush()
        db.session.add(
            Revision(
                article_id=article.id,
                number=1,
                title="Bürgerbus",
                body="Text",
                author_id=reader.id,
                message="Erste Fassung",
            )
        )
        db.session.add(
            UserToken(user_id=reader.id, kind=TokenKind.API, token_hash=TOKEN_HASH, name="Laptop")
        )
        admin = user_named(ADMIN)
        audit.record(
            db.session,
            "user.name_changed",
            admin,
            object_type="user",
            object_key=READER,
            old="Rita Reader",
            new=READER_NAME,
        )
        audit.record(
            db.session,
            "user.role_changed",
            admin,
            object_type="user",
            object_key=READER,
            old={"role": "leser"},
            new={"role": "redaktion"},
        )
        audit.record(
            db.session,
            "login.throttled",
            actor="anonym",
            object_type="user",
            object_key="Rita.Leser@Example.org",
        )
        audit.record(db.session, "bundle.import", admin, actor="import", note=f"für {READER}")
        db.session.commit()
    return app


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


# --- the page ----------------------------------------------------------------------------


def test_the_page_names_operator_contact_and_retention(tmp_path: Path) -> None:
    app = make_app(
        tmp_path,
        OPERATOR="Landkreis Uckermark, Karl-Marx-Str. 1, 17291 Prenzlau",
        PRIVACY_CONTACT="Datenschutz Uckermark, datenschutz@uckermark.example",
        AUDIT_RETENTION_DAYS=180,
    )
    answer = app.test_client().get("/datenschutz")
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    assert "Landkreis Uckermark, Karl-Marx-Str. 1, 17291 Prenzlau" in html
    assert "datenschutz@uckermark.example" in html
    assert "<strong>180 Tagen</strong>" in html
    assert "von der betreibenden Stelle einzutragen" not in html
    for topic in ("Sitzungscookie", "Kein Tracking", "Kontaktpersonen", "Beschwerde", "Art. 15"):
        assert topic in html


def test_empty_settings_show_a_marked_placeholder(app: Flask) -> None:
    html = app.test_client().get("/datenschutz").get_data(as_text=True)
    assert html.count("(von der betreibenden Stelle einzutragen)") == 2


def test_an_own_privacy_policy_elsewhere_is_redirected_to(tmp_path: Path) -> None:
    app = make_app(tmp_path, DATENSCHUTZ_URL="https://www.uckermark.example/datenschutz")
    answer = app.test_client().get("/datenschutz")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "https://www.uckermark.example/datenschutz"


def test_the_page_is_open_when_the_site_is_private(tmp_path: Path) -> None:
    # Needs "privacy.page" in OPEN_ENDPOINTS (wissen/web/__init__.py).
    app = make_app(tmp_path, PUBLIC_READ=False)
    assert app.test_client().get("/datenschutz").status_code == 200


# --- Auskunft ----------------------------------------------------------------------------


def download(client: FlaskClient, url: str) -> dict:
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    assert answer.headers["Content-Disposition"].startswith('attachment; filename="auskunft-')
    assert answer.headers["Cache-Control"] == "no-store"
    body = answer.get_data(as_text=True)
    assert "scrypt" not in body and "pbkdf2" not in body  # no password hash
    assert TOKEN_HASH not in body and "token_hash" not in body
    return json.loads(body)


def reader_id(app: Flask) -> int:
    with app.app_context():
        return user_named(READER).id


def test_an_admin_exports_everything_about_an_account(people: Flask) -> None:
    signed_in(people, READER)  # a login, for the trail
    data = download(signed_in(people, ADMIN), f"/-/admin/konten/{reader_id(people)}/auskunft.json")
    assert data["konto"]["email"] == READER and data["konto"]["name"] == READER_NAME
    assert data["konto"]["rolle"] == "Redaktion" and data["konto"]["letzte_anmeldung"]
    assert data["regionen"] == [{"kurzname": "uckermark", "name": "Landkreis Uckermark"}]
    assert [(t["art"], t["name"]) for t in data["tokens_und_links"]] == [("API", "Laptop")]
    assert [(r["artikel"], r["fassung"], r["kommentar"]) for r in data["artikelfassungen"]] == [
        ("buergerbus", 1, "Erste Fassung")
    ]
    actions = [e["aktionscode"] for e in data["protokoll"]]
    for action in ("user.create", "user.name_changed", "login.throttled", "login", "bundle.import"):
        assert action in actions
    with people.app_context():
        exported = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.exported"))
        assert (exported.actor, exported.object_key) == (ADMIN, READER)


def test_everyone_downloads_their_own_data_and_only_theirs(people: Flask) -> None:
    client = signed_in(people, EDITOR)
    data = download(client, "/-/konto/auskunft.json")
    assert data["konto"]["email"] == EDITOR
    flat = json.dumps(data)
    assert (
        READER not in flat
        and "Laptop" not in flat
        and ADMIN not in flat.replace(f'"person": "{ADMIN}"', "")
    )
    assert client.get(f"/-/admin/konten/{reader_id(people)}/auskunft.json").status_code == 403
    anonymous = people.test_client().get("/-/konto/auskunft.json")
    assert anonymous.status_code == 302 and "/-/anmelden" in anonymous.headers["Location"]


def test_an_admin_exports_a_contact_with_where_they_are_named(people: Flask) -> None:
    with people.app_context():
        contact = Contact(
            slug="meier-jo",
            name="Jo Meier",
            role="Koordination",
            email="jo.meier@uckermark.example",
            phone="+49 3984 701234",
            visibility=ContactVisibility.INTERNAL,
        )
        db.session.add(contact)
        article = db.session.scalar(select(Article).where(Article.slug == "buergerbus"))
        article.contacts.append(contact)
        audit.record(
            db.session,
            "contact.edit",
            user_named(EDITOR),
            object_type="contact",
            object_key="meier-jo",
            fields=["phone"],
        )
        db.session.commit()
    assert (
        signed_in(people, EDITOR).get("/-/admin/kontakte/meier-jo/auskunft.json").status_code == 403
    )
    data = download(signed_in(people, ADMIN), "/-/admin/kontakte/meier-jo/auskunft.json")
    assert data["kontakt"]["email"] == "jo.meier@uckermark.example"
    assert data["kontakt"]["telefon"] == "+49 3984 701234"
    assert data["genannt_in"]["artikel"][0]["kurzname"] == "buergerbus"
    assert [e["aktionscode"] for e in data["protokoll"]] == ["contact.edit"]
    with people.app_context():
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "contact.exported"))
    assert (
        signed_in(people, ADMIN).get("/-/admin/kontakte/gibt-es-nicht/auskunft.json").status_code
        == 404
    )


# --- Löschung ----------------------------------------------------------------------------


def erase(client: FlaskClient, user_id: int, confirmed: bool = True):
    url = f"/-/admin/konten/{user_id}/loeschen"
    form = {"csrf_token": csrf_token_of(client, url)}
    if confirmed:
        form["bestaetigt"] = "ja"
    return client.post(url, data=form)


def all_rows(table: str) -> list[str]:
    return [" | ".join(map(str, row)) for row in db.session.execute(text(f"SELECT * FROM {table}"))]


def test_an_erased_account_leaves_no_address_or_name_behind(people: Flask) -> None:
    victim = signed_in(people, READER)
    user_id = reader_id(people)
    admin = signed_in(people, ADMIN)
    page = admin.get(f"/-/admin/konten/{user_id}/loeschen").get_data(as_text=True)
    assert READER in page and "konto-" in page
    answer = erase(admin, user_id)
    assert answer.status_code == 302
    assert victim.get("/-/konto/auskunft.json").status_code == 302  # signed out everywhere
    with people.app_context():
        for table in ("users", "audit_events", "user_tokens"):
            for row in all_rows(table):
                assert "rita" not in row.lower(), (table, row)  # address and names, any case
        user = db.session.get(User, user_id)
        assert (user.email, user.name, user.password_hash) == (
            f"geloescht-{user_id}@konto.invalid",
            "Gelöschtes Konto",
            "",
        )
        assert not user.active and user.deleted_at and user.regions == []
        assert db.session.scalar(select(UserToken).where(UserToken.user_id == user_id)) is None
        revision = db.session.scalar(select(Revision).where(Revision.author_id == user_id))
        assert revision is not None and revision.body == "Text"
        erased = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased"))
        assert (erased.actor, erased.object_key) == (ADMIN, f"konto-{user_id}")
        own = db.session.scalars(select(AuditEvent).where(AuditEvent.user_id == user_id)).all()
        assert own and {e.actor for e in own} == {f"konto-{user_id}"}
        role = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
        assert json.loads(role.detail) == {"new": {"role": "redaktion"}, "old": {"role": "leser"}}
        assert role.object_key == f"konto-{user_id}"
    history = people.test_client().get("/artikel/buergerbus/versionen").get_data(as_text=True)
    assert "Gelöschtes Konto" in history
    anyone = people.test_client()
    form = {"email": READER, "password": PASSWORD, "csrf_token": csrf_token_of(anyone)}
    assert anyone.post("/-/anmelden", data=form).status_code == 401


def snapshot(app: Flask, email: str) -> tuple:
    """What an erasure would change: the account row, its tokens, any user.erased event."""
    with app.app_context():
        user = user_named(email)
        assert user is not None
        tokens = db.session.scalars(select(UserToken.id).where(UserToken.user_id == user.id))
        erased = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.erased"))
        return (
            user.name,
            user.password_hash,
            user.active,
            user.deleted_at,
            [r.slug for r in user.regions],
            tokens.all(),
            erased,
        )


def test_nobody_erases_their_own_account(people: Flask) -> None:
    admin = signed_in(people, ADMIN)
    before = snapshot(people, ADMIN)
    with people.app_context():
        admin_id = user_named(ADMIN).id
    answer = erase(admin, admin_id)
    assert answer.status_code == 400
    assert "Sie können Ihr eigenes Konto nicht löschen" in answer.get_data(as_text=True)
    assert snapshot(people, ADMIN) == before


def test_the_last_active_admin_is_not_erased(people: Flask) -> None:
    before = snapshot(people, ADMIN)
    with people.app_context():
        with pytest.raises(Invalid, match="letzte aktive Admin-Konto"):
            privacy.erase_user(db.session, user_named(ADMIN), None)  # as from the CLI
        db.session.rollback()
    assert snapshot(people, ADMIN) == before


def test_erasure_needs_the_confirmation_and_an_admin(people: Flask) -> None:
    user_id = reader_id(people)
    before = snapshot(people, READER)
    unconfirmed = erase(signed_in(people, ADMIN), user_id, confirmed=False)
    assert unconfirmed.status_code == 400
    html = unconfirmed.get_data(as_text=True)
    assert "Bitte bestätigen Sie" in html and 'href="#feld-bestaetigt"' in html
    editor = signed_in(people, EDITOR)
    assert editor.get(f"/-/admin/konten/{user_id}/loeschen").status_code == 403
    assert erase(editor, reader_id(people)).status_code == 403
    assert snapshot(people, READER) == before
    assert signed_in(people, ADMIN).get("/-/admin/konten/9999/loeschen").status_code == 404


def test_a_removed_contact_leaves_no_details_in_the_trail(people: Flask) -> None:
    from wissen.services import contact_admin
    from wissen.services.contact_admin import ContactInput

    with people.app_context():
        admin = user_named(ADMIN)
        data = ContactInput(
            name="Derya Yilmaz",
            role="Integrationslotsin",
            organisation="Stadtverwaltung Prenzlau",
            email="derya.yilmaz@prenzlau.example",
            phone="03984 70-1234",
            consent_date="2026-01-15",
        )
        contact = contact_admin.create_contact(db.session, data, admin)
        data.phone = "03984 70-9999"
        contact_admin.update_contact(db.session, contact, data, admin)
        contact_admin.confirm_contact(db.session, contact, admin)
        contact_admin.remove_contact(db.session, contact, admin)
        rows = " ".join(all_rows("audit_events")).lower()
        for detail in ("derya.yilmaz@", "701234", "709999", "integrationslotsin", "prenzlau"):
            assert detail not in rows
        assert "contact.remove" in rows
