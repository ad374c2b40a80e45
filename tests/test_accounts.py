"""Accounts in the browser: invitations, rights, locking, password links, one's own account."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from wissen.errors import Invalid
from wissen.extensions import db
from wissen.models import AuditEvent, Region, Role, TokenKind, User, UserToken, utcnow
from wissen.services import accounts

from . import databases
from .conftest import PASSWORD, csrf_token_of, login, make_user

ADMIN = "admin@example.org"
NEW_PASSWORD = "Kiefer-Laterne-Gurke-17"
GONE = "Dieser Link ist abgelaufen oder wurde schon benutzt."


@pytest.fixture
def site(app: Flask) -> Flask:
    """An admin and two regions."""
    db.session.add_all(
        [
            Region(slug="pirmasens", name="Pirmasens", kind="Stadt", state="Rheinland-Pfalz"),
            Region(slug="goerlitz", name="Landkreis Görlitz", kind="Landkreis", state="Sachsen"),
        ]
    )
    db.session.commit()
    make_user(ADMIN, "admin")
    return app


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    login(client, email, password)
    return client


def post(client: FlaskClient, url: str, form: dict, token_page: str = "/-/anmelden"):
    """POST with a valid CSRF token of this client's session."""
    return client.post(url, data={**form, "csrf_token": csrf_token_of(client, token_page)})


def user(email: str) -> User:
    db.session.expire_all()
    found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id))) or 0


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def shown_link(html: str) -> str:
    """The path of the one-time link on the page that shows it."""
    url = re.search(r'id="feld-link" readonly value="([^"]+)"', html).group(1)
    return "/" + url.split("/", 3)[3]


def invite(admin: FlaskClient, email: str, role: str = "leser", **extra) -> str:
    form = {"email": email, "name": "Erika Muster", "role": role, **extra}
    answer = post(admin, "/-/admin/konten/einladen", form, "/-/admin/konten/einladen")
    assert answer.status_code == 200, answer.get_data(as_text=True)[:2000]
    assert answer.headers["Cache-Control"] == "no-store"
    return shown_link(answer.get_data(as_text=True))


def accept(app: Flask, link: str, name: str = "Erika Muster", password: str = NEW_PASSWORD):
    client = app.test_client()
    answer = post(client, link, {"name": name, "password": password, "password2": password})
    return client, answer


def password_works(app: Flask, email: str, password: str) -> bool:
    client = app.test_client()
    answer = post(client, "/-/anmelden", {"email": email, "password": password})
    return answer.status_code == 302


# --- invitations --------------------------------------------------------------------------


def test_an_invited_person_sets_a_password_once_and_can_sign_in(site: Flask) -> None:
    admin = signed_in(site, ADMIN)
    link = invite(admin, "Erika@Kreis.example", "redaktion", regions=["pirmasens"])
    assert link.startswith("/-/einladung/")
    assert not password_works(site, "erika@kreis.example", "")  # no password before accepting

    page = site.test_client().get(link)
    assert page.status_code == 200 and "erika@kreis.example" in page.get_data(as_text=True)
    client, answer = accept(site, link, name="Erika  Muster-Schmidt ")
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "Angemeldet als <strong>Erika Muster-Schmidt</strong>" in client.get("/").get_data(
        as_text=True
    )
    erika = user("erika@kreis.example")
    assert erika.role is Role.EDITOR and [r.slug for r in erika.regions] == ["pirmasens"]
    assert password_works(site, "erika@kreis.example", NEW_PASSWORD)
    assert {"user.invite", "user.invite_accepted"} <= set(actions())
    token = db.session.scalar(select(UserToken))
    assert accounts.INVITE_HOURS == 72
    assert token.expires_at - token.created_at == timedelta(hours=72)

    again = site.test_client().get(link)
    assert again.status_code == 410 and GONE in again.get_data(as_text=True)
    _, second = accept(site, link, password="Noch-ein-ganz-anderes-Passwort-9")
    assert second.status_code == 410
    assert password_works(site, "erika@kreis.example", NEW_PASSWORD)


def test_an_expired_or_unknown_invitation_is_refused_kindly(site: Flask) -> None:
    link = invite(signed_in(site, ADMIN), "erika@kreis.example")
    token = db.session.scalar(select(UserToken).where(UserToken.kind == TokenKind.INVITE))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    for path in (link, "/-/einladung/gibt-es-nicht", "/-/passwort-neu/gibt-es-nicht"):
        answer = site.test_client().get(path)
        assert answer.status_code == 410, path
        assert GONE in answer.get_data(as_text=True)
    _, posted = accept(site, "/-/einladung/gibt-es-nicht")
    assert posted.status_code == 410
    assert user("erika@kreis.example").password_hash == ""


