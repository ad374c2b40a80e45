"""The contact directory as editors and visitors use it, with the DSGVO rules."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import vobject
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from wissen.extensions import db
from wissen.models import Article, AuditEvent, Contact, ContactVisibility
from wissen.services import contact_admin, indexing

from .conftest import EVAL_DEV, csrf_token_of, login

pytestmark = pytest.mark.skipif(not EVAL_DEV.is_dir(), reason="../shared/eval-dev fehlt")

EDITOR = "redaktion@example.org"  # edits the region pirmasens
GOOD = {
    "name": "Jördis Müller-Öztürk",
    "role": "Koordinatorin Bürgerbus",
    "organisation": "Stadtverwaltung Pirmasens",
    "region": "pirmasens",
    "email": "Joerdis.Mueller@Pirmasens.de",
    "phone": "06331 84-2215",
    "visibility": "oeffentlich",
    "consent_date": "2026-01-15",
    "themes": ["mobilitaet", "ehrenamt"],
}


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    login(client, email)
    return client


def post_form(client: FlaskClient, url: str, form: dict) -> object:
    return client.post(url, data={**form, "csrf_token": csrf_token_of(client, url)})


def contact_count() -> int:
    return db.session.scalar(select(func.count(Contact.id))) or 0


def test_an_editor_creates_a_contact_that_is_found(indexed: Flask) -> None:
    client = signed_in(indexed, EDITOR)
    answer = post_form(client, "/kontakte/neu", GOOD)
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Jördis Müller-Öztürk" in page and "Koordinatorin Bürgerbus" in page
    assert "+49 6331 842215" in page  # normalised to international format
    with indexed.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.name == GOOD["name"]))
        assert contact is not None
        assert contact.email == "Joerdis.Mueller@pirmasens.de"  # domain normalised
        assert contact.last_reviewed == date.today()
        assert sorted(t.slug for t in contact.themes) == ["ehrenamt", "mobilitaet"]
    found = indexed.test_client().get("/api/v1/search?q=Müller-Öztürk").get_json()
    assert found["hits"][0]["title"] == GOOD["name"]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": "  "}, "name", "Bitte den Namen eingeben."),
        ({"role": ""}, "role", "Bitte die Funktion eingeben"),
        ({"email": "jemand@"}, "email", "gültige E-Mail-Adresse"),
        ({"email": "a@b@c.de"}, "email", "gültige E-Mail-Adresse"),
        ({"phone": "12"}, "phone", "gültige Telefonnummer"),
        ({"phone": "0800 abc"}, "phone", "gültige Telefonnummer"),
        ({"consent_date": "2999-01-01"}, "consent_date", "nicht in der Zukunft"),
        ({"consent_date": "15.01.2026x"}, "consent_date", "Datum wie 2026-03-15"),
        ({"visibility": "geheim"}, "visibility", "„öffentlich“ oder „intern“"),
        ({"region": "atlantis"}, "region", "Diese Region gibt es nicht."),
        ({"name": "x" * 201}, "name", "Höchstens 200 Zeichen."),
    ],
)
def test_bad_input_is_refused_in_german_and_changes_nothing(
    indexed: Flask, changes: dict, field: str, message: str
) -> None:
    client = signed_in(indexed, EDITOR)
    with indexed.app_context():
        before = contact_count()
    answer = post_form(client, "/kontakte/neu", {**GOOD, **changes})
    assert answer.status_code == 400
    page = answer.get_data(as_text=True)
    assert message in page
    assert f'href="#feld-{field}"' in page  # the error list leads to the field
    assert 'value="Koordinatorin Bürgerbus"' in page or field == "role"  # typed text kept
    with indexed.app_context():
        assert contact_count() == before


def test_editors_keep_only_their_regions_contacts(indexed: Flask) -> None:
    client = signed_in(indexed, EDITOR)
    with indexed.app_context():
        other = db.session.scalar(select(Contact).where(Contact.slug == "brandl-monika"))
        assert other is not None and other.region.slug != "pirmasens"
    assert client.get("/kontakte/brandl-monika/bearbeiten").status_code == 403
    answer = post_form(client, "/kontakte/brandl-monika/bearbeiten", {**GOOD, "region": ""})
    assert answer.status_code == 403
    answer = post_form(client, "/kontakte/neu", {**GOOD, "region": "wunsiedel-im-fichtelgebirge"})
    assert answer.status_code == 403
    assert "keine Kontakte anlegen" in answer.get_data(as_text=True)
    reader = signed_in(indexed, "leser@example.org")
    assert reader.get("/kontakte/neu").status_code == 403
    with indexed.app_context():
        unchanged = db.session.scalar(select(Contact).where(Contact.slug == "brandl-monika"))
        assert unchanged.name == "Monika Brandl"


def test_vcards_carry_what_the_viewer_may_see(indexed: Flask) -> None:
    anonymous = indexed.test_client().get("/kontakte/yilmaz-derya/visitenkarte.vcf")
    assert anonymous.status_code == 200
    assert anonymous.headers["Content-Type"].startswith("text/vcard")
    card = vobject.readOne(anonymous.get_data(as_text=True))
    assert card.fn.value == "Derya Yilmaz"
    assert card.title.value == "Integrationsbeauftragte"
    assert not hasattr(card, "email") and not hasattr(card, "tel")
    full = vobject.readOne(
        signed_in(indexed, "leser@example.org")
        .get("/kontakte/yilmaz-derya/visitenkarte.vcf")
        .get_data(as_text=True)
    )
    assert full.email.value == "derya.yilmaz@example.org"
    assert full.tel.value == "+49 6331 000-2215"
    with indexed.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.slug == "yilmaz-derya"))
        contact.visibility = ContactVisibility.INTERNAL
        contact.organisation = "Stadt Pirmasens – Büro für Integration"
        db.session.commit()
    assert indexed.test_client().get("/kontakte/yilmaz-derya/visitenkarte.vcf").status_code == 404
    utf8 = signed_in(indexed, "leser@example.org").get("/kontakte/yilmaz-derya/visitenkarte.vcf")
    assert vobject.readOne(utf8.get_data(as_text=True)).org.value == [
        "Stadt Pirmasens – Büro für Integration"
    ]


def test_the_contact_page_lists_work_and_offers_a_request(indexed: Flask) -> None:
    page = indexed.test_client().get("/kontakte/yilmaz-derya").get_data(as_text=True)
    assert "Integrationslots*innen in Pirmasens" in page
    assert "Anmelden, um Kontakt anzufragen" in page
    assert "mailto:" not in page
    signed = signed_in(indexed, "leser@example.org").get("/kontakte/yilmaz-derya")
    html = signed.get_data(as_text=True)
    assert 'href="mailto:derya.yilmaz@example.org?subject=' in html
    assert "Kontakt anfragen" in html
    assert "Zuletzt bestätigt" not in html  # DSGVO dates are for the editors


def test_removal_on_request_keeps_articles_intact(indexed: Flask) -> None:
    client = signed_in(indexed, EDITOR)
    with indexed.app_context():
        article = db.session.scalar(
            select(Article).where(Article.slug == "integrationslotsen-pirmasens")
        )
        revision, body = article.current_revision_id, article.current_revision.body
    refused = post_form(client, "/kontakte/yilmaz-derya/entfernen", {})
    assert refused.status_code == 302  # without the confirmation nothing happens
    with indexed.app_context():
        assert db.session.scalar(select(Contact.name).where(Contact.slug == "yilmaz-derya"))
    answer = post_form(client, "/kontakte/yilmaz-derya/entfernen", {"bestaetigt": "ja"})
    assert answer.status_code == 302
    anonymous = indexed.test_client()
    page = anonymous.get("/artikel/integrationslotsen-pirmasens").get_data(as_text=True)
    assert "Kontakt entfernt" in page and "Derya Yilmaz" not in page
    assert anonymous.get("/kontakte/yilmaz-derya").status_code == 410
    assert "Derya Yilmaz" not in anonymous.get("/kontakte").get_data(as_text=True)
    assert anonymous.get("/api/v1/search?q=Derya Yilmaz&type=contact").get_json()["total"] == 0
    with indexed.app_context():
        article = db.session.scalar(
            select(Article).where(Article.slug == "integrationslotsen-pirmasens")
        )
        assert article.current_revision_id == revision and article.current_revision.body == body
        contact = db.session.scalar(select(Contact).where(Contact.slug == "yilmaz-derya"))
        assert (contact.email, contact.phone, contact.role, contact.themes) == ("", "", "", [])
        events = db.session.scalars(select(AuditEvent.detail)).all()
        assert not any("Yilmaz" in (d or "") for d in events)  # the trail is pseudonymous


def test_contacts_unconfirmed_for_a_year_are_listed_for_their_editors(indexed: Flask) -> None:
    with indexed.app_context():
        for slug, days in (("yilmaz-derya", 400), ("becker-stefan", 30), ("brandl-monika", 500)):
            contact = db.session.scalar(select(Contact).where(Contact.slug == slug))
            contact.last_reviewed = date.today() - timedelta(days=days)
        db.session.commit()
    client = signed_in(indexed, EDITOR)
    page = client.get("/-/kontakte-bestaetigen").get_data(as_text=True)
    assert ">Derya Yilmaz</a>" in page
    assert "Stefan Becker" not in page  # confirmed a month ago
    assert "Monika Brandl" not in page  # another region's contact
    answer = post_form(
        client,
        "/kontakte/yilmaz-derya/bestaetigen",
        {"zurueck": "/-/kontakte-bestaetigen"},
    )
    assert answer.headers["Location"].endswith("/-/kontakte-bestaetigen")
    listed = client.get("/-/kontakte-bestaetigen").get_data(as_text=True)
    assert ">Derya Yilmaz</a>" not in listed and "sind als heute bestätigt" in listed
    elsewhere = post_form(client, "/kontakte/becker-stefan/bestaetigen", {"zurueck": "//böse.de"})
    assert elsewhere.headers["Location"].endswith("/kontakte/becker-stefan")  # no open redirect
    assert indexed.test_client().get("/-/kontakte-bestaetigen").status_code == 302  # login


def test_the_directory_filters_by_theme_region_and_role(indexed: Flask) -> None:
    client = indexed.test_client()
    by_region = client.get("/kontakte?region=pirmasens").get_data(as_text=True)
    assert "Derya Yilmaz" in by_region and "Stefan Becker" in by_region
    assert "Monika Brandl" not in by_region
    by_theme = client.get("/kontakte?thema=migration").get_data(as_text=True)
    assert "Derya Yilmaz" in by_theme and "Stefan Becker" not in by_theme
    by_role = client.get("/kontakte?funktion=quartiers").get_data(as_text=True)
    assert "Stefan Becker" in by_role and "Derya Yilmaz" not in by_role
    assert "Keine Kontakte gefunden." in client.get("/kontakte?funktion=zzz").get_data(as_text=True)


def test_an_edit_changes_the_index_and_counts_as_confirmation(indexed: Flask) -> None:
    client = signed_in(indexed, EDITOR)
    with indexed.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.slug == "becker-stefan"))
        contact.last_reviewed = date.today() - timedelta(days=800)
        indexing.record_change(db.session, contact)
        db.session.commit()
    form = {
        **GOOD,
        "name": "Stefan Becker",
        "role": "Quartiersmanager Horeb und Winzler Viertel",
        "email": "stefan.becker@example.org",
        "phone": "",
        "themes": ["wohnen"],
    }
    answer = post_form(client, "/kontakte/becker-stefan/bearbeiten", form)
    assert answer.status_code == 302
    found = indexed.test_client().get("/api/v1/search?q=winzler viertel").get_json()
    assert any(h["slug"] == "becker-stefan" for h in found["hits"])
    with indexed.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.slug == "becker-stefan"))
        assert contact.last_reviewed == date.today()


def test_a_contact_named_like_a_page_gets_its_own_slug(indexed: Flask) -> None:
    client = signed_in(indexed, EDITOR)
    answer = post_form(client, "/kontakte/neu", {**GOOD, "name": "Neu"})
    assert answer.headers["Location"].endswith("/kontakte/neu-kontakt")
    assert 'name="csrf_token"' in client.get("/kontakte/neu").get_data(as_text=True)  # form


def _opened_form(client: FlaskClient, slug: str) -> dict:
    """The edit form as the browser got it: the saved values and the version it was at."""
    page = client.get(f"/kontakte/{slug}/bearbeiten").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page)
    assert version, "das Formular trägt keinen Bearbeitungsstand"
    with client.application.app_context():
        contact = db.session.scalar(select(Contact).where(Contact.slug == slug))
        form = vars(contact_admin.input_of(contact))
    return {**form, "base_version": version.group(1)}


def test_two_editors_change_one_contact_and_the_second_keeps_his_input(indexed: Flask) -> None:
    """The later save would silently undo the earlier one: it is refused, shows what is
    saved now beside the typed values, and saving again from there keeps both changes."""
    anna, ben = signed_in(indexed, EDITOR), signed_in(indexed, EDITOR)
    url = "/kontakte/becker-stefan/bearbeiten"
    annas, bens = _opened_form(anna, "becker-stefan"), _opened_form(ben, "becker-stefan")
    assert post_form(anna, url, {**annas, "phone": "06331 84-2299"}).status_code == 302

    refused = post_form(ben, url, {**bens, "role": "Quartiersmanager Winzler Viertel"})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Jemand anderes hat diesen Kontakt gespeichert" in page
    assert 'value="Quartiersmanager Winzler Viertel"' in page  # his input is still there
    assert "<dt>Telefon</dt><dd>+49 6331 842299</dd>" in page  # and what Anna saved
    with indexed.app_context():
        saved = db.session.scalar(select(Contact).where(Contact.slug == "becker-stefan"))
        assert (saved.phone, saved.role) == ("+49 6331 842299", annas["role"])

    again = re.search(r'name="base_version" value="(\d+)"', page)
    assert again
    resolved = {**bens, "role": "Quartiersmanager Winzler Viertel", "phone": "+49 6331 842299"}
    assert post_form(ben, url, {**resolved, "base_version": again.group(1)}).status_code == 302
    with indexed.app_context():
        saved = db.session.scalar(select(Contact).where(Contact.slug == "becker-stefan"))
        assert (saved.phone, saved.role) == ("+49 6331 842299", "Quartiersmanager Winzler Viertel")


def test_two_contact_saves_at_the_same_moment_give_the_second_a_conflict(indexed: Flask) -> None:
    """Both requests read the same version before either commits: the database decides."""
    from sqlalchemy.orm import Session

    from wissen.errors import Conflict
    from wissen.models import User

    with (
        indexed.app_context(),
        Session(db.engine, expire_on_commit=False) as one,
        Session(db.engine, expire_on_commit=False) as two,
    ):
        first = one.query(Contact).filter_by(slug="becker-stefan").one()
        second = two.query(Contact).filter_by(slug="becker-stefan").one()
        version = first.edit_version
        annas, bens = contact_admin.input_of(first), contact_admin.input_of(second)
        annas.role, bens.organisation = "Annas Funktion", "Bens Organisation"
        person = one.query(User).filter_by(email=EDITOR).one()
        assert contact_admin.update_contact(one, first, annas, person, version)
        person = two.query(User).filter_by(email=EDITOR).one()
        with pytest.raises(Conflict):
            contact_admin.update_contact(two, second, bens, person, version)
    with indexed.app_context():
        saved = db.session.scalar(select(Contact).where(Contact.slug == "becker-stefan"))
        assert (saved.role, saved.organisation) == ("Annas Funktion", first.organisation)
        assert saved.edit_version == version + 1
