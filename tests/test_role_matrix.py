"""Who may do what, object by object: the roles × objects × actions matrix of issue #7.

Two regions: A (bremerhaven) and B (ludwigslust-parchim). Five roles: anonym, leser,
redaktion-a, redaktion-b, admin. What each role may do is written down below as plain
tables – never computed with ``can`` (that would test the function against itself).

1. ``can`` itself, table-tested for every role × action × kind of object.
2. Every write route through real HTTP, with a valid CSRF token: an allowed role changes
   the database, a refused one gets 403/404 (or the login page) and changes nothing. The
   IDOR attempts are among them: redaktion-b changing region A's article, document or
   contact by slug, or moving its own region-B content into region A.
3. Every read (pages, forms, the API with session and with API token): only allowed roles
   get to see the marker text of the object.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from wissen.extensions import db
from wissen.models import (
    Article,
    ArticleStatus,
    Base,
    Contact,
    ContactVisibility,
    Document,
    Region,
    Role,
    User,
    utcnow,
)
from wissen.services import (
    api_tokens,
    contact_admin,
    document_admin,
    editing,
    ingest,
    lifecycle,
)
from wissen.services.permissions import Action, can
from wissen.storage import BlobStore

from . import databases
from .conftest import PASSWORD, STARTER, csrf_token_of, load_bundle, login, make_app, make_user

A, B = "bremerhaven", "ludwigslust-parchim"
ROLES = ("anonym", "leser", "redaktion-a", "redaktion-b", "admin")
ACCOUNTS = {
    "leser": ("leser@example.org", "leser", ()),
    "redaktion-a": ("redaktion-a@example.org", "redaktion", (A,)),
    "redaktion-b": ("redaktion-b@example.org", "redaktion", (B,)),
    "admin": ("admin@example.org", "admin", ()),
}

# The objects (slugs); the starter bundle brings the published articles and two contacts.
ARTICLE_A = "zwk-beirat-bremerhaven"
ARTICLE_B = "leuchtturm-strategie-ludwigslust-parchim"
SHARED = "seminar-aktivierung-lokaler-dynamiken"  # no region: every editor's
DRAFT_A, TRASHED_A = "entwurf-a", "papierkorb-a"
DOC_A, DOC_B, TRASHED_DOC_A = "dokument-a", "dokument-b", "dokument-papierkorb-a"
CONTACT_A, CONTACT_B, INTERNAL_A = "eulitz-heike", "kemink-paula", "intern-a"

# Marker texts: seeing one means having been shown the object (or its hidden part).
DRAFT_BODY = "Geheimer Entwurfstext aus Bremerhaven, zweite Fassung."
DRAFT_FIRST = "Erste Fassung des Entwurfs."
TRASHED_BODY = "Dieser Text liegt im Papierkorb."
TRASHED_DOC_TITLE = "Gelöschtes Dokument aus Bremerhaven"
TRASHED_DOC_TEXT = b"Inhalt des geloeschten Dokuments aus Bremerhaven.\n"
CONTACT_A_EMAIL = "heike.eulitz@magistrat.bremerhaven.de"
INTERNAL_NAME = "Ingrid Intern"

EVERYONE = frozenset(ROLES)
SIGNED_IN = frozenset({"leser", "redaktion-a", "redaktion-b", "admin"})
EDITORS = frozenset({"redaktion-a", "redaktion-b", "admin"})
REGION_A = frozenset({"redaktion-a", "admin"})
ADMIN = frozenset({"admin"})


# --- 1. the permission function, table-tested ---------------------------------------------

V, C, E, D, P = Action.VIEW, Action.CREATE, Action.EDIT, Action.DELETE, Action.PURGE
K, M = Action.VIEW_CONTACT_DETAILS, Action.ADMINISTER
LETTERS = {"V": V, "C": C, "E": E, "D": D, "P": P, "K": K, "M": M}


def _region(number: int, slug: str) -> Region:
    return Region(id=number, slug=slug, name=slug)


REGION_OBJ_A, REGION_OBJ_B = _region(1, A), _region(2, B)


def _kinds() -> dict[str, Any]:
    """One object of every kind that matters (unsaved model instances: no database)."""
    now = utcnow()
    published, draft = ArticleStatus.PUBLISHED, ArticleStatus.DRAFT
    public, internal = ContactVisibility.PUBLIC, ContactVisibility.INTERNAL
    return {
        "artikel-a": Article(region=REGION_OBJ_A, status=published),
        "entwurf-a": Article(region=REGION_OBJ_A, status=draft),
        "archiviert-a": Article(region=REGION_OBJ_A, status=ArticleStatus.ARCHIVED),
        "papierkorb-a": Article(region=REGION_OBJ_A, status=published, deleted_at=now),
        "artikel-ohne-region": Article(region=None, status=published),
        "entwurf-ohne-region": Article(region=None, status=draft),
        "dokument-a": Document(region=REGION_OBJ_A),
        "dokument-papierkorb-a": Document(region=REGION_OBJ_A, deleted_at=now),
        "dokument-ohne-region": Document(region=None),
        "kontakt-a": Contact(region=REGION_OBJ_A, visibility=public),
        "kontakt-intern-a": Contact(region=REGION_OBJ_A, visibility=internal),
        "kontakt-ohne-region": Contact(region=None, visibility=public),
        "region-a": REGION_OBJ_A,
        "region-b": REGION_OBJ_B,
        "ganze-website": None,
    }


# Which actions are asked of which kind: contact details only of contacts; for the whole
# site only "view anything", "create anywhere", purge and administration.
ASKED = {name: "VCEDPM" for name in _kinds()}
ASKED.update({n: "VCEDPKM" for n in ("kontakt-a", "kontakt-intern-a", "kontakt-ohne-region")})
ASKED["ganze-website"] = "VCPM"

_EVERYTHING = {name: ASKED[name] for name in ASKED}
_ANONYMOUS = {
    "artikel-a": "V",
    "entwurf-a": "",
    "archiviert-a": "V",
    "papierkorb-a": "",
    "artikel-ohne-region": "V",
    "entwurf-ohne-region": "",
    "dokument-a": "V",
    "dokument-papierkorb-a": "",
    "dokument-ohne-region": "V",
    "kontakt-a": "V",
    "kontakt-intern-a": "",
    "kontakt-ohne-region": "V",
    "region-a": "V",
    "region-b": "V",
    "ganze-website": "V",
}
_READER = {
    **_ANONYMOUS,
    "kontakt-a": "VK",
    "kontakt-intern-a": "VK",
    "kontakt-ohne-region": "VK",
}
CAN_TABLE: dict[str, dict[str, str]] = {
    "anonym": _ANONYMOUS,
    "leser": _READER,
    # An editor account without any region edits nothing (not even content without region).
    "redaktion-ohne-region": _READER,
    "redaktion-a": {
        "artikel-a": "VCED",
        "entwurf-a": "VCED",
        "archiviert-a": "VCED",
        "papierkorb-a": "VCED",
        "artikel-ohne-region": "VCED",
        "entwurf-ohne-region": "VCED",
        "dokument-a": "VCED",
        "dokument-papierkorb-a": "VCED",
        "dokument-ohne-region": "VCED",
        "kontakt-a": "VCEDK",
        "kontakt-intern-a": "VCEDK",
        "kontakt-ohne-region": "VCEDK",
        "region-a": "VCED",
        "region-b": "V",
        "ganze-website": "VC",
    },
    "redaktion-b": {
        "artikel-a": "V",
        "entwurf-a": "",
        "archiviert-a": "V",
        "papierkorb-a": "",
        "artikel-ohne-region": "VCED",
        "entwurf-ohne-region": "VCED",
        "dokument-a": "V",
        "dokument-papierkorb-a": "",
        "dokument-ohne-region": "VCED",
        "kontakt-a": "VK",
        "kontakt-intern-a": "VK",
        "kontakt-ohne-region": "VCEDK",
        "region-a": "V",
        "region-b": "VCED",
        "ganze-website": "VC",
    },
    "admin": _EVERYTHING,
    # A deactivated account has no rights left at all, not even its old admin rights.
    "admin-deaktiviert": _ANONYMOUS,
}


def _account(role: str) -> User | None:
    regions = {
        "redaktion-a": [REGION_OBJ_A],
        "redaktion-b": [REGION_OBJ_B],
    }.get(role, [])
    if role == "anonym":
        return None
    kind = Role.ADMIN if role.startswith("admin") else Role(role.split("-")[0])
    return User(role=kind, regions=regions, active=role != "admin-deaktiviert")


@pytest.mark.parametrize("role", list(CAN_TABLE))
def test_can_answers_the_table(role: str) -> None:
    user = _account(role)
    wrong = {}
    for name, obj in _kinds().items():
        got = "".join(a for a in ASKED[name] if can(user, LETTERS[a], obj))
        want = "".join(a for a in ASKED[name] if a in CAN_TABLE[role][name])
        if got != want:
            wrong[name] = f"erwartet {want or '–'}, bekommen {got or '–'}"
    assert not wrong, wrong


@pytest.mark.parametrize("role", list(CAN_TABLE))
def test_a_private_site_shows_anonymous_visitors_nothing(role: str) -> None:
    user = _account(role)
    for name, obj in _kinds().items():
        viewable = can(user, V, obj, public_read=False)
        signed_in_before = role not in ("anonym", "admin-deaktiviert")
        assert viewable is ("V" in CAN_TABLE[role][name] and signed_in_before), name


# --- the world for the HTTP tests (built once, copied for every test) -----------------------


def _by_slug(model: type, slug: str) -> Any:
    found = db.session.scalar(select(model).where(model.slug == slug))
    assert found is not None, slug
    return found


def _user(role: str) -> User:
    found = db.session.scalar(select(User).where(User.email == ACCOUNTS[role][0]))
    assert found is not None
    return found


def _build(app: Flask) -> dict[str, str]:
    """Region A and B content next to the starter bundle; returns an API token per role."""
    load_bundle(app, STARTER)
    for email, role, regions in ACCOUNTS.values():
        make_user(email, role, regions)
    admin = _user("admin")
    s = db.session

    def article(slug: str, title: str, body: str) -> Article:
        data = editing.ArticleInput(title=title, kind="leitfaden", region=A, body=body)
        return editing.create_article(s, data, admin, slug=slug)

    draft = article(DRAFT_A, "Entwurf aus Bremerhaven", DRAFT_FIRST)
    editing.save_article(s, draft, dataclasses.replace(_input(draft), body=DRAFT_BODY), 1, admin)
    trashed = article(TRASHED_A, "Gelöschter Artikel aus Bremerhaven", TRASHED_BODY)
    lifecycle.set_status(s, trashed, ArticleStatus.PUBLISHED, admin)
    lifecycle.move_to_trash(s, trashed, admin)

    store = BlobStore(app.config["UPLOAD_DIR"])
    for slug, title, region, content in (
        (DOC_A, "Dokument aus Bremerhaven", A, b"Bericht aus Bremerhaven.\n"),
        (DOC_B, "Dokument aus Ludwigslust-Parchim", B, b"Bericht aus Ludwigslust.\n"),
        (TRASHED_DOC_A, TRASHED_DOC_TITLE, A, TRASHED_DOC_TEXT),
    ):
        meta = ingest.DocumentInput(title=title, kind="bericht", region=region)
        accepted = ingest.ingest(s, store, io.BytesIO(content), f"{slug}.txt", meta, admin)
        accepted.document.slug = slug
        s.commit()
    document_admin.move_to_trash(s, _by_slug(Document, TRASHED_DOC_A), admin)

    internal = contact_admin.ContactInput(
        name=INTERNAL_NAME,
        role="Sachbearbeitung Seniorenarbeit",
        region=A,
        email="ingrid.intern@bremerhaven.example",
        visibility="intern",
    )
    contact_admin.create_contact(s, internal, admin).slug = INTERNAL_A
    # Confirmed long ago, so that "bestätigen" visibly changes something.
    _by_slug(Contact, CONTACT_A).last_reviewed = date(2020, 1, 1)
    s.commit()
    return {role: api_tokens.create(s, _user(role), "Matrix").secret for role in ACCOUNTS}


def _input(article: Article) -> editing.ArticleInput:
    return editing.ArticleInput(
        title=article.title,
        kind=article.kind.value,
        region=article.region.slug if article.region else "",
        body=article.body,
    )


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, str]]]:
    root = tmp_path_factory.mktemp("rollen")
    app = make_app(root)
    with app.app_context():
        secrets = _build(app)
        db.session.remove()
    db.engine.dispose()  # type: ignore[union-attr]
    yield root / "data", secrets


@pytest.fixture
def world(prepared: tuple[Path, dict[str, str]], tmp_path: Path) -> Iterator[Flask]:
    from wissen.services import search

    databases.copy_data(prepared[0], tmp_path / "data")
    search._indexes.clear()
    app = make_app(tmp_path)
    yield app
    db.session.remove()


def client_for(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != "anonym":
        login(client, ACCOUNTS[role][0], PASSWORD)
    return client


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every content table (not the audit trail, index queue, search log)."""
    db.session.remove()
    skip = {"audit_events", "index_changes", "search_misses"}
    return {
        t.name: sorted(map(tuple, db.session.execute(t.select())), key=repr)
        for t in Base.metadata.sorted_tables
        if t.name not in skip
    }