def test_a_new_invitation_ends_the_old_link(site: Flask) -> None:
    admin = signed_in(site, ADMIN)
    first = invite(admin, "erika@kreis.example")
    erika = user("erika@kreis.example")
    renewed = post(admin, f"/-/admin/konten/{erika.id}/neue-einladung", {}, "/-/admin/konten")
    assert renewed.status_code == 200
    second = shown_link(renewed.get_data(as_text=True))
    assert second != first
    assert site.test_client().get(first).status_code == 410
    assert accept(site, second)[1].status_code == 302


def test_the_secret_is_stored_only_as_its_hash(site: Flask, tmp_path: Path) -> None:
    link = invite(signed_in(site, ADMIN), "erika@kreis.example")
    secret = link.rsplit("/", 1)[1]
    row = db.session.execute(select(UserToken.__table__)).one()
    assert all(secret not in str(value) for value in row)
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    db.session.remove()
    if not databases.ON_POSTGRES:  # on PostgreSQL, the row above is all there is to see
        raw = b"".join(p.read_bytes() for p in (tmp_path / "data").glob("wissen.sqlite3*"))
        assert raw and secret.encode() not in raw


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"email": "ADMIN@example.org"}, "email", "Es gibt schon ein Konto für admin@example.org"),
        ({"email": "jemand@"}, "email", "gültige E-Mail-Adresse"),
        ({"name": "  "}, "name", "Bitte den Namen eingeben."),
        ({"role": "chef"}, "role", "Bitte eine der drei Rollen wählen."),
        ({"role": "redaktion"}, "regions", "Die Redaktion braucht mindestens eine Region"),
        ({"regions": ["atlantis"]}, "regions", "Mindestens eine der Regionen gibt es nicht."),
    ],
)
def test_a_wrong_invitation_is_refused_in_german_and_creates_nothing(
    site: Flask, form: dict, field: str, message: str
) -> None:
    admin = signed_in(site, ADMIN)
    before = user_count()
    data = {"email": "erika@kreis.example", "name": "Erika", "role": "leser", **form}
    answer = post(admin, "/-/admin/konten/einladen", data, "/-/admin/konten/einladen")
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert message in html and f'href="#feld-{field}"' in html
    assert 'value="Erika"' in html or field == "name"  # what was typed stays
    assert user_count() == before
    assert db.session.scalar(select(func.count(UserToken.id))) == 0
    assert "user.invite" not in actions()


