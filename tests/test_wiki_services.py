"""Wiki services (issue 3): revisions, conflicts, lifecycle, audit and search outbox.

Rules that hold whatever page calls them: a saved revision is never changed or lost, every
change leaves an AuditEvent and an outbox row committed in the same transaction, and a
refused change leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session

from wissen.errors import Conflict, Forbidden, Invalid
from wissen.extensions import db
from wissen.models import (
    Article,
    ArticleStatus,
    AuditEvent,
    IndexChange,
    Revision,
    SlugRedirect,
    User,
)
from wissen.services import editing, history, lifecycle
from wissen.services.articles import linking_articles
from wissen.services.editing import ArticleInput, EditConflict, FormInvalid
from wissen.services.permissions import Action, Viewer

from .conftest import make_user

ZWK = "zwk-beirat-bremerhaven"
LEUCHTTURM = "leuchtturm-strategie-ludwigslust-parchim"
SEMINAR = "seminar-aktivierung-lokaler-dynamiken"

PEOPLE = {
    "bremen": ("bremen@example.de", "redaktion", ("bremerhaven",)),
    "lup": ("lup@example.de", "redaktion", ("ludwigslust-parchim",)),
    "admin": ("admin@example.de", "admin", ()),
    "leser": ("leser@example.de", "leser", ()),
}


def person(key: str) -> User:
    email, role, regions = PEOPLE[key]
    found = db.session.scalar(select(User).where(User.email == email))
    if found is None:
        make_user(email, role, regions)
        found = db.session.scalar(select(User).where(User.email == email))
    assert found is not None
    return found


def get(slug: str) -> Article:
    found = db.session.scalar(select(Article).where(Article.slug == slug))
    assert found is not None, slug
    return found


def input_of(article: Article, **changes: Any) -> ArticleInput:
    """The edit form of ``article`` as it is shown, with ``changes`` typed in."""
    values: dict[str, Any] = {
        "title": article.title,
        "kind": article.kind.value,
        "region": article.region.slug if article.region else "",
        "themes": [t.slug for t in article.themes],
        "tags": [t.name for t in article.tags],
        "contacts": [c.slug for c in article.contacts],
        "summary": article.summary,
        "date": article.date.isoformat() if article.date else "",
        "body": article.body,
    }
    return ArticleInput(**{**values, **changes})


def new(
    user: User, title: str, body: str = "Text.\n", *, publish: bool = False, **fields: Any
) -> Article:
    data = ArticleInput(title=title, kind="praxisbeispiel", body=body, **fields)
    return editing.create_article(db.session, data, user, publish=publish)


def published(user: User, title: str, body: str = "Text.\n", **fields: Any) -> Article:
    return new(user, title, body, publish=True, **fields)


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def every_revision() -> dict[int, tuple[Any, ...]]:
    """All revision rows as stored, read past the session's identity map."""
    rows = db.session.execute(
        select(
            Revision.id,
            Revision.article_id,
            Revision.number,
            Revision.title,
            Revision.body,
            Revision.author_id,
            Revision.message,
            Revision.created_at,
        )
    )
    return {row[0]: tuple(row[1:]) for row in rows}


def numbers(article: Article) -> list[int]:
    query = select(Revision.number).where(Revision.article_id == article.id)
    return list(db.session.scalars(query.order_by(Revision.number)))


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def traces() -> tuple[int, int, int]:
    return count(AuditEvent), count(IndexChange), count(Revision)


@pytest.fixture
def commits(starter: Flask) -> Iterator[list[list[Any]]]:
    """The objects each committed transaction wrote (added or deleted), in order."""
    session = db.session()
    committed: list[list[Any]] = []
    pending: list[Any] = []

    def flushed(s: Any, _context: Any) -> None:
        pending.extend([*s.new, *s.deleted])

    def commit(_s: Any) -> None:
        committed.append(list(pending))
        pending.clear()

    def rollback(_s: Any) -> None:
        pending.clear()

    listeners = [("after_flush", flushed), ("after_commit", commit), ("after_rollback", rollback)]
    for name, listener in listeners:
        event.listen(session, name, listener)
    yield committed
    for name, listener in listeners:
        event.remove(session, name, listener)


