"""Admins create and edit regions and themes in the browser."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from wissen.extensions import db
from wissen.models import Region, Theme

from .conftest import EVAL_DEV, csrf_token_of, login

pytestmark = pytest.mark.skipif(not EVAL_DEV.is_dir(), reason="../shared/eval-dev fehlt")

NEW_REGION = {
    "name": "Landkreis Uckermark",
    "kind": "Landkreis",
    "state": "Brandenburg",
    "ags": "12073",
}


def admin(app: Flask) -> FlaskClient:
    client = app.test_client()
    login(client, "admin@example.org")
    return client


def post_form(client: FlaskClient, url: str, form: dict):
    return client.post(url, data={**form, "csrf_token": csrf_token_of(client, url)})


def test_an_admin_creates_a_region(indexed: Flask) -> None:
    client = admin(indexed)
    answer = post_form(client, "/-/admin/regionen/neu", NEW_REGION)
    assert answer.status_code == 302
    assert "Landkreis Uckermark" in client.get("/-/admin/regionen").get_data(as_text=True)
    page = client.get("/regionen/landkreis-uckermark").get_data(as_text=True)
    assert "Brandenburg" in page and "12073" in page
    assert "landkreis-uckermark" in client.get("/transfermatrix").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "Bitte einen Namen eingeben."),
        ({"kind": "Königreich"}, "Bitte eine Art auswählen"),
        ({"state": "Bayern-Nord"}, "Bitte ein Bundesland auswählen."),
        ({"ags": "12a73"}, "Amtliche Gemeindeschlüssel besteht aus Ziffern"),
        ({"ags": "1234"}, "Amtliche Gemeindeschlüssel besteht aus Ziffern"),
        ({"name": "Pirmasens"}, "Eine Region mit diesem Namen gibt es schon."),
    ],
)
def test_bad_region_input_is_refused_in_german(indexed: Flask, changes: dict, message: str) -> None:
    client = admin(indexed)
    with indexed.app_context():
        before = db.session.scalar(select(func.count(Region.id)))
        existing = db.session.scalar(select(Region.name).where(Region.slug == "pirmasens"))
    assert existing == "Pirmasens"
    answer = post_form(client, "/-/admin/regionen/neu", {**NEW_REGION, **changes})
    assert answer.status_code == 400
    assert message in answer.get_data(as_text=True)
    with indexed.app_context():
        assert db.session.scalar(select(func.count(Region.id))) == before


def test_renaming_a_region_reaches_the_search(indexed: Flask) -> None:
    client = admin(indexed)
    url = "/-/admin/regionen/pirmasens"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Pirmasens"' in form
    with indexed.app_context():
        region = db.session.scalar(select(Region).where(Region.slug == "pirmasens"))
        data = {"name": "Pirmasens Südwestpfalzstadt", "kind": region.kind, "state": region.state}
    assert post_form(client, url, {**data, "ags": ""}).status_code == 302
    found = indexed.test_client().get("/api/v1/search?q=südwestpfalzstadt").get_json()
    assert found["total"] >= 1
    assert any(h["slug"] == "integrationslotsen-pirmasens" for h in found["hits"])
    assert indexed.test_client().get("/regionen/pirmasens").status_code == 200  # slug kept


def test_themes_are_created_edited_and_ordered(indexed: Flask) -> None:
    client = admin(indexed)
    answer = post_form(
        client,
        "/-/admin/themen/neu",
        {"name": "Klimaanpassung", "description": "Hitze, Starkregen, Schatten.", "position": "0"},
    )
    assert answer.status_code == 302
    themes = client.get("/themen").get_data(as_text=True)
    assert themes.index("Klimaanpassung") < themes.index("Ehrenamt")
    assert "Hitze, Starkregen, Schatten." in client.get("/themen/klimaanpassung").get_data(
        as_text=True
    )
    bad = post_form(client, "/-/admin/themen/klimaanpassung", {"name": "Klima", "position": "-3"})
    assert bad.status_code == 400
    assert "ganze Zahl von 0 bis 9999" in bad.get_data(as_text=True)
    with indexed.app_context():
        assert db.session.scalar(select(Theme.name).where(Theme.slug == "klimaanpassung")) == (
            "Klimaanpassung"
        )


def test_only_admins_keep_regions_and_themes(indexed: Flask) -> None:
    editor = indexed.test_client()
    login(editor, "redaktion@example.org")
    assert editor.get("/-/admin/regionen").status_code == 403
    assert editor.get("/-/admin/themen/neu").status_code == 403
    anonymous = indexed.test_client().get("/-/admin/regionen")
    assert anonymous.status_code == 302 and "/-/anmelden" in anonymous.headers["Location"]