def test_a_mail_server_gets_the_link_and_a_failure_still_shows_it(
    site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            sent.append(("connect", host, port))

        def ehlo(self) -> None: ...

        def has_extn(self, name: str) -> bool:
            return name == "starttls"

        def starttls(self, context: object) -> None:
            sent.append(("starttls",))

        def login(self, name: str, password: str) -> None:
            sent.append(("login", name, password))

        def send_message(self, message) -> None:
            if message["To"] == "kaputt@kreis.example":
                raise ConnectionRefusedError
            sent.append(("message", message["To"], message.get_content()))

        def close(self) -> None: ...

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None: ...

    monkeypatch.setattr("smtplib.SMTP", FakeSMTP)
    site.config.update(SMTP_URL="smtp://bot%40kreis.example:ge%3Aheim@mail.example:587")
    admin = signed_in(site, ADMIN)
    form = {"email": "erika@kreis.example", "name": "Erika", "role": "leser"}
    answer = post(admin, "/-/admin/konten/einladen", form, "/-/admin/konten/einladen")
    html = answer.get_data(as_text=True)
    assert "Der Link ging per E-Mail an erika@kreis.example" in html
    link = shown_link(html)
    assert sent[:3] == [
        ("connect", "mail.example", 587),
        ("starttls",),
        ("login", "bot@kreis.example", "ge:heim"),
    ]
    assert sent[3][1] == "erika@kreis.example" and link in sent[3][2]

    form = {"email": "kaputt@kreis.example", "name": "Kaputt", "role": "leser"}
    failed = post(admin, "/-/admin/konten/einladen", form, "/-/admin/konten/einladen")
    html = failed.get_data(as_text=True)
    assert failed.status_code == 200 and "konnte nicht versandt werden" in html
    assert shown_link(html).startswith("/-/einladung/")
    assert user("kaputt@kreis.example").password_hash == ""


def test_smtps_and_a_wrong_smtp_url(monkeypatch: pytest.MonkeyPatch) -> None:
    from wissen.services import mail

    opened: list = []

    class FakeSSL:
        def __init__(self, host: str, port: int, timeout: float, context: object) -> None:
            opened.append((host, port, context is not None))

        def __enter__(self) -> FakeSSL:
            return self

        def __exit__(self, *exc: object) -> None: ...

        def login(self, name: str, password: str) -> None:
            opened.append((name, password))

        def send_message(self, message) -> None:
            opened.append(message["From"])

    monkeypatch.setattr("smtplib.SMTP_SSL", FakeSSL)
    mail.send("smtps://bot:geheim@mail.example", "wissen@kreis.example", "a@b.de", "Test", "x")
    assert opened == [("mail.example", 465, True), ("bot", "geheim"), "wissen@kreis.example"]
    for wrong in ("http://mail.example", "smtp://mail.example:abc", "smtp://"):
        with pytest.raises(mail.MailFailed, match="WISSEN_SMTP_URL ist ungültig"):
            mail.send(wrong, "", "a@b.de", "Test", "x")


# --- who may administer -------------------------------------------------------------------

ADMIN_GETS = ["/-/admin/konten", "/-/admin/konten/einladen", "/-/admin/konten/{id}"]
ADMIN_POSTS = [
    "/-/admin/konten/einladen",
    "/-/admin/konten/{id}",
    "/-/admin/konten/{id}/sperren",
    "/-/admin/konten/{id}/entsperren",
    "/-/admin/konten/{id}/passwort-link",
    "/-/admin/konten/{id}/neue-einladung",
]


def test_only_admins_reach_the_account_administration(site: Flask) -> None:
    make_user("redaktion@example.org", "redaktion", regions=("pirmasens",))
    make_user("leser@example.org", "leser")
    target = user("leser@example.org").id
    form = {"email": "x@kreis.example", "name": "X", "role": "admin", "regions": ["pirmasens"]}
    for email in ("redaktion@example.org", "leser@example.org"):
        client = signed_in(site, email)
        for path in ADMIN_GETS:
            assert client.get(path.format(id=target)).status_code == 403, (email, path)
        for path in ADMIN_POSTS:
            answer = post(client, path.format(id=target), form, "/-/konto")
            assert answer.status_code == 403, (email, path)
    anonymous = site.test_client()
    for path in ADMIN_GETS:
        answer = anonymous.get(path.format(id=target))
        assert answer.status_code == 302 and "/-/anmelden" in answer.headers["Location"]
    for path in ADMIN_POSTS:
        answer = post(anonymous, path.format(id=target), form)
        assert answer.status_code == 302 and "/-/anmelden" in answer.headers["Location"]
    leser = user("leser@example.org")
    assert leser.role is Role.READER and leser.active and user_count() == 3
    assert db.session.scalar(select(func.count(UserToken.id))) == 0


def test_the_list_shows_role_regions_and_status(site: Flask) -> None:
    make_user("redaktion@example.org", "redaktion", regions=("goerlitz",))
    make_user("gesperrt@example.org", "leser")
    user("gesperrt@example.org").active = False
    db.session.commit()
    admin = signed_in(site, ADMIN)
    invite(admin, "erika@kreis.example")
    html = admin.get("/-/admin/konten").get_data(as_text=True)
    assert "Landkreis Görlitz" in html and "Redaktion" in html
    assert "gesperrt" in html and "Einladung offen bis" in html and "noch nie" in html
    only_invited = admin.get("/-/admin/konten?status=eingeladen").get_data(as_text=True)
    assert "erika@kreis.example" in only_invited and "gesperrt@example.org" not in only_invited
    editors = admin.get("/-/admin/konten?rolle=redaktion").get_data(as_text=True)
    assert "redaktion@example.org" in editors and "erika@kreis.example" not in editors


# --- changing rights, locking -------------------------------------------------------------


def test_a_role_change_ends_the_sessions_of_that_person(site: Flask) -> None:
    make_user("leser@example.org", "leser")
    target = user("leser@example.org")
    theirs = signed_in(site, "leser@example.org")
    assert theirs.get("/-/konto").status_code == 200
    admin = signed_in(site, ADMIN)
    form = {"name": "Lea Leser", "role": "redaktion", "regions": ["pirmasens", "goerlitz"]}
    answer = post(admin, f"/-/admin/konten/{target.id}", form, f"/-/admin/konten/{target.id}")
    assert answer.status_code == 302
    changed = user("leser@example.org")
    assert changed.role is Role.EDITOR and changed.name == "Lea Leser"
    assert sorted(r.slug for r in changed.regions) == ["goerlitz", "pirmasens"]
    ended = theirs.get("/-/konto")
    assert ended.status_code == 302 and "/-/anmelden" in ended.headers["Location"]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.role_changed"))
    assert '"old": {"regions": [], "role": "leser"}' in event.detail
    assert '"role": "redaktion"' in event.detail and event.actor == ADMIN
    assert admin.get("/-/admin/konten").status_code == 200  # the admin stays signed in


def test_a_locked_account_cannot_sign_in_until_unlocked(site: Flask) -> None:
    make_user("leser@example.org", "leser")
    target = user("leser@example.org").id
    theirs = signed_in(site, "leser@example.org")
    admin = signed_in(site, ADMIN)
    assert post(admin, f"/-/admin/konten/{target}/sperren", {}, "/-/konto").status_code == 302
    assert theirs.get("/-/konto").status_code == 302
    assert not password_works(site, "leser@example.org", PASSWORD)
    assert "gesperrt" in admin.get(f"/-/admin/konten/{target}").get_data(as_text=True)
    assert post(admin, f"/-/admin/konten/{target}/entsperren", {}, "/-/konto").status_code == 302
    assert password_works(site, "leser@example.org", PASSWORD)
    assert {"user.deactivated", "user.activated"} <= set(actions())


def test_the_last_admin_and_oneself_are_protected(site: Flask) -> None:
    admin = signed_in(site, ADMIN)
    me = user(ADMIN).id
    demote = {"name": "Admin", "role": "leser"}
    answer = post(admin, f"/-/admin/konten/{me}", demote, "/-/konto")
    assert answer.status_code == 400
    assert "letzte aktive Administrationskonto" in answer.get_data(as_text=True)
    locked = post(admin, f"/-/admin/konten/{me}/sperren", {}, "/-/konto")
    assert locked.status_code == 400 and "letzte aktive" in locked.get_data(as_text=True)
    assert user(ADMIN).role is Role.ADMIN and user(ADMIN).active

    make_user("zweite@example.org", "admin")
    answer = post(admin, f"/-/admin/konten/{me}", demote, "/-/konto")
    assert answer.status_code == 400 and "nicht selbst" in answer.get_data(as_text=True)
    assert user(ADMIN).role is Role.ADMIN
    other = user("zweite@example.org").id
    assert post(admin, f"/-/admin/konten/{other}", demote, "/-/konto").status_code == 302
    assert user("zweite@example.org").role is Role.READER
    own_regions = {"name": "Admin", "role": "admin", "regions": ["goerlitz"]}
    assert post(admin, f"/-/admin/konten/{me}", own_regions, "/-/konto").status_code == 302
    assert admin.get("/-/admin/konten").status_code == 200  # own change: this session goes on


def test_the_service_keeps_the_last_admin_even_without_a_browser(site: Flask) -> None:
    make_user("zweite@example.org", "admin")
    first, second = user(ADMIN), user("zweite@example.org")
    accounts.set_active(db.session, second, False, first)
    with pytest.raises(Invalid, match="letzte aktive"):
        accounts.save(db.session, first, accounts.AccountInput(name="A", role="leser"), first)
    db.session.rollback()
    assert user(ADMIN).role is Role.ADMIN


# --- password links -----------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_and_ends_old_sessions(site: Flask) -> None:
    make_user("leser@example.org", "leser")
    target = user("leser@example.org").id
    theirs = signed_in(site, "leser@example.org")
    admin = signed_in(site, ADMIN)
    answer = post(admin, f"/-/admin/konten/{target}/passwort-link", {}, "/-/konto")
    assert answer.status_code == 200 and "Gültig bis" in answer.get_data(as_text=True)
    link = shown_link(answer.get_data(as_text=True))
    assert link.startswith("/-/passwort-neu/")
    assert password_works(site, "leser@example.org", PASSWORD)  # the old one works until used

    client = site.test_client()
    weak = post(client, link, {"password": "passwort12345", "password2": "passwort12345"}, link)
    assert weak.status_code == 400 and "zu leicht zu erraten" in weak.get_data(as_text=True)
    done = post(client, link, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}, link)
    assert done.status_code == 302 and done.headers["Location"] == "/-/anmelden"
    assert theirs.get("/-/konto").status_code == 302
    assert password_works(site, "leser@example.org", NEW_PASSWORD)
    assert not password_works(site, "leser@example.org", PASSWORD)
    assert client.get(link).status_code == 410
    token = db.session.scalar(select(UserToken).where(UserToken.kind == TokenKind.RESET))
    assert token.used_at is not None
    assert token.expires_at - token.created_at == timedelta(hours=accounts.RESET_HOURS)
    assert {"user.reset_link", "user.password_reset"} <= set(actions())