def transaction_of(commits: list[list[Any]], action: str, key: str) -> list[Any]:
    found = [
        objects
        for objects in commits
        if any(
            isinstance(o, AuditEvent) and o.action == action and o.object_key == key
            for o in objects
        )
    ]
    assert len(found) == 1, f"{action} {key}: {len(found)} Transaktionen"
    return found[0]


def outbox_in(objects: list[Any]) -> list[int]:
    return [o.object_id for o in objects if isinstance(o, IndexChange)]


# --- creating ----------------------------------------------------------------------------


def test_a_new_article_is_a_draft_with_its_first_revision(starter: Flask) -> None:
    bremen = person("bremen")
    article = new(bremen, "Bürgerbus Süd", "## Ausgangslage\n\nKein Bus.", region="bremerhaven")
    assert article.slug == "buergerbus-sued"
    assert article.status is ArticleStatus.DRAFT
    [revision] = article.revisions
    assert (revision.number, revision.title, revision.author_id) == (1, "Bürgerbus Süd", bremen.id)
    assert revision.body == "## Ausgangslage\n\nKein Bus.\n"
    assert revision.message == "Angelegt"
    assert actions()[-1] == "article.create"


def test_slugs_never_collide_with_articles_old_slugs_or_pages(starter: Flask) -> None:
    bremen = person("bremen")
    assert new(bremen, "Bürgerbus Süd").slug == "buergerbus-sued"
    assert new(bremen, "Bürgerbus  Süd").slug == "buergerbus-sued-2"
    assert new(bremen, "Neu").slug == "neu-2"
    lifecycle.rename(db.session, get(ZWK), "zwk-beirat", bremen)
    taken_before = new(bremen, "ZWK Beirat Bremerhaven")
    assert taken_before.slug == f"{ZWK}-2"
    assert lifecycle.redirect_target(db.session, ZWK) == "zwk-beirat"


def test_check_reports_every_problem_in_german_and_saves_nothing(starter: Flask) -> None:
    bremen = person("bremen")
    before = traces()
    data = ArticleInput(
        title="  ",
        kind="roman",
        region="atlantis",
        themes=["raumfahrt"],
        contacts=["niemand"],
        date="31.02.2024",
        summary="x" * 2001,
        body="x" * 200_001,
    )
    with pytest.raises(FormInvalid) as caught:
        editing.create_article(db.session, data, bremen, slug="Kein Kurzname")
    errors = caught.value.errors
    assert set(errors) == {
        "title",
        "kind",
        "region",
        "themes",
        "contacts",
        "date",
        "summary",
        "body",
    }
    assert errors["title"] == ["Bitte einen Titel eingeben."]
    assert errors["themes"] == ["Unbekanntes Thema „raumfahrt“."]
    assert errors["region"] == ["Unbekannte Region „atlantis“."]
    assert errors["body"] == ["Der Text darf höchstens 200.000 Zeichen lang sein."]
    assert errors["date"] == ["Bitte ein Datum im Format TT.MM.JJJJ oder JJJJ-MM-TT eingeben."]
    assert caught.value.message == "Bitte prüfen Sie die markierten Felder."
    assert traces() == before


def test_an_invalid_requested_slug_falls_back_to_the_title(starter: Flask) -> None:
    article = editing.create_article(
        db.session,
        ArticleInput(title="Dorfladen Süd", kind="praxisbeispiel", region="bremerhaven"),
        person("bremen"),
        slug="Kein Kurzname",
    )
    assert article.slug == "dorfladen-sued"


def test_nobody_creates_articles_outside_their_regions(starter: Flask) -> None:
    bremen, leser = person("bremen"), person("leser")
    before = (count(Article), *traces())
    with pytest.raises(Forbidden, match="Sie dürfen in dieser Region keine Artikel anlegen"):
        new(bremen, "Fremd", region="ludwigslust-parchim")
    with pytest.raises(Forbidden):
        new(leser, "Leser schreibt")
    db.session.rollback()
    assert (count(Article), *traces()) == before


