"""Security headers on every response, and CSRF on every state-changing route."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import IntegerConverter

from .conftest import login, make_app, make_user

PAGES = ["/", "/themen", "/transfermatrix", "/kontakte", "/suche?q=ehrenamt", "/-/anmelden"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_carries_the_security_headers(starter: Flask, path: str) -> None:
    answer = starter.test_client().get(path)
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in answer.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in answer.headers  # only behind HTTPS
    html = answer.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline scripts
    assert " style=" not in html and "<style" not in html  # no inline styles


def test_errors_and_json_carry_them_too(starter: Flask) -> None:
    client = starter.test_client()
    for answer in (client.get("/artikel/gibt-es-nicht"), client.get("/api/v1/search?q=x")):
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_behind_https_cookies_are_secure_and_hsts_is_sent(tmp_path: Path) -> None:
    app = make_app(tmp_path, HTTPS=True)
    with app.app_context():
        make_user("leser@example.org", "leser")
    client = app.test_client()
    page = client.get("/-/anmelden")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def _fill(rule) -> str:
    """A URL for ``rule`` with made-up values (the request must fail before it matters)."""
    values = {
        name: 1 if isinstance(conv, IntegerConverter) else "x"
        for name, conv in rule._converters.items()
    }
    return rule.build(values)[1]


def test_every_state_changing_route_refuses_requests_without_a_csrf_token(
    starter: Flask,
) -> None:
    """Walks the URL map: signed in as an admin, no route that changes state accepts a
    request without a valid token (400), and none accepts one without login."""
    with starter.app_context():
        make_user("admin@example.org", "admin")
    signed_in = starter.test_client()
    login(signed_in, "admin@example.org")
    anonymous = starter.test_client()
    checked = 0
    for rule in starter.url_map.iter_rules():
        methods = (rule.methods or set()) & STATE_CHANGING
        if not methods or rule.endpoint == "static":
            continue
        url = _fill(rule)
        for method in methods:
            refused = signed_in.open(url, method=method, data={"csrf_token": "falsch"})
            assert refused.status_code == 400, (method, url, refused.status_code)
            assert "Formular abgelaufen" in refused.get_data(as_text=True) or refused.is_json
            stranger = anonymous.open(url, method=method, data={})
            assert stranger.status_code in (400, 401, 403), (method, url)
            checked += 1
    assert checked >= 30


# --- login throttling --------------------------------------------------------------------


def _try(client, email: str, password: str):
    token_page = client.get("/-/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    return client.post(
        "/-/anmelden", data={"email": email, "password": password, "csrf_token": token}
    )


def test_failed_logins_are_throttled_per_account_with_a_german_message(tmp_path: Path) -> None:
    from sqlalchemy import select

    from wissen.extensions import db
    from wissen.models import AuditEvent

    from .conftest import PASSWORD

    app = make_app(tmp_path)
    with app.app_context():
        make_user("leser@example.org", "leser")
        make_user("andere@example.org", "leser")
    client = app.test_client()
    for _ in range(5):
        assert _try(client, "leser@example.org", "falsches-passwort-1").status_code == 401
    blocked = _try(client, "Leser@Example.org", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429
    text = blocked.get_data(as_text=True)
    assert "Zu viele fehlgeschlagene Anmeldeversuche" in text and "Minuten" in text
    assert int(blocked.headers["Retry-After"]) > 0
    other = _try(client, "andere@example.org", PASSWORD)  # another account is not locked
    assert other.status_code == 302
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("login.failed") == 5 and "login.throttled" in actions


def test_successful_logins_never_lock_anybody_out(tmp_path: Path) -> None:
    from .conftest import PASSWORD

    app = make_app(tmp_path)
    with app.app_context():
        make_user("leser@example.org", "leser")
    for _ in range(8):
        client = app.test_client()
        assert _try(client, "leser@example.org", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "password", ["passwort12345", "hallo1234567", "qwertzuiop123", "leser@example.org1"]
)
def test_common_and_personal_passwords_are_refused(app: Flask, password: str) -> None:
    from sqlalchemy import func, select

    from wissen.errors import Invalid
    from wissen.extensions import db
    from wissen.models import User
    from wissen.services import users

    with app.app_context():
        with pytest.raises(Invalid, match="zu leicht zu erraten"):
            users.create_user(db.session, "leser@example.org", "leser", password=password)
        db.session.rollback()
        assert db.session.scalar(select(func.count(User.id))) == 0
        users.create_user(
            db.session, "leser@example.org", "leser", password="Kiefer-Laterne-Gurke-17"
        )


def _fail_from(client: FlaskClient, address: str, email: str) -> int:
    token_page = client.get("/-/anmelden").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', token_page).group(1)
    answer = client.post(
        "/-/anmelden",
        data={"email": email, "password": "falsches-passwort-1", "csrf_token": token},
        headers={"X-Forwarded-For": address},
    )
    return answer.status_code


@pytest.mark.parametrize("proxies", [0, 1])
def test_the_address_limit_trusts_forwarded_addresses_only_behind_a_configured_proxy(
    tmp_path: Path, proxies: int
) -> None:
    app = make_app(tmp_path, PROXIES=proxies)
    client = app.test_client()
    # 20 failures from "one visitor" (different accounts, so the per-account limit is not hit)
    for number in range(20):
        assert _fail_from(client, "203.0.113.7", f"konto{number}@example.org") == 401
    other_visitor = _fail_from(client, "198.51.100.9", "noch-jemand@example.org")
    # Behind a proxy the other visitor is another address; without one, the header is
    # ignored (a visitor could set it to anything) and both are the same client.
    assert other_visitor == (401 if proxies else 429)