# --- one's own account --------------------------------------------------------------------


def test_changing_ones_password_needs_the_current_one_and_ends_other_sessions(
    site: Flask,
) -> None:
    make_user("leser@example.org", "leser")
    here = signed_in(site, "leser@example.org")
    elsewhere = signed_in(site, "leser@example.org")
    form = {"current_password": "falsch-falsch-falsch", "password": NEW_PASSWORD}
    wrong = post(here, "/-/konto/passwort", {**form, "password2": NEW_PASSWORD}, "/-/konto")
    assert wrong.status_code == 400
    assert "Das bisherige Passwort stimmt nicht." in wrong.get_data(as_text=True)
    assert password_works(site, "leser@example.org", PASSWORD)

    form = {"current_password": PASSWORD, "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert post(here, "/-/konto/passwort", form, "/-/konto").status_code == 302
    assert here.get("/-/konto").status_code == 200
    assert elsewhere.get("/-/konto").status_code == 302
    assert password_works(site, "leser@example.org", NEW_PASSWORD)
    assert "user.password_changed" in actions()


@pytest.mark.parametrize(
    ("new", "repeat", "message"),
    [
        ("hallo1234567", "hallo1234567", "zu leicht zu erraten"),
        ("leser@example.org1", "leser@example.org1", "zu leicht zu erraten"),
        ("kurz-1", "kurz-1", "mindestens 12 Zeichen"),
        (NEW_PASSWORD, NEW_PASSWORD + "x", "Die beiden Passwörter stimmen nicht überein."),
    ],
)
def test_a_weak_new_password_is_refused_in_german(
    site: Flask, new: str, repeat: str, message: str
) -> None:
    make_user("leser@example.org", "leser")
    client = signed_in(site, "leser@example.org")
    form = {"current_password": PASSWORD, "password": new, "password2": repeat}
    answer = post(client, "/-/konto/passwort", form, "/-/konto")
    assert answer.status_code == 400 and message in answer.get_data(as_text=True)
    assert password_works(site, "leser@example.org", PASSWORD)
    assert client.get("/-/konto").status_code == 200


def test_own_account_shows_rights_and_changes_the_name(site: Flask) -> None:
    make_user("redaktion@example.org", "redaktion", regions=("goerlitz",))
    client = signed_in(site, "redaktion@example.org")
    html = client.get("/-/konto").get_data(as_text=True)
    assert "redaktion@example.org" in html and "Redaktion" in html and "Landkreis Görlitz" in html
    empty = post(client, "/-/konto/name", {"name": " "}, "/-/konto")
    assert empty.status_code == 400 and "Bitte den Namen eingeben." in empty.get_data(as_text=True)
    assert (
        post(client, "/-/konto/name", {"name": "Rita Redakteurin"}, "/-/konto").status_code == 302
    )
    assert "Angemeldet als <strong>Rita Redakteurin</strong>" in client.get("/-/konto").get_data(
        as_text=True
    )
    assert "user.name_changed" in actions()
    assert site.test_client().get("/-/konto").status_code == 302  # anonymous: to the login


def test_signing_out_everywhere_ends_every_session(site: Flask) -> None:
    make_user("leser@example.org", "leser")
    here = signed_in(site, "leser@example.org")
    elsewhere = signed_in(site, "leser@example.org")
    answer = post(here, "/-/konto/ueberall-abmelden", {}, "/-/konto")
    assert answer.status_code == 302
    assert here.get("/-/konto").status_code == 302
    assert elsewhere.get("/-/konto").status_code == 302
    assert password_works(site, "leser@example.org", PASSWORD)


def test_links_work_when_the_site_is_private(tmp_path: Path) -> None:
    from wissen.web import OPEN_ENDPOINTS

    if not {"accounts.accept", "accounts.reset"} <= OPEN_ENDPOINTS:
        pytest.skip("wartet auf accounts.accept/accounts.reset in web.OPEN_ENDPOINTS")
    from .conftest import make_app

    private = make_app(tmp_path, PUBLIC_READ=False)
    make_user(ADMIN, "admin")
    link = invite(signed_in(private, ADMIN), "erika@kreis.example")
    assert private.test_client().get(link).status_code == 200
    assert accept(private, link)[1].status_code == 302