# --- 2. every write route -------------------------------------------------------------------


def _article_form(slug: str, **changes: Any) -> dict[str, Any]:
    a = _by_slug(Article, slug)
    form = {
        "title": a.title,
        "kind": a.kind.value,
        "region": a.region.slug if a.region else "",
        "themes": [t.slug for t in a.themes],
        "tags": ", ".join(t.name for t in a.tags),
        "contacts": [c.slug for c in a.contacts],
        "summary": a.summary,
        "date": a.date.isoformat() if a.date else "",
        "place": a.place,
        "body": a.body + "\n\nEin neuer Absatz.",
        "base_revision": a.current_revision.number,
        "base_version": a.edit_version,
    }
    return {**form, **changes}


def _document_form(slug: str, **changes: Any) -> dict[str, Any]:
    d = _by_slug(Document, slug)
    form = dataclasses.asdict(document_admin.input_of(d))
    return {**form, "title": d.title + " (geändert)", "base_version": d.edit_version, **changes}


def _contact_form(slug: str, **changes: Any) -> dict[str, Any]:
    form = dataclasses.asdict(contact_admin.input_of(_by_slug(Contact, slug)))
    return {**form, "role": "Geänderte Funktion", **changes}


def _new_article(region: str) -> dict[str, Any]:
    title = f"Neu ({region or 'ohne Region'})"
    return {"title": title, "kind": "leitfaden", "region": region, "body": "Text."}