# --- saving ------------------------------------------------------------------------------


def test_saving_the_unchanged_form_creates_nothing(starter: Flask) -> None:
    bremen = person("bremen")
    article = get(ZWK)
    before = traces()
    result = editing.save_article(db.session, article, input_of(article), 1, bremen)
    assert not result.changed and result.revision is None
    assert traces() == before


def test_browser_line_ends_are_no_change(starter: Flask) -> None:
    bremen = person("bremen")
    article = get(ZWK)
    body = article.body.replace("\n", "\r\n").removesuffix("\r\n")
    result = editing.save_article(db.session, article, input_of(article, body=body), 1, bremen)
    assert not result.changed
    assert numbers(article) == [1]


@pytest.mark.usefixtures("outbox_kept")
def test_a_metadata_change_is_saved_without_a_revision(starter: Flask) -> None:
    bremen = person("bremen")
    article = get(ZWK)
    themes = [t.slug for t in article.themes] + ["ehrenamt"]
    outbox = count(IndexChange)
    result = editing.save_article(
        db.session, article, input_of(article, themes=themes, tags=["Neu"]), 1, bremen
    )
    assert result.changed and result.revision is None and result.metadata_changed
    db.session.expire_all()
    assert "ehrenamt" in [t.slug for t in get(ZWK).themes]
    assert [t.name for t in get(ZWK).tags] == ["Neu"]
    assert numbers(get(ZWK)) == [1]
    assert actions()[-1] == "article.edit" and count(IndexChange) == outbox + 1


def test_a_changed_title_is_a_new_revision(starter: Flask) -> None:
    bremen = person("bremen")
    article = get(ZWK)
    result = editing.save_article(
        db.session, article, input_of(article, title="Der ZWK-Beirat", message="Kürzer"), 1, bremen
    )
    assert result.revision is not None and result.revision.number == 2
    assert (result.revision.title, result.revision.message) == ("Der ZWK-Beirat", "Kürzer")
    assert get(ZWK).title == "Der ZWK-Beirat"


def test_a_stale_base_revision_is_a_conflict_that_keeps_both_texts(starter: Flask) -> None:
    anna, ben = person("bremen"), person("admin")
    article = get(ZWK)
    original = article.body
    editing.save_article(db.session, article, input_of(article, body=original + "Anna.\n"), 1, anna)
    before = every_revision(), traces()
    theirs = input_of(article, body=original + "Ben.\n", summary="Bens Fassung")
    with pytest.raises(EditConflict) as caught:
        editing.save_article(db.session, article, theirs, 1, ben)
    conflict = caught.value
    assert conflict.status == 409 and "nicht verloren" in conflict.message
    assert conflict.current is not None and conflict.current.number == 2
    assert conflict.current.body == original + "Anna.\n"
    assert conflict.theirs.body == original + "Ben.\n"
    db.session.rollback()
    assert (every_revision(), traces()) == before
    assert get(ZWK).summary != "Bens Fassung"

    merged = original + "Anna.\nBen.\n"
    result = editing.save_article(
        db.session, get(ZWK), input_of(get(ZWK), body=merged), conflict.current.number, ben
    )
    assert result.revision is not None and result.revision.number == 3
    assert {k: v for k, v in every_revision().items() if k in before[0]} == before[0]


@contextlib.contextmanager
def two_requests(slug: str) -> Iterator[tuple[tuple[Session, Article], tuple[Session, Article]]]:
    """Two requests that each loaded the article before either saved: two database sessions
    of their own, as two server threads or processes have."""
    db.session.remove()
    with (
        Session(db.engine, expire_on_commit=False) as one,
        Session(db.engine, expire_on_commit=False) as two,
    ):
        loaded = select(Article).where(Article.slug == slug)
        yield (one, one.scalars(loaded).one()), (two, two.scalars(loaded).one())
    db.session.remove()


