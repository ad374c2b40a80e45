"""The audit log as admins read it: filters, pages, CSV for German Excel, retention."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wissen import jobs
from wissen.extensions import db
from wissen.models import AuditEvent, utcnow
from wissen.services import audit_log

from .conftest import login, make_app, make_user

ADMIN = "admin@example.org"
EDITOR = "redaktion@example.org"
READER = "leser@example.org"


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# Four events chosen around the edges: B is 20 Feb in UTC but 21 Feb in German time,
# D is the last minute of 31 March in German summer time.
SEEDED = [
    ("article.edit", "anna@kreis.de", "article", "buergerbus-land", at(2026, 1, 10, 12, 0)),
    ("contact.edit", "bernd@stadt.de", "contact", "mueller-jo", at(2026, 2, 20, 23, 30)),
    ("login.failed", "anonym", "user", "carla@amt.de", at(2026, 3, 5, 8, 0)),
    ("article.delete", "anna@kreis.de", "article", "pflege-netz", at(2026, 3, 31, 21, 59)),
]
KEYS = {row[3] for row in SEEDED}


def add_event(action: str, actor: str, object_type: str, key: str, when: datetime, **detail):
    db.session.add(
        AuditEvent(
            action=action,
            actor=actor,
            object_type=object_type,
            object_key=key,
            created_at=when,
            detail=json.dumps(detail, ensure_ascii=False) if detail else "",
        )
    )


@pytest.fixture
def admin(app: Flask) -> FlaskClient:
    with app.app_context():
        make_user(ADMIN, "admin")
        make_user(EDITOR, "redaktion")
        make_user(READER, "leser")
        for row in SEEDED:
            add_event(*row)
        db.session.commit()
    client = app.test_client()
    login(client, ADMIN)
    return client


def table_of(html: str) -> str:
    match = re.search(r"<tbody>(.*)</tbody>", html, re.S)
    return match.group(1) if match else ""


def keys_shown(client: FlaskClient, query: str) -> set[str]:
    answer = client.get(f"/-/admin/protokoll?{query}")
    assert answer.status_code == 200
    rows = table_of(answer.get_data(as_text=True))
    return {key for key in KEYS if key in rows}


def test_newest_first_in_german_time_with_german_labels(admin: FlaskClient) -> None:
    html = admin.get("/-/admin/protokoll").get_data(as_text=True)
    rows = table_of(html)
    assert rows.index("pflege-netz") < rows.index("mueller-jo") < rows.index("buergerbus-land")
    assert "31.03.2026, 23:59:00 Uhr" in rows  # CEST: UTC+2
    assert "10.01.2026, 13:00:00 Uhr" in rows  # CET: UTC+1
    assert "Anmeldung fehlgeschlagen" in rows and "login.failed" not in rows
    assert '<th scope="col">Zeitpunkt</th>' in html and '<th scope="row">' in rows
    assert '<option value="article.edit">Artikel bearbeitet</option>' in html


def test_an_unknown_action_shows_its_code(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        add_event("import.magic", "cli", "", "x-1", utcnow())
        db.session.commit()
    assert "import.magic" in table_of(admin.get("/-/admin/protokoll").get_data(as_text=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("aktion=article.edit", {"buergerbus-land"}),
        ("person=ANNA", {"buergerbus-land", "pflege-netz"}),
        ("art=contact", {"mueller-jo"}),
        ("objekt=NETZ", {"pflege-netz"}),
        ("objekt=carla%40amt", {"carla@amt.de"}),
        ("von=2026-02-21", {"mueller-jo", "carla@amt.de", "pflege-netz"}),
        ("bis=2026-02-20", {"buergerbus-land"}),
        ("von=2026-03-31&bis=2026-03-31", {"pflege-netz"}),
        ("von=21.02.2026&bis=05.03.2026", {"mueller-jo", "carla@amt.de"}),
        ("person=anna&art=article&bis=2026-02-01", {"buergerbus-land"}),
        ("person=niemand", set()),
    ],
)
def test_each_filter_narrows_the_rows(admin: FlaskClient, query: str, expected: set) -> None:
    assert keys_shown(admin, query) == expected


def test_a_person_filter_with_like_wildcards_matches_them_literally(admin: FlaskClient) -> None:
    assert keys_shown(admin, "person=a_na") == set()
    assert keys_shown(admin, "objekt=%25") == set()


def test_each_filter_can_be_removed_on_its_own(admin: FlaskClient) -> None:
    html = admin.get("/-/admin/protokoll?aktion=article.edit&person=anna").get_data(as_text=True)
    chips = re.search(r'<ul class="filter-aktiv"[^>]*>(.*?)</ul>', html, re.S).group(1)
    links = dict(
        (text.strip(), href.replace("&amp;", "&"))
        for href, text in re.findall(r'<a href="([^"]+)">([^<]+)<span', chips)
    )
    assert links == {
        "Aktion: Artikel bearbeitet": "/-/admin/protokoll?person=anna",
        "Person: anna": "/-/admin/protokoll?aktion=article.edit",
    }
    assert 'href="/-/admin/protokoll">Alle Filter entfernen' in html


def test_invalid_dates_get_a_german_error_and_the_form_stays(admin: FlaskClient) -> None:
    answer = admin.get("/-/admin/protokoll?von=31.02.2026&person=anna")
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "„31.02.2026“ ist kein gültiges Datum" in html
    assert 'href="#feld-von"' in html and 'aria-invalid="true"' in html
    assert 'value="anna"' in html  # what was typed stays
    assert "<tbody>" not in html  # no rows that look filtered but are not
    for odd in ("9999-12-31", "0001-01-01", "2026-13-01", "x" * 300):
        assert admin.get(f"/-/admin/protokoll?bis={odd}").status_code == 400
    backwards = admin.get("/-/admin/protokoll?von=2026-03-01&bis=2026-02-01")
    assert backwards.status_code == 400
    assert "Das Datum „bis“ liegt vor dem Datum „von“." in backwards.get_data(as_text=True)


def test_fifty_per_page_with_page_links(app: Flask, admin: FlaskClient) -> None:
    start = at(2025, 6, 1, 9, 0)
    with app.app_context():
        for n in range(120):
            add_event(
                "bulk.test", "cli", "article", f"massen-{n:03d}", start + timedelta(minutes=n)
            )
        db.session.commit()
    first = admin.get("/-/admin/protokoll?aktion=bulk.test").get_data(as_text=True)
    assert table_of(first).count("<tr>") == 50
    assert "massen-119" in first and "massen-069" not in first  # newest first
    assert "120 Einträge" in first and "Seite 1 von 3" in first
    assert 'href="/-/admin/protokoll?aktion=bulk.test&amp;page=2"' in first
    second = table_of(admin.get("/-/admin/protokoll?aktion=bulk.test&page=2").get_data(True))
    assert "massen-069" in second and "massen-020" in second and "massen-070" not in second
    last = admin.get("/-/admin/protokoll?aktion=bulk.test&page=3").get_data(as_text=True)
    assert table_of(last).count("<tr>") == 20 and "massen-000" in last
    beyond = admin.get("/-/admin/protokoll?aktion=bulk.test&page=99").get_data(as_text=True)
    assert "Seite 3 von 3" in beyond


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel then reads UTF-8
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8")), delimiter=";"))


def test_csv_has_the_filtered_rows_for_german_excel(app: Flask, admin: FlaskClient) -> None:
    answer = admin.get("/-/admin/protokoll.csv?person=anna")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
    today = datetime.now(audit_log.BERLIN).date().isoformat()
    assert answer.headers["Content-Disposition"] == (
        f'attachment; filename="protokoll-{today}.csv"'
    )
    rows = read_csv(answer.data)
    assert rows[0] == [
        "Zeitpunkt",
        "Person",
        "Aktion",
        "Aktionscode",
        "Objektart",
        "Objekt",
        "Details",
    ]
    assert rows[1][:6] == [
        "2026-03-31T23:59:00+02:00",
        "anna@kreis.de",
        "Artikel in den Papierkorb gelegt",
        "article.delete",
        "Artikel",
        "pflege-netz",
    ]
    assert [r[5] for r in rows[1:]] == ["pflege-netz", "buergerbus-land"]
    with app.app_context():
        exported = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "audit.exported")
        )
        assert exported.actor == ADMIN
        assert json.loads(exported.detail) == {"filter": {"person": "anna"}, "rows": 2}


def test_csv_cells_that_a_spreadsheet_would_run_are_defused(app: Flask, admin: FlaskClient) -> None:
    with app.app_context():
        when = at(2026, 4, 2, 10, 0)
        add_event("contact.remove", "=cmd|' /C calc'!A0", "contact", "+49-kontakt", when)
        add_event("x.y", "@SUMME(A1)", "", "-2+3", when, title="\tTab", note="=1+1")
        add_event("x.y", "\rzeile", "", "normal-öäü", when)
        db.session.commit()
    rows = read_csv(admin.get("/-/admin/protokoll.csv?von=2026-04-02").data)
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=cmd|' /C calc'!A0" in cells and "'+49-kontakt" in cells
    assert "'@SUMME(A1)" in cells and "'-2+3" in cells and "'\rzeile" in cells
    assert "normal-öäü" in cells and "Kontaktdaten auf Wunsch gelöscht" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_csv_with_a_wrong_date_exports_nothing(app: Flask, admin: FlaskClient) -> None:
    answer = admin.get("/-/admin/protokoll.csv?bis=morgen")
    assert answer.status_code == 400
    assert "„morgen“ ist kein gültiges Datum" in answer.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.exported"))
            is None
        )


@pytest.mark.parametrize("path", ["/-/admin/protokoll", "/-/admin/protokoll.csv"])
@pytest.mark.parametrize("email", [EDITOR, READER])
def test_only_admins_read_the_log(admin: FlaskClient, app: Flask, path: str, email: str) -> None:
    client = app.test_client()
    login(client, email)
    answer = client.get(path)
    assert answer.status_code == 403
    assert "anna@kreis.de" not in answer.get_data(as_text=True)
    anonymous = app.test_client().get(path)
    assert anonymous.status_code == 302 and "/-/anmelden" in anonymous.headers["Location"]


# --- retention ---------------------------------------------------------------------------


def test_purge_deletes_only_events_past_retention_and_logs_how_many(app: Flask) -> None:
    now = at(2026, 6, 1, 12, 0)
    with app.app_context():
        add_event("article.edit", "a@b.de", "article", "alt-1", now - timedelta(days=31))
        add_event("article.edit", "a@b.de", "article", "alt-2", now - timedelta(days=400))
        add_event("article.edit", "a@b.de", "article", "frisch", now - timedelta(days=29))
        db.session.commit()
        assert audit_log.purge_older_than(db.session, 30, now=now) == 2
        left = db.session.scalars(select(AuditEvent.object_key)).all()
        assert "frisch" in left and "alt-1" not in left and "alt-2" not in left
        purged = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "audit.purged"))
        assert purged.actor == "system" and json.loads(purged.detail)["deleted"] == 2


def test_the_daily_job_uses_the_retention_setting(tmp_path: Path) -> None:
    app = make_app(tmp_path, AUDIT_RETENTION_DAYS=10)
    with app.app_context():
        add_event("article.edit", "a@b.de", "article", "elf-tage", utcnow() - timedelta(days=11))
        add_event("article.edit", "a@b.de", "article", "neun-tage", utcnow() - timedelta(days=9))
        db.session.commit()
        jobs.purge_audit_log()  # immediate mode in tests: runs now
        db.session.expire_all()
        left = db.session.scalars(select(AuditEvent.object_key)).all()
        assert "neun-tage" in left and "elf-tage" not in left
    db.session.remove()


def test_the_job_is_scheduled_daily_and_consumers_run_it() -> None:
    due = [t.name for t in jobs.huey.read_periodic(datetime(2026, 5, 4, 3, 17))]
    assert any("purge_audit_log" in name for name in due)
    assert not jobs.huey.read_periodic(datetime(2026, 5, 4, 4, 17))
    assert jobs.worker_consumer(1).periodic is True


def test_every_action_the_code_records_has_a_german_label() -> None:
    root = Path(__file__).resolve().parents[1] / "wissen"
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'audit\.record\(\s*[\w.]+,\s*"([a-z_.]+)"', text))
    assert len(found) > 30
    missing = sorted(found - set(audit_log.ACTION_LABELS))
    assert not missing, f"ohne deutsche Bezeichnung: {missing}"