NEW_CONTACT = {
    "name": "Neue Person",
    "role": "Koordinatorin",
    "region": A,
    "visibility": "oeffentlich",
}
NEW_REGION = {"name": "Landkreis Neu", "kind": "Landkreis", "state": "Bayern"}


@dataclasses.dataclass(frozen=True)
class Write:
    url: str
    allowed: frozenset[str]
    form: Callable[[], dict[str, Any]] = dict
    file: tuple[str, bytes] | None = None  # (field, content) for uploads


WRITES: dict[str, Write] = {
    # articles of region A
    "artikel-a bearbeiten": Write(f"/artikel/{ARTICLE_A}/bearbeiten", REGION_A,
                                  lambda: _article_form(ARTICLE_A)),
    "entwurf-a veröffentlichen": Write(f"/artikel/{DRAFT_A}/status", REGION_A,
                                       lambda: {"status": "veroeffentlicht"}),
    "artikel-a als geprüft": Write(f"/artikel/{ARTICLE_A}/geprueft", REGION_A),
    "artikel-a umbenennen": Write(f"/artikel/{ARTICLE_A}/umbenennen", REGION_A,
                                  lambda: {"slug": "umbenannt"}),
    "artikel-a löschen": Write(f"/artikel/{ARTICLE_A}/loeschen", REGION_A),
    "papierkorb-a wiederherstellen": Write(f"/artikel/{TRASHED_A}/wiederherstellen", REGION_A),
    "papierkorb-a endgültig löschen": Write(f"/artikel/{TRASHED_A}/endgueltig-loeschen", ADMIN),
    "entwurf-a Version 1 zurückholen": Write(
        f"/artikel/{DRAFT_A}/versionen/1/wiederherstellen", REGION_A),
    "artikel in A anlegen": Write("/artikel/neu", REGION_A, lambda: _new_article(A)),
    # IDOR: region B's editor moves their own article into region A
    "artikel-b nach A verschieben": Write(f"/artikel/{ARTICLE_B}/bearbeiten", ADMIN,
                                          lambda: _article_form(ARTICLE_B, region=A)),
    # content without region belongs to every editor
    "artikel ohne Region bearbeiten": Write(f"/artikel/{SHARED}/bearbeiten", EDITORS,
                                            lambda: _article_form(SHARED)),
    "artikel ohne Region anlegen": Write("/artikel/neu", EDITORS, lambda: _new_article("")),
    # documents
    "dokument-a bearbeiten": Write(f"/dokumente/{DOC_A}/bearbeiten", REGION_A,
                                   lambda: _document_form(DOC_A)),
    "dokument-a ersetzen": Write(f"/dokumente/{DOC_A}/ersetzen", REGION_A,
                                 file=("datei", b"Neue Fassung des Berichts.\n")),
    "dokument-a löschen": Write(f"/dokumente/{DOC_A}/loeschen", REGION_A),
    "dokument-papierkorb-a wiederherstellen": Write(
        f"/dokumente/{TRASHED_DOC_A}/wiederherstellen", REGION_A),
    "dokument-papierkorb-a endgültig löschen": Write(
        f"/dokumente/{TRASHED_DOC_A}/endgueltig-loeschen", ADMIN),
    "dokument in A hochladen": Write("/dokumente/neu", REGION_A,
                                     lambda: {"kind": "bericht", "region": A},
                                     file=("dateien", b"Ganz neuer Bericht.\n")),
    "dokument-b nach A verschieben": Write(f"/dokumente/{DOC_B}/bearbeiten", ADMIN,
                                           lambda: _document_form(DOC_B, region=A)),
    # contacts
    "kontakt-a bearbeiten": Write(f"/kontakte/{CONTACT_A}/bearbeiten", REGION_A,
                                  lambda: _contact_form(CONTACT_A)),
    "kontakt-a bestätigen": Write(f"/kontakte/{CONTACT_A}/bestaetigen", REGION_A),
    "kontakt-a entfernen": Write(f"/kontakte/{CONTACT_A}/entfernen", REGION_A,
                                 lambda: {"bestaetigt": "ja"}),
    "kontakt-intern-a entfernen": Write(f"/kontakte/{INTERNAL_A}/entfernen", REGION_A,
                                        lambda: {"bestaetigt": "ja"}),
    "kontakt in A anlegen": Write("/kontakte/neu", REGION_A, lambda: dict(NEW_CONTACT)),
    "kontakt-b nach A verschieben": Write(f"/kontakte/{CONTACT_B}/bearbeiten", ADMIN,
                                          lambda: _contact_form(CONTACT_B, region=A)),
    # administration
    "region anlegen": Write("/-/admin/regionen/neu", ADMIN, lambda: dict(NEW_REGION)),
    "region-a umbenennen": Write(f"/-/admin/regionen/{A}", ADMIN,
                                 lambda: {"name": "Bremerhaven (neu)", "kind": "kreisfreie Stadt",
                                          "state": "Bremen"}),
    "thema umbenennen": Write("/-/admin/themen/ehrenamt", ADMIN,
                              lambda: {"name": "Ehrenamt (neu)", "position": "1"}),
    "thesaurus speichern": Write("/-/admin/suche/thesaurus", ADMIN,
                                 lambda: {"text": "bürgerbus, rufbus"}),
}  # fmt: skip