def test_two_saves_at_the_same_moment_give_the_second_a_conflict_not_an_error(
    starter: Flask,
) -> None:
    """Both requests load the article before either commits, so both pass the stale check;
    the later one then hits the unique revision number. Found by bench/load.py (HTTP 500)."""
    anna, ben = person("bremen"), person("admin")
    with two_requests(ZWK) as ((one, first), (two, second)):
        base = first.current_revision.number
        assert second.current_revision.number == base
        original = first.body
        editing.save_article(
            one, first, input_of(first, body=original + "Anna.\n"), base, one.merge(anna)
        )
        with pytest.raises(EditConflict) as caught:
            editing.save_article(
                two, second, input_of(second, body=original + "Ben.\n"), base, two.merge(ben)
            )
        assert caught.value.current.body == original + "Anna.\n"
        assert caught.value.theirs.body == original + "Ben.\n"
    assert get(ZWK).body == original + "Anna.\n"
    assert get(ZWK).current_revision.number == base + 1


def test_two_metadata_saves_at_the_same_moment_give_the_second_a_conflict(
    starter: Flask,
) -> None:
    """Neither save makes a revision, so no unique number stops the later one: without the
    check in the database, Ben's form (with the old themes) silently undid Anna's theme."""
    anna, ben = person("bremen"), person("admin")
    with two_requests(ZWK) as ((one, first), (two, second)):
        base, version = first.current_revision.number, first.edit_version
        themes = [t.slug for t in first.themes]
        assert "ehrenamt" not in themes
        anna_form = input_of(first, themes=[*themes, "ehrenamt"])
        ben_form = input_of(second, summary="Bens Zusammenfassung")
        saved = editing.save_article(
            one, first, anna_form, base, one.merge(anna), base_version=version
        )
        assert saved.metadata_changed
        with pytest.raises(EditConflict) as caught:
            editing.save_article(two, second, ben_form, base, two.merge(ben), base_version=version)
        assert caught.value.theirs.summary == "Bens Zusammenfassung"
    assert "ehrenamt" in [t.slug for t in get(ZWK).themes]
    assert get(ZWK).summary != "Bens Zusammenfassung"
    assert get(ZWK).edit_version == version + 1


def test_a_missing_base_revision_is_a_conflict_too(starter: Flask) -> None:
    article = get(ZWK)
    with pytest.raises(EditConflict):
        editing.save_article(
            db.session, article, input_of(article, body="Neu.\n"), 0, person("bremen")
        )
    db.session.rollback()
    assert numbers(get(ZWK)) == [1]


def test_editors_save_only_in_their_regions(starter: Flask) -> None:
    lup, bremen = person("lup"), person("bremen")
    before = every_revision(), traces()
    article = get(ZWK)
    with pytest.raises(Forbidden, match="nicht bearbeiten"):
        editing.save_article(db.session, article, input_of(article, body="Weg.\n"), 1, lup)
    with pytest.raises(Forbidden, match="nicht in diese Region verschieben"):
        editing.save_article(
            db.session, article, input_of(article, region="ludwigslust-parchim"), 1, bremen
        )
    db.session.rollback()
    assert (every_revision(), traces()) == before
    assert get(ZWK).region is not None and get(ZWK).region.slug == "bremerhaven"


# --- restoring old revisions -------------------------------------------------------------


def test_restoring_appends_a_revision_and_keeps_history(starter: Flask) -> None:
    bremen = person("bremen")
    article = get(ZWK)
    first = article.body
    editing.save_article(
        db.session, article, input_of(article, title="Anders", body="Zweite.\n"), 1, bremen
    )
    before = every_revision()
    restored = editing.restore_revision(db.session, article, 1, bremen)
    assert restored.number == 3 and restored.body == first
    assert restored.message == "Version 1 wiederhergestellt"
    assert get(ZWK).title == restored.title == get(ZWK).revisions[0].title != "Anders"
    after = every_revision()
    assert {k: after[k] for k in before} == before
    assert actions()[-1] == "article.restore_revision"

    with pytest.raises(Invalid, match="entspricht schon der aktuellen Fassung"):
        editing.restore_revision(db.session, article, 1, bremen)
    with pytest.raises(Invalid, match="Version 9 gibt es nicht"):
        editing.restore_revision(db.session, article, 9, bremen)
    with pytest.raises(Forbidden):
        editing.restore_revision(db.session, article, 2, person("lup"))
    db.session.rollback()
    assert every_revision() == after


