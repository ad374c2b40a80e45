"""Signing in and out, and what a session allows."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from wissen.extensions import db
from wissen.models import AuditEvent

from .conftest import PASSWORD, csrf_token_of, login, make_user


def test_login_and_logout(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    login(client, "anna@example.de")
    html = client.get("/").get_data(as_text=True)
    assert "Angemeldet als" in html
    token = csrf_token_of(client, "/")
    response = client.post("/-/abmelden", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Angemeldet als" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_in_german_and_audited(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    token = csrf_token_of(client)
    response = client.post(
        "/-/anmelden",
        data={"email": "anna@example.de", "password": "falsch-falsch-falsch", "csrf_token": token},
    )
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "E-Mail-Adresse oder Passwort ist falsch." in html
    assert 'value="anna@example.de"' in html, "die eingegebene Adresse bleibt stehen"
    actions = [e.action for e in db.session.query(AuditEvent).all()]
    assert "login.failed" in actions


def test_login_without_csrf_token_is_refused(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    response = client.post("/-/anmelden", data={"email": "anna@example.de", "password": PASSWORD})
    assert response.status_code == 400
    assert "Formular abgelaufen" in response.get_data(as_text=True)
    assert "Angemeldet als" not in client.get("/").get_data(as_text=True)


def test_logout_needs_post(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    login(client, "anna@example.de")
    assert client.get("/-/abmelden").status_code == 405
    assert "Angemeldet als" in client.get("/").get_data(as_text=True)


def test_inactive_users_cannot_sign_in(app: Flask, client: FlaskClient) -> None:
    from wissen.models import User

    make_user("anna@example.de", "leser")
    user = db.session.query(User).one()
    user.active = False
    db.session.commit()
    token = csrf_token_of(client)
    response = client.post(
        "/-/anmelden", data={"email": "anna@example.de", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 401


def test_login_never_redirects_to_another_site(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    for target in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        token = csrf_token_of(client)
        response = client.post(
            f"/-/anmelden?next={target}",
            data={"email": "anna@example.de", "password": PASSWORD, "csrf_token": token},
        )
        assert response.headers["Location"] == "/", target
        client.post("/-/abmelden", data={"csrf_token": csrf_token_of(client, "/")})


def test_login_follows_a_local_next(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    token = csrf_token_of(client)
    response = client.post(
        "/-/anmelden?next=/kontakte",
        data={"email": "ANNA@example.de ", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/kontakte"


def test_session_cookie_is_http_only_and_same_site(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    token = csrf_token_of(client)
    response = client.post(
        "/-/anmelden", data={"email": "anna@example.de", "password": PASSWORD, "csrf_token": token}
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_signing_in_starts_a_fresh_session(app: Flask, client: FlaskClient) -> None:
    make_user("anna@example.de", "leser")
    with client.session_transaction() as before:
        before["untergeschoben"] = "vom Angreifer"  # what a planted session would carry
    login(client, "anna@example.de")
    with client.session_transaction() as after:
        assert "untergeschoben" not in after


def test_a_copied_session_cookie_is_worthless_after_signing_out(app: Flask) -> None:
    make_user("anna@example.de", "leser")
    browser = app.test_client()
    login(browser, "anna@example.de")
    stolen = browser.get_cookie("session").value
    browser.post("/-/abmelden", data={"csrf_token": csrf_token_of(browser, "/")})
    attacker = app.test_client()
    attacker.set_cookie("session", stolen)
    assert "Angemeldet als" not in attacker.get("/").get_data(as_text=True)
    assert "logout" in [e.action for e in db.session.query(AuditEvent).all()]