def _post(client: FlaskClient, write: Write) -> Any:
    fields = MultiDict()
    for key, value in {**write.form(), "csrf_token": csrf_token_of(client)}.items():
        for item in value if isinstance(value, list) else [value]:
            fields.add(key, item)
    if write.file is None:
        return client.post(write.url, data=fields)
    name, content = write.file
    fields.add(name, FileStorage(stream=io.BytesIO(content), filename="neu.txt"))
    boundary, body = encode_multipart(fields)
    return client.post(
        write.url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def _to_login(answer: Any) -> bool:
    return answer.status_code == 302 and "/-/anmelden" in answer.headers.get("Location", "")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", list(WRITES))
def test_write_routes(world: Flask, role: str, case: str) -> None:
    write = WRITES[case]
    client = client_for(world, role)
    before = snapshot()

    answer = _post(client, write)

    changed = snapshot() != before
    body = answer.get_data(as_text=True)[:300]
    if role in write.allowed:
        assert answer.status_code in (200, 302) and not _to_login(answer), (answer.status, body)
        assert changed, "erlaubt, aber nichts gespeichert"
    else:
        assert not changed, "verweigert, aber die Datenbank hat sich geändert"
        if role == "anonym":
            assert _to_login(answer), answer.status
        elif case == "dokument in A hochladen":
            # The upload page reports the refusal per file (several files in one go).
            assert answer.status_code == 400, answer.status
            assert "keine Dokumente hochladen" in answer.get_data(as_text=True)
        else:
            assert answer.status_code in (403, 404), (answer.status, body)


# --- 3. every read --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Read:
    url: str
    shows: str  # only an allowed role gets to see this text
    allowed: frozenset[str]
    # Public pages that hide only a part (contact details, one entry of a list): refused
    # roles get the page (200) without the marker, not an error.
    partial: bool = False


PAGES: dict[str, Read] = {
    "artikel-a": Read(f"/artikel/{ARTICLE_A}", "ZWK-Beirat", EVERYONE),
    "entwurf-a": Read(f"/artikel/{DRAFT_A}", DRAFT_BODY, REGION_A),
    "entwurf-a Versionen": Read(f"/artikel/{DRAFT_A}/versionen", "Entwurf aus Bremerhaven",
                                REGION_A),
    "entwurf-a Version 1": Read(f"/artikel/{DRAFT_A}/versionen/1", DRAFT_FIRST, REGION_A),
    "entwurf-a Vergleich": Read(f"/artikel/{DRAFT_A}/vergleich?von=1&zu=2",
                                "Entwurf aus Bremerhaven", REGION_A),
    "papierkorb-a": Read(f"/artikel/{TRASHED_A}", TRASHED_BODY, REGION_A),
    "artikel-a Formular": Read(f"/artikel/{ARTICLE_A}/bearbeiten", 'name="base_revision"',
                               REGION_A),
    "artikel-a Umbenennen": Read(f"/artikel/{ARTICLE_A}/umbenennen", 'name="slug"', REGION_A),
    "neuer Artikel": Read("/artikel/neu", "Welche Art von Beitrag", EDITORS),
    "dokument-a": Read(f"/dokumente/{DOC_A}", "Dokument aus Bremerhaven", EVERYONE),
    "dokument-papierkorb-a": Read(f"/dokumente/{TRASHED_DOC_A}", TRASHED_DOC_TITLE, REGION_A),
    "dokument-papierkorb-a Datei": Read(f"/dokumente/{TRASHED_DOC_A}/datei",
                                        TRASHED_DOC_TEXT.decode(), REGION_A),
    "dokument-a Formular": Read(f"/dokumente/{DOC_A}/bearbeiten", 'name="base_version"',
                                REGION_A),
    "dokument hochladen": Read("/dokumente/neu", 'name="dateien"', EDITORS),
    "kontakt-a": Read(f"/kontakte/{CONTACT_A}", "Heike Eulitz", EVERYONE),
    "kontakt-a E-Mail": Read(f"/kontakte/{CONTACT_A}", CONTACT_A_EMAIL, SIGNED_IN, True),
    "kontakt-a vCard E-Mail": Read(f"/kontakte/{CONTACT_A}/visitenkarte.vcf", CONTACT_A_EMAIL,
                                   SIGNED_IN, True),
    "kontakt-intern-a": Read(f"/kontakte/{INTERNAL_A}", INTERNAL_NAME, SIGNED_IN),
    "kontakte-liste intern": Read("/kontakte", INTERNAL_NAME, SIGNED_IN, True),
    "kontakt-a Formular": Read(f"/kontakte/{CONTACT_A}/bearbeiten", 'id="feld-consent_date"',
                               REGION_A),
    "kontakt-a Entfernen": Read(f"/kontakte/{CONTACT_A}/entfernen",
                                "Die Person hat die Löschung verlangt", REGION_A),
    "neuer Kontakt": Read("/kontakte/neu", 'id="feld-consent_date"', EDITORS),
    "papierkorb": Read("/-/papierkorb", "<h1>Papierkorb</h1>", EDITORS),
    "papierkorb zeigt papierkorb-a": Read("/-/papierkorb", "Gelöschter Artikel aus Bremerhaven",
                                          REGION_A, True),
    "papierkorb zeigt dokument-papierkorb-a": Read("/-/papierkorb", TRASHED_DOC_TITLE,
                                                   REGION_A, True),
    "zu prüfende Artikel": Read("/-/pruefen", "<h1>Zu prüfende Artikel</h1>", EDITORS),
    "zu bestätigende Kontakte": Read("/-/kontakte-bestaetigen", "<h1>Zu bestätigende Kontakte",
                                     EDITORS),
    "zu bestätigen zeigt kontakt-a": Read("/-/kontakte-bestaetigen", "Heike Eulitz",
                                          REGION_A, True),
    "verwaltung": Read("/-/admin/", "<h1>Verwaltung</h1>", ADMIN),
    "regionen verwalten": Read("/-/admin/regionen", "<h1>Regionen verwalten", ADMIN),
    "region-a Formular": Read(f"/-/admin/regionen/{A}", 'name="ags"', ADMIN),
    "themen verwalten": Read("/-/admin/themen", "<h1>Themen verwalten", ADMIN),
    "suche verwalten": Read("/-/admin/suche", "<h1>Suche verwalten", ADMIN),
    "eigene API-Tokens": Read("/-/konto/tokens", "<h1>API-Tokens</h1>", SIGNED_IN),
}  # fmt: skip

API: dict[str, Read] = {
    "artikel-a": Read(f"/api/v1/articles/{ARTICLE_A}", ARTICLE_A, EVERYONE),
    "entwurf-a": Read(f"/api/v1/articles/{DRAFT_A}", DRAFT_BODY, REGION_A),
    "papierkorb-a": Read(f"/api/v1/articles/{TRASHED_A}", TRASHED_BODY, REGION_A),
    "dokument-a": Read(f"/api/v1/documents/{DOC_A}", "Dokument aus Bremerhaven", EVERYONE),
    "dokument-papierkorb-a": Read(f"/api/v1/documents/{TRASHED_DOC_A}", TRASHED_DOC_TITLE,
                                  REGION_A),
    "kontakt-a E-Mail": Read(f"/api/v1/contacts/{CONTACT_A}", CONTACT_A_EMAIL, SIGNED_IN, True),
    "kontakt-intern-a": Read(f"/api/v1/contacts/{INTERNAL_A}", INTERNAL_NAME, SIGNED_IN),
    "suche findet entwurf-a": Read("/api/v1/search?q=Entwurfstext", DRAFT_A, REGION_A, True),
}  # fmt: skip


def _mismatches(
    client: FlaskClient, role: str, reads: dict[str, Read], headers: dict[str, str]
) -> dict[str, str]:
    wrong = {}
    for name, read in reads.items():
        answer = client.get(read.url, headers=headers)
        text = answer.get_data(as_text=True)
        answer.close()  # downloads are streamed from a file
        if answer.is_json:  # JSON escapes umlauts
            text = json.dumps(answer.get_json(), ensure_ascii=False)
        seen = read.shows in text
        if role in read.allowed:
            ok = answer.status_code == 200 and seen
        else:
            refusals = {200, 403, 404} if read.partial else {403, 404}
            ok = not seen and (answer.status_code in refusals or _to_login(answer))
        if not ok:
            wrong[name] = f"{answer.status_code}, Kennzeichen {'gezeigt' if seen else 'fehlt'}"
    return wrong


@pytest.mark.parametrize("role", ROLES)
def test_pages_and_forms(world: Flask, role: str) -> None:
    wrong = _mismatches(client_for(world, role), role, PAGES, {})
    assert not wrong, wrong


@pytest.mark.parametrize("role", ROLES)
def test_api_with_the_session(world: Flask, role: str) -> None:
    wrong = _mismatches(client_for(world, role), role, API, {})
    assert not wrong, wrong


@pytest.mark.parametrize("role", sorted(SIGNED_IN))
def test_api_with_an_api_token(
    world: Flask, prepared: tuple[Path, dict[str, str]], role: str
) -> None:
    headers = {"Authorization": f"Bearer {prepared[1][role]}"}
    wrong = _mismatches(world.test_client(), role, API, headers)
    assert not wrong, wrong


# The API answers a hidden draft or deleted article exactly like a slug that does not
# exist, so that nobody learns which drafts there are.
@pytest.mark.parametrize("role", ["leser", "redaktion-b"])
@pytest.mark.parametrize("slug", [DRAFT_A, TRASHED_A])
def test_the_api_does_not_reveal_that_a_hidden_article_exists(
    world: Flask, prepared: tuple[Path, dict[str, str]], role: str, slug: str
) -> None:
    client = world.test_client()
    headers = {"Authorization": f"Bearer {prepared[1][role]}"}
    hidden = client.get(f"/api/v1/articles/{slug}", headers=headers)
    missing = client.get("/api/v1/articles/gibt-es-nicht", headers=headers)
    assert hidden.status_code == missing.status_code == 404