# --- audit and outbox --------------------------------------------------------------------


@pytest.mark.usefixtures("outbox_kept")
def test_every_change_writes_audit_and_outbox_in_one_transaction(
    starter: Flask, commits: list[list[Any]]
) -> None:
    bremen, admin = person("bremen"), person("admin")
    article = new(bremen, "Dorfladen", f"Wie [[{SEMINAR}]].\n", region="bremerhaven")
    article_id = article.id
    outbox = count(IndexChange)

    def changed(step: str) -> None:
        nonlocal outbox
        now = count(IndexChange)
        assert now > outbox, f"{step}: keine Zeile im Outbox"
        outbox = now

    editing.save_article(db.session, article, input_of(article, body="Neu.\n"), 1, bremen)
    changed("edit")
    lifecycle.set_status(db.session, article, ArticleStatus.PUBLISHED, bremen)
    changed("status")
    editing.restore_revision(db.session, article, 1, bremen)
    changed("restore_revision")
    lifecycle.rename(db.session, article, "dorfladen-lehe", bremen)
    changed("rename")
    lifecycle.move_to_trash(db.session, article, bremen)
    changed("delete")
    lifecycle.restore_from_trash(db.session, article, bremen)
    changed("undelete")
    lifecycle.move_to_trash(db.session, article, bremen)
    lifecycle.purge(db.session, article, admin)
    changed("purge")

    steps = [
        ("article.create", "dorfladen"),
        ("article.edit", "dorfladen"),
        ("article.status", "dorfladen"),
        ("article.restore_revision", "dorfladen"),
        ("article.rename", "dorfladen-lehe"),
        ("article.undelete", "dorfladen-lehe"),
        ("article.purge", "dorfladen-lehe"),
    ]
    for action, key in steps:
        assert article_id in outbox_in(transaction_of(commits, action, key)), action
    deletes = [
        objects
        for objects in commits
        if any(isinstance(o, AuditEvent) and o.action == "article.delete" for o in objects)
    ]
    assert len(deletes) == 2 and all(article_id in outbox_in(t) for t in deletes)
    status = [
        o
        for o in transaction_of(commits, "article.status", "dorfladen")
        if isinstance(o, AuditEvent)
    ]
    assert json.loads(status[0].detail) == {"after": "veroeffentlicht", "before": "entwurf"}
    rename = transaction_of(commits, "article.rename", "dorfladen-lehe")
    assert json.loads(next(o for o in rename if isinstance(o, AuditEvent)).detail) == {
        "before": "dorfladen"
    }
    purge_events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "article.purge")
    ).all()
    assert [e.object_key for e in purge_events] == ["dorfladen-lehe"]
    assert json.loads(purge_events[0].detail)["title"] == "Dorfladen"


@pytest.mark.usefixtures("outbox_kept")
def test_a_link_rewrite_and_its_outbox_row_are_committed_together(
    starter: Flask, commits: list[list[Any]]
) -> None:
    seminar_id = get(SEMINAR).id
    assert lifecycle.rename(db.session, get(ZWK), "zwk-beirat", person("bremen")) == 1
    with_rewrite = [
        objects
        for objects in commits
        if any(isinstance(o, Revision) and o.article_id == seminar_id for o in objects)
    ]
    assert len(with_rewrite) == 1
    assert seminar_id in outbox_in(with_rewrite[0])


