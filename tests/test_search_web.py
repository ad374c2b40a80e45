"""Search as users meet it: /suche, the API, the CLI, freshness, visibility, recovery."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from wissen.cli import main
from wissen.extensions import db
from wissen.models import Article, ArticleStatus, SearchMiss, User
from wissen.services import editing, indexing, lifecycle, search
from wissen.services.editing import ArticleInput
from wissen.services.permissions import Viewer

from . import databases
from .conftest import EVAL_DEV, csrf_token_of, load_bundle, login, make_app, make_user
from .test_documents import upload

pytestmark = pytest.mark.skipif(not EVAL_DEV.is_dir(), reason="../shared/eval-dev fehlt")


def hits(client: FlaskClient, query: str, **params: Any) -> list[str]:
    answer = client.get("/api/v1/search", query_string={"q": query, **params})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return [f"{h['type']}/{h['slug']}" for h in answer.get_json()["hits"]]


def person(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    assert user is not None
    return user


def article(slug: str) -> Article:
    found = db.session.scalar(select(Article).where(Article.slug == slug))
    assert found is not None
    return found


# --- the results page and the API -------------------------------------------------------


def test_the_api_answers_as_documented(indexed: Flask) -> None:
    answer = indexed.test_client().get("/api/v1/search?q=dorfladen&per_page=5").get_json()
    assert set(answer) >= {"total", "hits", "facets"}
    assert answer["total"] >= len(answer["hits"]) > 0
    first = answer["hits"][0]
    assert set(first) >= {"type", "slug", "title", "url", "snippet", "page", "score"}
    assert {h["type"] for h in answer["hits"]} <= {"article", "document", "contact"}
    assert set(answer["facets"]) == {"type", "kind", "theme", "region", "year"}


def test_a_fact_on_a_slide_links_to_that_slide(indexed: Flask) -> None:
    client = indexed.test_client()
    answer = client.get("/api/v1/search?q=was kostet ein anteil am dorfladen").get_json()
    top = answer["hits"][0]
    assert (top["type"], top["slug"]) == ("document", "dorfladen-genossenschaft-praesentation")
    assert top["page"] == 3 and top["url"].endswith("#seite-3")
    page = client.get("/suche?q=was kostet ein anteil am dorfladen").get_data(as_text=True)
    assert "Folie 3</a>" in page
    assert "<mark" in page


def test_facets_narrow_and_each_filter_can_be_removed(indexed: Flask) -> None:
    client = indexed.test_client()
    everything = client.get("/api/v1/search?q=ehrenamt").get_json()
    documents_only = client.get("/api/v1/search?q=ehrenamt&type=document").get_json()
    assert 0 < documents_only["total"] < everything["total"]
    assert {h["type"] for h in documents_only["hits"]} == {"document"}
    page = client.get("/suche?q=ehrenamt&type=document&theme=ehrenamt").get_data(as_text=True)
    assert "Filter entfernen" in page
    assert 'href="/suche?q=ehrenamt&amp;theme=ehrenamt"' in page  # removes only the type
    assert 'href="/suche?q=ehrenamt&amp;type=document"' in page  # removes only the theme


def test_syntax_filters_phrases_and_exclusions(indexed: Flask) -> None:
    client = indexed.test_client()
    assert set(hits(client, "bus art:dokument")) <= {
        h for h in hits(client, "bus", per_page=50) if h.startswith("document/")
    }
    assert all(h.startswith("document/") for h in hits(client, "bus art:dokument"))
    with_phrase = hits(client, '"ältere Menschen"', per_page=50)
    assert with_phrase and "article/leitfaden-beteiligung-aeltere-menschen" in with_phrase
    with_rufbus = hits(client, "bürgerbus", per_page=50)
    without = hits(client, "bürgerbus -rufbus", per_page=50)
    assert "article/leitfaden-rufbus-einfuehren" in with_rufbus
    assert "article/leitfaden-rufbus-einfuehren" not in without
    assert set(without) < set(with_rufbus)
    answer = client.get("/api/v1/search?q=ehrenamt region:wunsiedel-im-fichtelgebirge").get_json()
    assert answer["total"] > 0
    assert [f["value"] for f in answer["facets"]["region"]] == ["wunsiedel-im-fichtelgebirge"]


def test_sorting_by_date_and_paging(indexed: Flask) -> None:
    client = indexed.test_client()
    first = client.get("/api/v1/search?q=region&per_page=3&page=1").get_json()
    second = client.get("/api/v1/search?q=region&per_page=3&page=2").get_json()
    assert first["total"] > 6
    assert not {h["slug"] for h in first["hits"]} & {h["slug"] for h in second["hits"]}
    page = client.get("/suche?q=region&sort=datum&per_page=3").get_data(as_text=True)
    assert 'aria-label="Seitennavigation"' in page
    assert '<option value="datum" selected>' in page


def test_hostile_queries_are_escaped_and_never_fail(indexed: Flask) -> None:
    client = indexed.test_client()
    for query in ["<script>alert(1)</script>", '"', "thema:", "-", "a" * 5000, "*:*"]:
        answer = client.get("/suche", query_string={"q": query})
        assert answer.status_code == 200
        assert "<script>alert(1)</script>" not in answer.get_data(as_text=True)
        assert client.get("/api/v1/search", query_string={"q": query}).status_code == 200
    # A null character is refused in German (PostgreSQL could not even log the search).
    for path in ("/suche", "/api/v1/search"):
        answer = client.get(path, query_string={"q": "dorf\x00laden"})
        assert answer.status_code == 400 and "Nullzeichen" in answer.get_data(as_text=True)


def test_did_you_mean_only_when_the_suggestion_finds_something(indexed: Flask) -> None:
    client = indexed.test_client()
    page = client.get("/suche?q=dorfladn gründen").get_data(as_text=True)
    assert "Meinten Sie" in page and "dorfladen gründen" in page
    assert "Meinten Sie" not in client.get("/suche?q=qxzvkrpl").get_data(as_text=True)


def test_autocomplete_offers_titles_and_words(indexed: Flask) -> None:
    found = indexed.test_client().get("/suche/vorschlaege?q=dorfl").get_json()
    assert any(f["url"] == "/artikel/dorfladen-genossenschaft-werra-meissner" for f in found)
    assert any(f["url"] is None and f["label"].startswith("dorfl") for f in found)
    page = indexed.test_client().get("/").get_data(as_text=True)
    assert 'data-vorschlaege="/suche/vorschlaege"' in page  # the script enhances a plain form


def test_similar_items_come_from_other_regions(indexed: Flask) -> None:
    page = indexed.test_client().get("/artikel/buergerbus-suederbrarup").get_data(as_text=True)
    assert "Ähnliche Praxisbeispiele aus anderen Regionen" in page
    section = page.split('id="aehnliche"', 1)[1].split("</section>", 1)[0]
    assert "Amt Süderbrarup" not in section
    assert "/artikel/" in section


def test_similar_items_follow_a_change_at_once(indexed: Flask) -> None:
    """The key terms of a page are kept for a while; what they find is never stale."""
    url = "/artikel/buergerbus-suederbrarup"
    page = indexed.test_client().get(url).get_data(as_text=True)
    section = page.split('id="aehnliche"', 1)[1].split("</section>", 1)[0]
    first = section.split('href="/artikel/', 1)[1].split('"', 1)[0]
    with indexed.app_context():
        admin = person("admin@example.org")
        lifecycle.set_status(db.session, article(first), ArticleStatus.DRAFT, admin)
        db.session.commit()
    again = indexed.test_client().get(url).get_data(as_text=True)
    assert f'href="/artikel/{first}"' not in again.split('id="aehnliche"', 1)[1]


# --- visibility inside the search --------------------------------------------------------


def test_drafts_and_internal_contacts_stay_hidden_from_visitors(indexed: Flask) -> None:
    with indexed.app_context():
        item = article("integrationslotsen-pirmasens")
        lifecycle.set_status(db.session, item, ArticleStatus.DRAFT, person("admin@example.org"))
        db.session.commit()
    anonymous = indexed.test_client()
    assert "article/integrationslotsen-pirmasens" not in hits(anonymous, "integrationslotsen")
    editor = indexed.test_client()
    login(editor, "redaktion@example.org")
    assert "article/integrationslotsen-pirmasens" in hits(editor, "integrationslotsen")
    reader = indexed.test_client()
    login(reader, "leser@example.org")
    assert "article/integrationslotsen-pirmasens" not in hits(reader, "integrationslotsen")


def test_internal_contacts_only_for_signed_in_users(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "contacts.yml").write_text(
        "- id: geheim-gerda\n  name: Gerda Geheim\n  role: Quartiersmanagerin\n"
        "  visibility: intern\n",
        "utf-8",
    )
    with app.app_context():
        load_bundle(app, bundle)
        make_user("leser@example.org", "leser")
    anonymous = app.test_client()
    assert hits(anonymous, "quartiersmanagerin") == []
    signed_in = app.test_client()
    login(signed_in, "leser@example.org")
    assert hits(signed_in, "quartiersmanagerin") == ["contact/geheim-gerda"]


def test_private_site_searches_nothing_for_visitors(tmp_path: Path) -> None:
    app = make_app(tmp_path, PUBLIC_READ=False)
    with app.app_context():
        load_bundle(app, EVAL_DEV)
    answer = app.test_client().get("/api/v1/search?q=dorfladen")
    assert answer.status_code in (401, 403) or answer.get_json()["total"] == 0


# --- freshness after each kind of change --------------------------------------------------


def test_every_change_is_searchable_at_once(indexed: Flask) -> None:
    client = indexed.test_client()
    with indexed.app_context():
        admin = person("admin@example.org")
        data = ArticleInput(
            title="Quokkazählung im Landkreis", kind="praxisbeispiel", body="Zebrastreifen.\n"
        )
        created = editing.create_article(db.session, data, admin, publish=True)
        slug = created.slug
    assert hits(client, "quokkazählung") == [f"article/{slug}"]
    with indexed.app_context():
        item = article(slug)
        changed = ArticleInput(title=item.title, kind="praxisbeispiel", body="Okapiwanderung.\n")
        base = item.current_revision.number
        editing.save_article(db.session, item, changed, base, person("admin@example.org"))
    assert hits(client, "okapiwanderung") == [f"article/{slug}"]
    assert hits(client, "zebrastreifen") == []
    with indexed.app_context():
        lifecycle.move_to_trash(db.session, article(slug), person("admin@example.org"))
    assert hits(client, "okapiwanderung") == []
    with indexed.app_context():
        lifecycle.restore_from_trash(db.session, article(slug), person("admin@example.org"))
    assert hits(client, "okapiwanderung") == [f"article/{slug}"]
    with indexed.app_context():
        lifecycle.rename(db.session, article(slug), "quokka-neu", person("admin@example.org"))
    assert hits(client, "okapiwanderung") == ["article/quokka-neu"]
    with indexed.app_context():
        draft = ArticleStatus.DRAFT
        lifecycle.set_status(db.session, article("quokka-neu"), draft, person("admin@example.org"))
        db.session.commit()
    assert hits(client, "okapiwanderung") == []  # a visitor does not find drafts


def test_an_uploaded_document_is_searchable_once_read(indexed: Flask) -> None:
    text = "Bericht zur Einhornsichtung im Landkreis\n\nAlles über die Sichtung.\n".encode()
    client = indexed.test_client()
    login(client, "admin@example.org")
    assert hits(client, "Einhornsichtung") == []
    answer = upload(client, [(text, "bericht.txt")], title="Bericht 2024", region="")
    assert answer.status_code in (200, 302, 303), answer.get_data(as_text=True)[:3000]
    assert [h.split("/")[0] for h in hits(client, "einhornsichtung")] == ["document"]


# --- the log of searches without hits and the thesaurus -----------------------------------


def test_searches_without_hits_are_counted_without_personal_data(indexed: Flask) -> None:
    client = indexed.test_client()
    client.get("/suche?q=Schneeräumung Radwege")
    client.get("/suche?q=schneeräumung radwege")
    with indexed.app_context():
        misses = list(db.session.scalars(select(SearchMiss)))
        assert [(m.query, m.count) for m in misses] == [("schneeräumung radwege", 2)]
        assert set(SearchMiss.__table__.columns.keys()) == {
            "id",
            "query",
            "count",
            "first_seen",
            "last_seen",
        }
    admin = indexed.test_client()
    login(admin, "admin@example.org")
    assert "schneeräumung radwege" in admin.get("/-/admin/suche").get_data(as_text=True)
    reader = indexed.test_client()
    login(reader, "leser@example.org")
    assert reader.get("/-/admin/suche").status_code == 403


def test_admins_edit_the_thesaurus_and_bad_lines_are_refused(indexed: Flask) -> None:
    admin = indexed.test_client()
    login(admin, "admin@example.org")
    assert "article/mitfahrbaenke-holzminden" not in hits(admin, "plauderbank")
    token = csrf_token_of(admin, "/-/admin/suche")
    text = "Plauderbank, Mitfahrbank\n"
    saved = admin.post("/-/admin/suche/thesaurus", data={"text": text, "csrf_token": token})
    assert saved.status_code == 302
    assert "article/mitfahrbaenke-holzminden" in hits(admin, "plauderbank")
    refused = admin.post(
        "/-/admin/suche/thesaurus", data={"text": "nur ein Begriff\n", "csrf_token": token}
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Zeile 1" in page and "nur ein Begriff" in page  # the typed text stays
    assert "article/mitfahrbaenke-holzminden" in hits(admin, "plauderbank")  # old one kept


def _textarea_as_a_browser_shows_it(page: str, field_id: str) -> str:
    found = re.search(rf'<textarea id="{field_id}"[^>]*>(.*?)</textarea>', page, re.DOTALL)
    assert found, field_id
    # HTML parsing drops one newline right after <textarea> (HTML standard, "textarea").
    return html.unescape(found.group(1)).removeprefix("\n")


def test_a_thesaurus_beginning_with_a_blank_line_keeps_it_when_saved_again(
    indexed: Flask,
) -> None:
    admin = indexed.test_client()
    login(admin, "admin@example.org")
    text = "\n# Begriffe aus dem Kreistag\nPlauderbank, Mitfahrbank\n"
    token = csrf_token_of(admin, "/-/admin/suche")
    saved = admin.post("/-/admin/suche/thesaurus", data={"text": text, "csrf_token": token})
    assert saved.status_code == 302
    shown = _textarea_as_a_browser_shows_it(
        admin.get("/-/admin/suche").get_data(as_text=True), "thesaurus-text"
    )
    assert shown == text
    again = admin.post("/-/admin/suche/thesaurus", data={"text": shown, "csrf_token": token})
    assert again.status_code == 302
    page = admin.get("/-/admin/suche").get_data(as_text=True)
    assert _textarea_as_a_browser_shows_it(page, "thesaurus-text") == text


# --- index lifecycle: corruption, CLI ------------------------------------------------------


def _current_generation(app: Flask) -> Path:
    root = Path(app.config["INDEX_DIR"])
    return root / (root / "CURRENT").read_text("utf-8").strip()


def test_a_corrupt_index_is_rebuilt_and_search_keeps_working(indexed: Flask) -> None:
    client = indexed.test_client()
    assert hits(client, "dorfladen")
    for file in _current_generation(indexed).iterdir():
        if file.suffix in (".seg", ".toc"):
            file.write_bytes(b"kaputt")
    search._indexes.clear()  # a fresh process: nothing cached
    assert "article/dorfladen-genossenschaft-werra-meissner" in hits(client, "dorfladen")


def test_a_missing_index_is_rebuilt(indexed: Flask) -> None:
    shutil.rmtree(Path(indexed.config["INDEX_DIR"]))
    search._indexes.clear()
    assert hits(indexed.test_client(), "dorfladen")


def test_reindex_check_and_repair(indexed: Flask) -> None:
    runner = indexed.test_cli_runner()
    rebuilt = runner.invoke(main, ["reindex"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert "Suchindex neu aufgebaut" in rebuilt.output
    healthy = runner.invoke(main, ["check"])
    assert healthy.exit_code == 0, healthy.output
    with indexed.app_context():
        from wissen.search import entries

        gone = article("buergerbus-suederbrarup").id
        entries.apply(Path(indexed.config["INDEX_DIR"]), {f"article:{gone}": []})
    broken = runner.invoke(main, ["check"])
    assert broken.exit_code == 1
    assert f"fehlt im Index: article:{gone}" in broken.output
    repaired = runner.invoke(main, ["check", "--repair"])
    assert repaired.exit_code == 0, repaired.output
    assert "article/buergerbus-suederbrarup" in hits(indexed.test_client(), "bürgerbus")


def test_cli_search_prints_json_like_the_api(indexed: Flask) -> None:
    result = indexed.test_cli_runner().invoke(main, ["search", "bürgerbus", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["hits"][0]["slug"] == "buergerbus-suederbrarup"
    plain = indexed.test_cli_runner().invoke(main, ["search", "bürgerbus"])
    assert "Treffer für „bürgerbus“" in plain.output


def test_search_engine_run_directly(indexed: Flask) -> None:
    with indexed.app_context():
        index = search.index_at(indexed.config["INDEX_DIR"])
        page = search.run(db.session, index, "bürgerbus", Viewer(None), per_page=2)
        assert page.total >= 2 and len(page.items) == 2 and page.pages >= 1


# --- a real worker process: searchable within a second of the commit ---------------------


@pytest.mark.slow
def test_a_separate_worker_makes_changes_searchable_within_a_second(tmp_path: Path) -> None:
    app = make_app(tmp_path, JOBS_IMMEDIATE=False)
    env = databases.process_env(tmp_path / "data")
    env["WISSEN_SECRET_KEY"] = "test-secret-key"
    with app.app_context():
        make_user("admin@example.org", "admin")
        indexing.ensure_index(db.session, Path(app.config["INDEX_DIR"]))
    worker = subprocess.Popen(
        [str(Path(sys.executable).parent / "wissen"), "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    client = app.test_client()
    delays = []
    try:
        time.sleep(2)  # the worker starts up
        for n in range(5):
            word = f"Kiwiprobe{n}x"
            with app.app_context():
                data = ArticleInput(title=f"{word} im Test", kind="praxisbeispiel", body="Text.\n")
                editing.create_article(db.session, data, person("admin@example.org"), publish=True)
                db.session.remove()
            committed = time.monotonic()
            while not hits(client, word.lower()):
                assert time.monotonic() - committed < 10, "nicht innerhalb von 10 s gefunden"
                time.sleep(0.02)
            delays.append(time.monotonic() - committed)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=10)
    delays.sort()
    print("Verzögerung bis suchbar (s):", [round(d, 3) for d in delays])
    # The target is ≤ 1 s; a loaded CI machine gets some slack, the median must hold.
    assert delays[len(delays) // 2] < 1.0, delays
    assert delays[-1] < 3.0, delays


def test_a_first_import_is_indexed_once_and_leaves_no_backlog(tmp_path: Path) -> None:
    # Found by the latency benchmark: the rebuild after the first import left every outbox
    # row behind, and the server then indexed the whole import a second time, row by row.
    from .conftest import STARTER

    app = make_app(tmp_path, JOBS_IMMEDIATE=False)
    runner = app.test_cli_runner()
    imported = runner.invoke(main, ["import", str(STARTER)])
    assert imported.exit_code == 0, imported.output
    with app.app_context():
        assert indexing.pending_count(db.session) == 0
        db.session.remove()
    checked = runner.invoke(main, ["check"])
    assert checked.exit_code == 0, checked.output
    assert "Wartende Änderungen" not in checked.output
    assert hits(app.test_client(), "leuchtturm")


def test_large_bursts_are_applied_in_bounded_commits(
    indexed: Flask, monkeypatch: pytest.MonkeyPatch, outbox_kept: None
) -> None:
    """Many document pages waiting at once go into several small commits, not one huge
    one; afterwards the index matches the database exactly."""
    from wissen.models import Document

    commits: list[tuple[int, int]] = []  # (entries, parents) per commit
    real_apply = indexing.index_writer._apply_locked

    def counting(root, changes, lock_timeout):
        commits.append((sum(len(entries) for entries in changes.values()), len(changes)))
        return real_apply(root, changes, lock_timeout)

    monkeypatch.setattr(indexing, "ENTRIES_PER_COMMIT", 5)
    monkeypatch.setattr(indexing.index_writer, "_apply_locked", counting)
    with indexed.app_context():
        for document in db.session.scalars(select(Document)):
            document.summary = document.summary + " Sammelband"
            indexing.record_change(db.session, document)
        db.session.commit()
        db.session.remove()  # the worker reads with a session of its own
        indexing.apply_pending(db.session, Path(indexed.config["INDEX_DIR"]))
        assert len(commits) > 1
        # a commit stays within the limit, unless one document alone has more pages
        assert all(entries <= 5 or parents == 1 for entries, parents in commits)
        report = indexing.check(db.session, Path(indexed.config["INDEX_DIR"]))
        assert report.healthy and report.pending == 0


def test_two_workers_never_apply_the_same_rows(indexed: Flask, outbox_kept: None) -> None:
    """While one worker holds the index, another one waits and then finds the rows gone,
    instead of applying what it read before the first one deleted it."""
    import threading

    from wissen.models import Document
    from wissen.search import entries as index_entries

    root = Path(indexed.config["INDEX_DIR"])
    applied_parents: list[str] = []
    real_apply = index_entries._apply_locked

    def slow(root_, changes, lock_timeout):
        applied_parents.extend(changes)
        time.sleep(0.3)  # keep the lock a moment, as a large burst does
        return real_apply(root_, changes, lock_timeout)

    with indexed.app_context():
        for document in db.session.scalars(select(Document)):
            indexing.record_change(db.session, document)
        db.session.commit()
        db.session.remove()
    index_entries._apply_locked = slow
    try:

        def work() -> None:
            with indexed.app_context():
                indexing.apply_pending(db.session, root)
                db.session.remove()

        workers = [threading.Thread(target=work) for _ in range(2)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    finally:
        index_entries._apply_locked = real_apply
    assert applied_parents and len(applied_parents) == len(set(applied_parents))
