"""API tokens: created and revoked by their owner, shown once, stored as a hash, and
accepted only by the JSON API – with exactly the rights of the user behind them."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select, text

from wissen.extensions import db
from wissen.models import (
    Article,
    ArticleStatus,
    AuditEvent,
    Base,
    Region,
    TokenKind,
    User,
    UserToken,
    utcnow,
)
from wissen.services import api_tokens, editing, users

from . import databases
from .conftest import csrf_token_of, login, make_app, make_user

EDITOR = "redaktion-bremerhaven@example.org"
OTHER = "redaktion-lup@example.org"
SECRET = re.compile(r"wsn_[A-Za-z0-9_-]{43}")
DRAFT = "entwurf-bremerhaven"
DRAFT_TEXT = "Noch nicht abgestimmter Entwurf aus Bremerhaven."
PAGE = "/-/konto/tokens"


def user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def create_token(client: FlaskClient, name: str = "Auswertungsskript", lifetime: str = ""):
    form = {"name": name, "lifetime": lifetime, "csrf_token": csrf_token_of(client, PAGE)}
    return client.post(PAGE, data=form)


def new_secret(client: FlaskClient, name: str = "Auswertungsskript", lifetime: str = "") -> str:
    answer = create_token(client, name, lifetime)
    assert answer.status_code == 201, answer.get_data(as_text=True)[:500]
    found = SECRET.findall(answer.get_data(as_text=True))
    assert len(set(found)) == 1
    return found[0]


def token_named(name: str) -> UserToken:
    db.session.remove()
    found = db.session.scalar(select(UserToken).where(UserToken.name == name))
    assert found is not None
    return found


@pytest.fixture
def site(starter: Flask) -> Flask:
    """Starter content, a draft in Bremerhaven, its editor and an editor of another region."""
    make_user(EDITOR, "redaktion", ("bremerhaven",))
    make_user(OTHER, "redaktion", ("ludwigslust-parchim",))
    draft = editing.ArticleInput(
        title="Entwurf Bremerhaven", kind="leitfaden", region="bremerhaven", body=DRAFT_TEXT
    )
    editing.create_article(db.session, draft, user(EDITOR), slug=DRAFT)
    assert db.session.scalar(select(Article.status).where(Article.slug == DRAFT)) is (
        ArticleStatus.DRAFT
    )
    db.session.remove()
    return starter


# --- creating, showing once, using ----------------------------------------------------------


def test_a_token_is_shown_once_and_reads_the_own_regions_draft(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    empty = client.get(PAGE)
    assert empty.status_code == 200
    assert "noch keine API-Tokens" in empty.get_data(as_text=True)

    answer = create_token(client, "Auswertungsskript")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 201
    assert "Kopieren Sie den Token jetzt – er wird nie wieder angezeigt." in html
    assert answer.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(html).group(0)  # type: ignore[union-attr]

    again = client.get(PAGE).get_data(as_text=True)
    assert "Auswertungsskript" in again and "gültig" in again
    assert secret not in again and not SECRET.search(again)
    assert "Kopieren Sie den Token jetzt" not in again

    script = site.test_client()  # no session: only the header
    assert script.get(f"/api/v1/articles/{DRAFT}").status_code == 404
    read = script.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))
    assert read.status_code == 200
    assert read.get_json()["status"] == "entwurf" and read.get_json()["body"].strip() == DRAFT_TEXT
    assert "Set-Cookie" not in read.headers  # no session is started for a script
    assert token_named("Auswertungsskript").last_used_at is not None


def test_the_secret_is_stored_only_as_its_hash(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    secret = new_secret(client, "Nur als Prüfsumme")

    token = token_named("Nur als Prüfsumme")
    assert token.kind is TokenKind.API and token.user_id == user(EDITOR).id
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    # Not in any column of any table, the audit trail included.
    for table in Base.metadata.sorted_tables:
        for row in db.session.execute(table.select()):
            assert secret not in repr(tuple(row)), table.name
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "token.created"))
    assert event is not None and event.object_key == str(token.id)
    assert event.user_id == user(EDITOR).id and "Nur als Prüfsumme" in event.detail
    assert token.token_hash not in event.detail


@pytest.mark.parametrize(
    ("name", "lifetime", "message"),
    [
        ("", "", "Bitte einen Namen eingeben"),
        ("   ", "", "Bitte einen Namen eingeben"),
        ("x" * 101, "", "Höchstens 100 Zeichen."),
        ("Skript", "7", "Bitte eine der angebotenen Gültigkeiten wählen."),
    ],
)
def test_bad_input_gets_a_german_error_and_creates_nothing(
    site: Flask, name: str, lifetime: str, message: str
) -> None:
    client = signed_in(site, EDITOR)
    answer = create_token(client, name, lifetime)

    html = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert message in html and 'class="fehlerliste"' in html
    assert not SECRET.search(html)
    field = "name" if "Namen" in message or "Zeichen" in message else "lifetime"
    assert f'href="#feld-{field}"' in html and f'id="feld-{field}"' in html
    db.session.remove()
    assert db.session.scalar(select(func.count(UserToken.id))) == 0


def test_a_hundred_characters_are_enough(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    new_secret(client, "y" * 100)
    assert token_named("y" * 100).expires_at is None


def test_a_token_with_a_lifetime_ends_by_itself(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    secret = new_secret(client, "Befristet", lifetime="30")
    token = token_named("Befristet")
    assert token.expires_at is not None
    assert abs(token.expires_at - (utcnow() + timedelta(days=30))) < timedelta(minutes=5)
    script = site.test_client()
    assert script.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret)).status_code == 200

    token = token_named("Befristet")  # the request ended the session that loaded it
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    refused = script.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "Dieser Token ist abgelaufen."
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "abgelaufen" in client.get(PAGE).get_data(as_text=True)


# --- revoking -------------------------------------------------------------------------------


def test_a_revoked_token_is_refused(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    secret = new_secret(client, "Altes Skript")
    token_id = token_named("Altes Skript").id

    answer = client.post(
        f"{PAGE}/{token_id}/widerrufen", data={"csrf_token": csrf_token_of(client, PAGE)}
    )

    assert answer.status_code == 302 and answer.headers["Location"].endswith(PAGE)
    page = client.get(PAGE).get_data(as_text=True)
    assert "Der Token „Altes Skript“ ist widerrufen" in page and "widerrufen am" in page
    refused = site.test_client().get("/api/v1/search?q=ehrenamt", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "Dieser Token wurde widerrufen."
    assert 'error="invalid_token"' in refused.headers["WWW-Authenticate"]
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("token.revoked") == 1


def test_nobody_can_revoke_another_users_token(site: Flask) -> None:
    owner = signed_in(site, EDITOR)
    secret = new_secret(owner, "Skript von A")
    token_id = token_named("Skript von A").id
    intruder = signed_in(site, OTHER)

    answer = intruder.post(
        f"{PAGE}/{token_id}/widerrufen", data={"csrf_token": csrf_token_of(intruder, PAGE)}
    )

    assert answer.status_code == 404
    assert token_named("Skript von A").revoked_at is None
    assert "Skript von A" not in intruder.get(PAGE).get_data(as_text=True)
    still = site.test_client().get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))
    assert still.status_code == 200
    assert "token.revoked" not in db.session.scalars(select(AuditEvent.action)).all()


def test_an_unknown_token_id_is_not_found(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    answer = client.post(f"{PAGE}/999/widerrufen", data={"csrf_token": csrf_token_of(client)})
    assert answer.status_code == 404


def test_the_token_page_needs_a_login(site: Flask) -> None:
    answer = site.test_client().get(PAGE)
    assert answer.status_code == 302 and "/-/anmelden" in answer.headers["Location"]


# --- refusing bad tokens --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer", "nicht das erwartete Format"),
        ("Bearer ", "nicht das erwartete Format"),
        ("Bearer wsn_zu-kurz", "nicht das erwartete Format"),
        ("Bearer abc" + "x" * 44, "nicht das erwartete Format"),
        ("Bearer wsn_" + "A" * 43, "Dieser Token ist unbekannt."),
    ],
)
def test_malformed_and_unknown_tokens_are_refused_not_ignored(
    site: Flask, header: str, message: str
) -> None:
    answer = site.test_client().get("/api/v1/search?q=ehrenamt", headers={"Authorization": header})

    assert answer.status_code == 401 and answer.is_json
    assert message in answer.get_json()["error"]["message"]
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_other_authorization_schemes_are_left_alone(site: Flask) -> None:
    # e.g. Basic from a password-protected proxy in front of wissen: not ours to judge.
    answer = site.test_client().get(
        "/api/v1/search?q=ehrenamt", headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert answer.status_code == 200


def test_an_invitation_secret_is_no_api_token(site: Flask) -> None:
    secret = "wsn_" + "B" * 43
    invite = UserToken(
        user_id=user(EDITOR).id,
        kind=TokenKind.INVITE,
        token_hash=users.hash_secret(secret),
        expires_at=utcnow() + timedelta(days=7),
    )
    db.session.add(invite)
    db.session.commit()

    answer = site.test_client().get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))

    assert answer.status_code == 401
    assert DRAFT_TEXT not in answer.get_data(as_text=True)


@pytest.mark.parametrize(("field", "value"), [("active", False), ("deleted_at", "now")])
def test_tokens_of_deactivated_or_erased_accounts_are_refused(
    site: Flask, field: str, value: object
) -> None:
    secret = new_secret(signed_in(site, EDITOR), "Skript")
    account = user(EDITOR)
    setattr(account, field, utcnow() if value == "now" else value)
    db.session.commit()

    answer = site.test_client().get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))

    assert answer.status_code == 401
    assert "gesperrt oder gelöscht" in answer.get_json()["error"]["message"]
    assert DRAFT_TEXT not in answer.get_data(as_text=True)


# --- exactly the user's rights, only on the API ---------------------------------------------


def test_the_token_follows_the_users_current_rights(site: Flask) -> None:
    secret = new_secret(signed_in(site, EDITOR), "Skript")
    script = site.test_client()
    assert script.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret)).status_code == 200

    account = user(EDITOR)
    account.regions = [
        db.session.scalar(select(Region).where(Region.slug == "ludwigslust-parchim"))
    ]
    db.session.commit()

    moved = script.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))
    assert moved.status_code in (403, 404)
    assert DRAFT_TEXT not in moved.get_data(as_text=True)


def test_a_readers_token_sees_contact_details_but_no_drafts(site: Flask) -> None:
    make_user("leser@example.org", "leser")
    secret = new_secret(signed_in(site, "leser@example.org"), "Leseskript")
    script = site.test_client()

    contact = script.get("/api/v1/contacts/eulitz-heike", headers=bearer(secret)).get_json()
    assert contact["email"] == "heike.eulitz@magistrat.bremerhaven.de"
    assert "email" not in script.get("/api/v1/contacts/eulitz-heike").get_json()
    draft = script.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))
    assert draft.status_code in (403, 404)
    assert DRAFT_TEXT not in draft.get_data(as_text=True)


def test_a_token_never_opens_a_page(site: Flask) -> None:
    secret = new_secret(signed_in(site, EDITOR), "Skript")
    script = site.test_client()

    page = script.get(f"/artikel/{DRAFT}", headers=bearer(secret))
    assert page.status_code == 404 and DRAFT_TEXT not in page.get_data(as_text=True)
    own = script.get(PAGE, headers=bearer(secret))
    assert own.status_code == 302 and "/-/anmelden" in own.headers["Location"]


def test_an_admin_token_cannot_post_a_form(site: Flask) -> None:
    make_user("admin@example.org", "admin")
    secret = new_secret(signed_in(site, "admin@example.org"), "Admin-Skript")
    script = site.test_client()
    region = {"name": "Landkreis Per Token", "kind": "Landkreis", "state": "Bayern"}

    no_csrf = script.post("/-/admin/regionen/neu", data=region, headers=bearer(secret))
    assert no_csrf.status_code == 400  # the form's CSRF check refuses it first
    site.config["WTF_CSRF_ENABLED"] = False  # even without that check: no login by header
    no_login = script.post("/-/admin/regionen/neu", data=region, headers=bearer(secret))
    assert no_login.status_code == 302 and "/-/anmelden" in no_login.headers["Location"]
    admin_page = script.get("/-/admin/", headers=bearer(secret))
    assert admin_page.status_code == 302

    db.session.remove()
    assert db.session.scalar(select(func.count(Region.id))) == 2
    assert "Landkreis Per Token" not in db.session.scalars(select(Region.name)).all()


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_the_api_offers_no_way_to_change_anything(site: Flask, method: str) -> None:
    make_user("admin@example.org", "admin")
    secret = new_secret(signed_in(site, "admin@example.org"), "Admin-Skript")

    answer = site.test_client().open(
        f"/api/v1/articles/{DRAFT}", method=method, headers=bearer(secret), json={"title": "x"}
    )

    assert answer.status_code == 405
    db.session.remove()
    assert db.session.scalar(select(Article.title).where(Article.slug == DRAFT)) == (
        "Entwurf Bremerhaven"
    )


def test_a_token_request_leaves_the_browser_session_alone(site: Flask) -> None:
    make_user("leser@example.org", "leser")
    secret = new_secret(signed_in(site, EDITOR), "Skript")
    browser = signed_in(site, "leser@example.org")

    with_token = browser.get(f"/api/v1/articles/{DRAFT}", headers=bearer(secret))

    assert with_token.status_code == 200  # the header decides for this one request …
    assert "Set-Cookie" not in with_token.headers  # … and the session cookie is untouched
    session_only = browser.get(f"/api/v1/articles/{DRAFT}")
    assert session_only.status_code in (403, 404)  # still the reader, not the editor
    assert "Angemeldet als" in browser.get("/").get_data(as_text=True)


def test_a_token_works_when_the_site_is_not_public(tmp_path) -> None:
    app = make_app(tmp_path, PUBLIC_READ=False)
    make_user(EDITOR, "redaktion")
    secret = new_secret(signed_in(app, EDITOR), "Skript")
    script = app.test_client()

    assert script.get("/api/v1/search?q=ehrenamt").status_code == 401
    answer = script.get("/api/v1/search?q=ehrenamt", headers=bearer(secret))
    assert answer.status_code == 200 and "total" in answer.get_json()
    db.session.remove()


def test_last_use_is_written_at_most_once_a_minute(site: Flask) -> None:
    secret = new_secret(signed_in(site, EDITOR), "Skript")
    start = utcnow()

    api_tokens.authenticate(db.session, secret, now=start)
    api_tokens.authenticate(db.session, secret, now=start + timedelta(seconds=30))
    assert token_named("Skript").last_used_at == start
    later = start + timedelta(seconds=61)
    api_tokens.authenticate(db.session, secret, now=later)
    assert token_named("Skript").last_used_at == later


@pytest.mark.skipif(databases.ON_POSTGRES, reason="prüft die SQLite-Datei selbst")
def test_no_sqlite_file_holds_the_secret(site: Flask) -> None:
    secret = new_secret(signed_in(site, EDITOR), "Skript")
    db.session.remove()
    db.session.execute(text("PRAGMA wal_checkpoint(FULL)"))
    db.session.commit()
    url = str(db.engine.url)  # type: ignore[union-attr]
    path = url.removeprefix("sqlite:///")
    from pathlib import Path

    for file in Path(path).parent.glob(Path(path).name + "*"):
        assert secret.encode() not in file.read_bytes(), file.name


def test_all_tokens_of_an_account_can_be_revoked_at_once(site: Flask) -> None:
    client = signed_in(site, EDITOR)
    first, second = new_secret(client, "Eins"), new_secret(client, "Zwei")
    make_user("admin@example.org", "admin")
    other = new_secret(signed_in(site, "admin@example.org"), "Fremd")

    revoked = api_tokens.revoke_all(db.session, user(EDITOR), user("admin@example.org"), "Test")
    db.session.commit()

    assert revoked == 2
    script = site.test_client()
    for secret in (first, second):
        assert script.get("/api/v1/search?q=x", headers=bearer(secret)).status_code == 401
    assert script.get("/api/v1/search?q=x", headers=bearer(other)).status_code == 200
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "token.revoked"))
    assert sorted(e.object_key for e in events) == sorted(
        str(token_named(n).id) for n in ("Eins", "Zwei")
    )