def test_refused_changes_leave_no_trace(starter: Flask) -> None:
    bremen, lup, admin = person("bremen"), person("lup"), person("admin")
    before = every_revision(), traces(), count(SlugRedirect)
    article = get(ZWK)
    attempts = [
        lambda: lifecycle.set_status(db.session, article, ArticleStatus.ARCHIVED, lup),
        lambda: lifecycle.move_to_trash(db.session, article, lup),
        lambda: lifecycle.rename(db.session, article, "fremd", lup),
        lambda: lifecycle.rename(db.session, article, "Kein Slug", bremen),
        lambda: lifecycle.rename(db.session, article, LEUCHTTURM, bremen),
        lambda: lifecycle.purge(db.session, article, admin),
        lambda: lifecycle.confirm_current(db.session, article, lup),
        lambda: editing.restore_revision(db.session, article, 1, bremen),
    ]
    for attempt in attempts:
        with pytest.raises((Forbidden, Invalid, Conflict)):
            attempt()
        db.session.rollback()
    assert (every_revision(), traces(), count(SlugRedirect)) == before
    assert get(ZWK).deleted_at is None and get(ZWK).status is ArticleStatus.PUBLISHED


def test_setting_the_same_status_again_records_nothing(starter: Flask) -> None:
    bremen = person("bremen")
    before = traces()
    lifecycle.set_status(db.session, get(ZWK), ArticleStatus.PUBLISHED, bremen)
    assert traces() == before


# --- rename ------------------------------------------------------------------------------


def test_rename_rewrites_links_everywhere_except_in_code(starter: Flask) -> None:
    bremen, lup, admin = person("bremen"), person("lup"), person("admin")
    draft = new(lup, "Entwurf LUP", f"Siehe [[{ZWK}|den Beirat]].\n", region="ludwigslust-parchim")
    trashed = new(admin, "Im Papierkorb", f"[[{ZWK}]] und `[[{ZWK}]]`\n\n    [[{ZWK}]]\n")
    lifecycle.move_to_trash(db.session, trashed, admin)
    before = every_revision()

    assert lifecycle.rename(db.session, get(ZWK), "zwk-beirat", bremen) == 3
    db.session.expire_all()
    assert get(draft.slug).body == "Siehe [[zwk-beirat|den Beirat]].\n"
    assert get(trashed.slug).body == f"[[zwk-beirat]] und `[[{ZWK}]]`\n\n    [[{ZWK}]]\n"
    assert f"[[{ZWK}]]" not in get(SEMINAR).body and "[[zwk-beirat]]" in get(SEMINAR).body
    after = every_revision()
    assert {k: after[k] for k in before} == before
    assert len(after) == len(before) + 3
    assert all("Umbenennung" in row[5] for key, row in after.items() if key not in before)
    assert lifecycle.redirect_target(db.session, ZWK) == "zwk-beirat"


def test_rename_back_and_forth_keeps_every_old_address(starter: Flask) -> None:
    bremen = person("bremen")
    lifecycle.rename(db.session, get(ZWK), "zwk-beirat", bremen)
    lifecycle.rename(db.session, get("zwk-beirat"), "beirat", bremen)
    assert lifecycle.redirect_target(db.session, ZWK) == "beirat"
    assert lifecycle.redirect_target(db.session, "zwk-beirat") == "beirat"
    lifecycle.rename(db.session, get("beirat"), ZWK, bremen)
    assert lifecycle.redirect_target(db.session, ZWK) is None
    assert lifecycle.redirect_target(db.session, "beirat") == ZWK
    assert lifecycle.rename(db.session, get(ZWK), ZWK, bremen) == 0
    assert "[[zwk-beirat-bremerhaven]]" in get(SEMINAR).body


def test_rename_refuses_bad_and_taken_slugs_in_german(starter: Flask) -> None:
    bremen = person("bremen")
    with pytest.raises(Invalid, match="nur a–z, 0–9 und Bindestriche") as invalid:
        lifecycle.rename(db.session, get(ZWK), "Großer Beirat", bremen)
    assert invalid.value.field == "slug"
    with pytest.raises(Conflict, match="ist schon vergeben"):
        lifecycle.rename(db.session, get(ZWK), SEMINAR, bremen)
    db.session.rollback()
    assert get(ZWK).slug == ZWK and count(SlugRedirect) == 0


