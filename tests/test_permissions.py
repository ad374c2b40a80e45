"""Who may do what: the role matrix of wissen.services.permissions, and the same rules over HTTP.

The starter bundle gives two regions (bremerhaven, ludwigslust-parchim), one article in
each, one article without a region and two contacts. The ``world`` fixture adds drafts,
a deleted article and an internal contact next to them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wissen.extensions import db
from wissen.models import (
    Article,
    ArticleStatus,
    Contact,
    ContactVisibility,
    Region,
    User,
    utcnow,
)
from wissen.services.permissions import Action, Viewer, can

from .conftest import load_bundle, login, make_user

V, C, E, D = Action.VIEW, Action.CREATE, Action.EDIT, Action.DELETE
P, VCD, ADM = Action.PURGE, Action.VIEW_CONTACT_DETAILS, Action.ADMINISTER
ALL = frozenset(Action)

EMAILS = {
    "leser": "leser@example.org",
    "redaktion": "redaktion-bremerhaven@example.org",
    "admin": "admin@example.org",
}
ROLES = ("anonym", "leser", "redaktion", "admin")

# name -> (model, slug); drafts and the deleted article are set up by the `world` fixture.
OBJECTS: dict[str, tuple[type, str]] = {
    "artikel-bremerhaven": (Article, "zwk-beirat-bremerhaven"),
    "artikel-ludwigslust": (Article, "leuchtturm-strategie-ludwigslust-parchim"),
    "artikel-ohne-region": (Article, "seminar-aktivierung-lokaler-dynamiken"),
    "entwurf-bremerhaven": (Article, "entwurf-bremerhaven"),
    "entwurf-ludwigslust": (Article, "entwurf-ludwigslust"),
    "geloescht-bremerhaven": (Article, "geloescht-bremerhaven"),
    "kontakt": (Contact, "eulitz-heike"),
    "kontakt-intern": (Contact, "kemink-paula"),
    "region-bremerhaven": (Region, "bremerhaven"),
    "region-ludwigslust": (Region, "ludwigslust-parchim"),
}
CONTACTS = {"kontakt", "kontakt-intern"}

# What each role may do with each object; everything not listed is refused.
# (Contact details are only asked about contacts, so VIEW_CONTACT_DETAILS is only
# checked there.)
EXPECTED: dict[str, dict[str, frozenset[Action]]] = {
    "anonym": {
        "artikel-bremerhaven": frozenset({V}),
        "artikel-ludwigslust": frozenset({V}),
        "artikel-ohne-region": frozenset({V}),
        "entwurf-bremerhaven": frozenset(),
        "entwurf-ludwigslust": frozenset(),
        "geloescht-bremerhaven": frozenset(),
        "kontakt": frozenset({V}),
        "kontakt-intern": frozenset(),
        "region-bremerhaven": frozenset({V}),
        "region-ludwigslust": frozenset({V}),
    },
    "leser": {
        "artikel-bremerhaven": frozenset({V}),
        "artikel-ludwigslust": frozenset({V}),
        "artikel-ohne-region": frozenset({V}),
        "entwurf-bremerhaven": frozenset(),
        "entwurf-ludwigslust": frozenset(),
        "geloescht-bremerhaven": frozenset(),
        "kontakt": frozenset({V, VCD}),
        "kontakt-intern": frozenset({V, VCD}),
        "region-bremerhaven": frozenset({V}),
        "region-ludwigslust": frozenset({V}),
    },
    "redaktion": {  # Redaktion of bremerhaven only
        "artikel-bremerhaven": frozenset({V, C, E, D}),
        "artikel-ludwigslust": frozenset({V}),
        "artikel-ohne-region": frozenset({V, C, E, D}),
        "entwurf-bremerhaven": frozenset({V, C, E, D}),
        "entwurf-ludwigslust": frozenset(),
        "geloescht-bremerhaven": frozenset({V, C, E, D}),
        "kontakt": frozenset({V, VCD, C, E, D}),
        "kontakt-intern": frozenset({V, VCD}),
        "region-bremerhaven": frozenset({V, C, E, D}),
        "region-ludwigslust": frozenset({V}),
    },
    "admin": {name: ALL for name in OBJECTS},
}


def actions_for(name: str) -> list[Action]:
    return [a for a in Action if a is not VCD or name in CONTACTS]


def allowed(user: Any, name: str, obj: Any, public_read: bool = True) -> frozenset[Action]:
    return frozenset(a for a in actions_for(name) if can(user, a, obj, public_read=public_read))


def expected(role: str, name: str) -> frozenset[Action]:
    return frozenset(a for a in EXPECTED[role][name] if a in actions_for(name))


def draft_article(slug: str, region: str) -> str:
    return (
        f'---\ntitle: "Entwurf {slug}"\nkind: leitfaden\nregion: {region}\n'
        f"themes: [beteiligung]\n---\nNoch nicht fertig: {slug}.\n"
    )


@pytest.fixture
def world(starter: Flask, tmp_path: Path) -> Callable[[str], Any]:
    """Starter content plus drafts, a deleted article and an internal contact."""
    bundle = tmp_path / "extra"
    (bundle / "articles").mkdir(parents=True)
    for slug, region in (
        ("entwurf-bremerhaven", "bremerhaven"),
        ("entwurf-ludwigslust", "ludwigslust-parchim"),
        ("geloescht-bremerhaven", "bremerhaven"),
    ):
        (bundle / "articles" / f"{slug}.md").write_text(
            draft_article(slug, region), encoding="utf-8"
        )
    load_bundle(starter, bundle)
    for slug in ("entwurf-bremerhaven", "entwurf-ludwigslust"):
        get(Article, slug).status = ArticleStatus.DRAFT
    get(Article, "geloescht-bremerhaven").deleted_at = utcnow()
    get(Contact, "kemink-paula").visibility = ContactVisibility.INTERNAL
    db.session.commit()
    db.session.expire_all()

    def obj(name: str) -> Any:
        model, slug = OBJECTS[name]
        return get(model, slug)

    return obj


def get(model: type, slug: str) -> Any:
    found = db.session.scalar(select(model).where(model.slug == slug))
    assert found is not None, slug
    return found


def user_for(role: str) -> User | None:
    if role == "anonym":
        return None
    regions = ("bremerhaven",) if role == "redaktion" else ()
    make_user(EMAILS[role], role, regions)
    return db.session.scalar(select(User).where(User.email == EMAILS[role]))


# -- the matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(OBJECTS))
@pytest.mark.parametrize("role", ROLES)
def test_role_matrix(world: Callable[[str], Any], role: str, name: str) -> None:
    user = user_for(role)

    assert allowed(user, name, world(name)) == expected(role, name)


@pytest.mark.parametrize("role", ROLES)
def test_purge_and_administer_only_for_admin(world: Callable[[str], Any], role: str) -> None:
    user = user_for(role)
    is_admin = role == "admin"

    assert can(user, Action.ADMINISTER) is is_admin
    for name in OBJECTS:
        assert can(user, Action.PURGE, world(name)) is is_admin, name
        assert can(user, Action.ADMINISTER, world(name)) is is_admin, name


def test_anonymous_sees_nothing_when_public_read_is_off(world: Callable[[str], Any]) -> None:
    refused = {name: allowed(None, name, world(name), public_read=False) for name in OBJECTS}

    assert refused == {name: frozenset() for name in OBJECTS}
    assert can(None, Action.VIEW, None, public_read=False) is False
    assert can(None, Action.VIEW, None, public_read=True) is True


@pytest.mark.parametrize("role", ["leser", "redaktion", "admin"])
def test_signed_in_users_keep_their_rights_when_public_read_is_off(
    world: Callable[[str], Any], role: str
) -> None:
    user = user_for(role)

    private = {name: allowed(user, name, world(name), public_read=False) for name in OBJECTS}

    assert private == {name: expected(role, name) for name in OBJECTS}


@pytest.mark.parametrize("role", ["leser", "redaktion", "admin"])
def test_inactive_user_is_treated_as_anonymous(world: Callable[[str], Any], role: str) -> None:
    user = user_for(role)
    assert user is not None
    user.active = False
    db.session.commit()

    for public_read in (True, False):
        rights = {name: allowed(user, name, world(name), public_read) for name in OBJECTS}
        anonymous = {name: allowed(None, name, world(name), public_read) for name in OBJECTS}
        assert rights == anonymous, public_read
    assert {name: allowed(user, name, world(name)) for name in OBJECTS} == EXPECTED["anonym"]
    viewer = Viewer(user)
    assert viewer.signed_in is False
    assert viewer.can(Action.VIEW, world("entwurf-bremerhaven")) is False


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("public_read", [True, False])
def test_viewer_answers_like_can(world: Callable[[str], Any], role: str, public_read: bool) -> None:
    user = user_for(role)
    viewer = Viewer(user, public_read=public_read)

    assert viewer.signed_in is (user is not None)
    for name in OBJECTS:
        obj = world(name)
        by_viewer = frozenset(a for a in actions_for(name) if viewer.can(a, obj))
        assert by_viewer == allowed(user, name, obj, public_read), name


def test_editor_of_other_region_cannot_touch_bremerhaven(world: Callable[[str], Any]) -> None:
    make_user("redaktion-lup@example.org", "redaktion", ("ludwigslust-parchim",))
    user = db.session.scalar(select(User).where(User.email == "redaktion-lup@example.org"))

    assert allowed(user, "entwurf-ludwigslust", world("entwurf-ludwigslust")) == {V, C, E, D}
    assert allowed(user, "entwurf-bremerhaven", world("entwurf-bremerhaven")) == frozenset()
    assert allowed(user, "artikel-bremerhaven", world("artikel-bremerhaven")) == {V}
    assert allowed(user, "artikel-ohne-region", world("artikel-ohne-region")) == {V, C, E, D}


# -- the same rules over HTTP --------------------------------------------------------------

DRAFT_URL = "/artikel/entwurf-bremerhaven"
DRAFT_TEXT = "Noch nicht fertig: entwurf-bremerhaven."


def test_anonymous_cannot_open_a_draft(world: Callable[[str], Any], client: FlaskClient) -> None:
    response = client.get(DRAFT_URL)

    assert response.status_code in (403, 404)
    html = response.get_data(as_text=True)
    assert DRAFT_TEXT not in html
    assert '<html lang="de">' in html
    # The published article next to it stays open.
    assert client.get("/artikel/zwk-beirat-bremerhaven").status_code == 200


@pytest.mark.parametrize(
    ("email", "role", "regions"),
    [
        ("leser@example.org", "leser", ()),
        ("redaktion-lup@example.org", "redaktion", ("ludwigslust-parchim",)),
    ],
)
def test_signed_in_users_without_the_region_cannot_open_a_draft(
    world: Callable[[str], Any],
    client: FlaskClient,
    email: str,
    role: str,
    regions: tuple[str, ...],
) -> None:
    make_user(email, role, regions)
    login(client, email)

    response = client.get(DRAFT_URL)

    assert response.status_code in (403, 404)
    assert DRAFT_TEXT not in response.get_data(as_text=True)


def test_editor_of_the_region_sees_the_draft(
    world: Callable[[str], Any], client: FlaskClient
) -> None:
    make_user(EMAILS["redaktion"], "redaktion", ("bremerhaven",))
    login(client, EMAILS["redaktion"])

    response = client.get(DRAFT_URL)

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Entwurf entwurf-bremerhaven" in html
    assert DRAFT_TEXT in html


def test_deactivated_editor_no_longer_sees_the_draft(
    world: Callable[[str], Any], client: FlaskClient
) -> None:
    make_user(EMAILS["redaktion"], "redaktion", ("bremerhaven",))
    login(client, EMAILS["redaktion"])
    assert client.get(DRAFT_URL).status_code == 200
    user = db.session.scalar(select(User).where(User.email == EMAILS["redaktion"]))
    assert user is not None
    user.active = False
    db.session.commit()

    response = client.get(DRAFT_URL)

    assert response.status_code in (403, 404)
    assert DRAFT_TEXT not in response.get_data(as_text=True)


def test_nothing_is_shown_to_anonymous_when_public_read_is_off(
    world: Callable[[str], Any], client: FlaskClient
) -> None:
    client.application.config["PUBLIC_READ"] = False

    response = client.get("/artikel/zwk-beirat-bremerhaven")

    assert response.status_code == 302
    assert "/-/anmelden" in response.headers["Location"]
    assert "ZWK-Beirat" not in response.get_data(as_text=True)
    make_user(EMAILS["leser"], "leser")
    login(client, EMAILS["leser"])
    assert client.get("/artikel/zwk-beirat-bremerhaven").status_code == 200