def test_rename_refuses_reserved_slugs(starter: Flask) -> None:
    with pytest.raises((Invalid, Conflict)):
        lifecycle.rename(db.session, get(ZWK), "neu", person("bremen"))


def test_backlinks_list_only_real_links_of_listed_articles(starter: Flask) -> None:
    bremen = person("bremen")
    assert [a.slug for a in linking_articles(db.session, ZWK)] == [SEMINAR]
    draft = new(bremen, "Entwurf", f"[[{ZWK}]]\n", region="bremerhaven")
    assert [a.slug for a in linking_articles(db.session, ZWK)] == [SEMINAR]
    everything = {a.slug for a in linking_articles(db.session, ZWK, everything=True)}
    assert everything == {SEMINAR, draft.slug}
    # "[[zwk-beirat-bremerhaven]]" starts like "[[zwk-beirat" but is no link to it.
    assert linking_articles(db.session, "zwk-beirat", everything=True) == []


# --- Papierkorb and purge ----------------------------------------------------------------


def test_trash_restore_and_who_sees_the_bin(starter: Flask) -> None:
    bremen, lup, admin = person("bremen"), person("lup"), person("admin")
    with pytest.raises(Forbidden):
        lifecycle.move_to_trash(db.session, get(ZWK), lup)
    db.session.rollback()
    lifecycle.move_to_trash(db.session, get(ZWK), bremen)
    lifecycle.move_to_trash(db.session, get(LEUCHTTURM), lup)
    assert [a.slug for a in lifecycle.trashed(db.session, bremen)] == [ZWK]
    assert [a.slug for a in lifecycle.trashed(db.session, lup)] == [LEUCHTTURM]
    assert {a.slug for a in lifecycle.trashed(db.session, admin)} == {ZWK, LEUCHTTURM}
    assert not Viewer(None).can(Action.VIEW, get(ZWK))
    lifecycle.restore_from_trash(db.session, get(ZWK), bremen)
    assert get(ZWK).deleted_at is None and numbers(get(ZWK)) == [1]


@pytest.mark.usefixtures("outbox_kept")
def test_purge_is_for_admins_and_removes_revisions_and_old_slugs(starter: Flask) -> None:
    bremen, admin = person("bremen"), person("admin")
    lifecycle.rename(db.session, get(ZWK), "zwk-beirat", bremen)
    article = get("zwk-beirat")
    article_id = article.id
    with pytest.raises(Invalid, match="Nur Artikel im Papierkorb"):
        lifecycle.purge(db.session, article, admin)
    db.session.rollback()
    lifecycle.move_to_trash(db.session, article, bremen)
    with pytest.raises(Forbidden, match="nur die Administration"):
        lifecycle.purge(db.session, article, bremen)
    db.session.rollback()
    assert numbers(get("zwk-beirat")) == [1]

    others = {k: v for k, v in every_revision().items() if v[0] != article_id}
    lifecycle.purge(db.session, get("zwk-beirat"), admin)
    db.session.expire_all()
    assert db.session.get(Article, article_id) is None
    assert db.session.scalar(select(func.count()).where(Revision.article_id == article_id)) == 0
    assert count(SlugRedirect) == 0
    assert every_revision() == others
    assert actions()[-1] == "article.purge"
    outbox = select(IndexChange).where(IndexChange.object_id == article_id)
    assert db.session.scalars(outbox).all(), "the index must learn that the article is gone"


# --- review ------------------------------------------------------------------------------


def test_needing_review_uses_the_review_date_or_else_the_creation_date(starter: Flask) -> None:
    bremen, admin = person("bremen"), person("admin")
    now = dt.datetime.now(dt.UTC)
    year = dt.timedelta(days=365)
    old = published(bremen, "Alt, nie geprüft", region="bremerhaven")
    young = published(bremen, "Jung, nie geprüft", region="bremerhaven")
    archived = published(bremen, "Archiviert", region="bremerhaven")
    lifecycle.set_status(db.session, archived, ArticleStatus.ARCHIVED, bremen)
    draft = new(bremen, "Alter Entwurf", region="bremerhaven")
    dates = {
        ZWK: (now - 3 * year, now - year - dt.timedelta(days=1)),
        SEMINAR: (now - 3 * year, now - year + dt.timedelta(days=1)),
        LEUCHTTURM: (now - 2 * year, None),
        old.slug: (now - year - dt.timedelta(days=1), None),
        young.slug: (now - year + dt.timedelta(days=1), None),
        archived.slug: (now - 2 * year, None),
        draft.slug: (now - 2 * year, None),
    }
    for slug, (created, reviewed) in dates.items():
        db.session.execute(
            update(Article)
            .where(Article.slug == slug)
            .values(created_at=created, reviewed_at=reviewed)
        )
    db.session.commit()
    db.session.expire_all()

    stale = [a.slug for a in lifecycle.needing_review(db.session, admin)]
    assert set(stale) == {ZWK, LEUCHTTURM, old.slug}
    mine = {a.slug for a in lifecycle.needing_review(db.session, bremen)}
    assert mine == {ZWK, old.slug}

    lifecycle.confirm_current(db.session, get(ZWK), bremen)
    assert get(ZWK).reviewed_at is not None
    assert now - dt.timedelta(seconds=5) <= get(ZWK).reviewed_at
    assert actions()[-1] == "article.review" and numbers(get(ZWK)) == [1]
    assert ZWK not in {a.slug for a in lifecycle.needing_review(db.session, admin)}
    later = now + 2 * year
    assert ZWK in {a.slug for a in lifecycle.needing_review(db.session, admin, now=later)}


# --- history -----------------------------------------------------------------------------


def test_recent_changes_hide_drafts_from_all_but_their_editors(starter: Flask) -> None:
    bremen = person("bremen")
    draft = new(bremen, "Geheim", region="bremerhaven")
    trashed = published(bremen, "Gelöscht", region="bremerhaven")
    lifecycle.move_to_trash(db.session, trashed, bremen)

    def seen(user: Any) -> set[str]:
        changes, _pages = history.recent_changes(db.session, Viewer(user))
        return {c.article.slug for c in changes}

    everyone = {ZWK, LEUCHTTURM, SEMINAR}
    assert seen(None) == everyone
    assert seen(person("leser")) == everyone
    assert seen(person("lup")) == everyone
    assert seen(bremen) == everyone | {draft.slug}
    assert seen(person("admin")) == everyone | {draft.slug}


def test_recent_changes_are_newest_first_with_every_revision(starter: Flask) -> None:
    bremen = person("bremen")
    article = get(ZWK)
    editing.save_article(
        db.session, article, input_of(article, body="Zwei.\n", message="Zwei"), 1, bremen
    )
    editing.save_article(
        db.session, article, input_of(article, body="Drei.\n", message="Drei"), 2, bremen
    )
    changes, pages = history.recent_changes(db.session, Viewer(None))
    assert pages == 1
    assert [(c.article.slug, c.revision.number) for c in changes[:2]] == [(ZWK, 3), (ZWK, 2)]
    assert len(changes) == 5
    changes, pages = history.recent_changes(db.session, Viewer(None), per_page=2)
    assert pages == 3 and len(changes) == 2


def test_compare_counts_words_and_gives_back_both_texts(starter: Flask) -> None:
    bremen = person("bremen")
    article = published(bremen, "Vergleich", "Der Bus fährt montags.\n", region="bremerhaven")
    editing.save_article(
        db.session,
        article,
        input_of(article, body="Der kleine Bus fährt dienstags.\n"),
        1,
        bremen,
    )
    comparison = history.compare(db.session, article, 1, 2)
    assert (comparison.stats.added_words, comparison.stats.removed_words) == (2, 1)
    old = "".join(p.text for p in comparison.body if p.kind != "neu")
    new_text = "".join(p.text for p in comparison.body if p.kind != "weg")
    assert (old, new_text) == ("Der Bus fährt montags.\n", "Der kleine Bus fährt dienstags.\n")
    assert len(comparison.title) == 1
