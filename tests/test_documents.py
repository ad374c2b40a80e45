"""Documents through the browser: upload, background extraction, page text, files."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from wissen.errors import Conflict
from wissen.extensions import db
from wissen.models import AuditEvent, Document, DocumentStatus, IndexChange

from .conftest import EVAL_DEV, TESTDATA, csrf_token_of, login, make_user

PDFS = sorted((EVAL_DEV / "documents").glob("*.pdf")) if EVAL_DEV.is_dir() else []


def editor(app: Flask, email: str = "red@bremerhaven.example") -> FlaskClient:
    make_user(email, "redaktion", ("bremerhaven",))
    client = app.test_client()
    login(client, email)
    return client


def upload(client: FlaskClient, files: list[tuple[bytes, str]], **fields: object):
    data: dict[str, object] = {
        "csrf_token": csrf_token_of(client, "/dokumente/neu"),
        "kind": "praesentation",
        "region": "bremerhaven",
        **fields,
    }
    data["dateien"] = [(io.BytesIO(content), name) for content, name in files]
    return post_multipart(client, "/dokumente/neu", data)


def post_multipart(client: FlaskClient, url: str, data: dict[str, object], **kwargs: object):
    """Encode in memory: the test client spools large bodies to a file it never closes."""
    fields = MultiDict()
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, tuple):
                stream, name = item
                fields.add(key, FileStorage(stream=stream, filename=name))
            else:
                fields.add(key, item)
    boundary, body = encode_multipart(fields)
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(url, data=body, content_type=content_type, **kwargs)


def document(slug: str) -> Document:
    db.session.remove()
    found = db.session.query(Document).filter_by(slug=slug).one()
    return found


def slug_of(response) -> str:  # type: ignore[no-untyped-def]
    return response.headers["Location"].rsplit("/", 1)[1]


@pytest.mark.skipif(not PDFS, reason="../shared/eval-dev fehlt")
def test_every_eval_dev_pdf_ends_ready_with_umlauts_intact(starter: Flask) -> None:
    client = editor(starter)
    for pdf in PDFS:
        response = upload(client, [(pdf.read_bytes(), pdf.name)])
        assert response.status_code == 302, response.get_data(as_text=True)[:300]
        found = document(slug_of(response))
        assert found.status is DocumentStatus.READY, (pdf.name, found.error)
        assert found.page_count and found.page_count >= 6
        assert found.page_unit == "Folie"
        assert found.sha256 == hashlib.sha256(pdf.read_bytes()).hexdigest()
        html = client.get(f"/dokumente/{found.slug}").get_data(as_text=True)
        assert 'id="seite-2"' in html and "Folie 2" in html
        assert "#page=2" in html
        text = " ".join(p.text for p in found.pages)
        assert re.search(r"[äöüß]", text), pdf.name
        assert "¨" not in text


@pytest.mark.skipif(not PDFS, reason="../shared/eval-dev fehlt")
def test_a_fact_from_a_slide_is_on_the_right_page(starter: Flask) -> None:
    client = editor(starter)
    pdf = EVAL_DEV / "documents" / "dorfladen-genossenschaft-praesentation.pdf"
    found = document(slug_of(upload(client, [(pdf.read_bytes(), pdf.name)])))
    pages = [p.number for p in found.pages if "250" in p.text and "Euro" in p.text]
    assert pages == [3]
    api = client.get(f"/api/v1/documents/{found.slug}").get_json()
    assert api["status"] == "ready" and api["status_label"] == "bereit" and api["pages"] >= 6


def test_the_same_file_twice_offers_the_existing_document(starter: Flask) -> None:
    client = editor(starter)
    content = b"Dorfladen eG\n\nGesch\xc3\xa4ftsanteil 250 Euro\n"
    first = upload(client, [(content, "dorfladen.txt")])
    second = upload(client, [(content, "kopie.txt")])
    assert second.status_code == 302 and second.headers["Location"] == first.headers["Location"]
    assert db.session.query(Document).count() == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "schon vorhanden" in page


def test_several_files_at_once_and_a_bad_one_does_not_stop_the_others(starter: Flask) -> None:
    client = editor(starter)
    response = upload(
        client,
        [
            (b"Erste Datei mit Text\n", "eins.txt"),
            (b"<html><script>alert(1)</script></html>", "boese.pdf"),
            (b"", "leer.pdf"),
            (b"Zweite Datei\n", "zwei.md"),
        ],
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "„boese.pdf“ hat ein Format, das wissen nicht lesen kann" in html
    assert "„leer.pdf“ ist leer" in html
    assert db.session.query(Document).count() == 2
    assert "<script>alert(1)</script>" not in html
    # When no file is taken, the page says why for each and the answer is an error (400).
    refused = upload(client, [(b"", "leer.txt"), (b"<html></html>", "seite.pdf")])
    assert refused.status_code == 400
    assert "„leer.txt“ ist leer" in refused.get_data(as_text=True)
    assert "„seite.pdf“ hat ein Format" in refused.get_data(as_text=True)
    assert db.session.query(Document).count() == 2


def test_a_markdown_upload_takes_its_title_from_the_heading(starter: Flask) -> None:
    client = editor(starter)
    response = upload(client, [(b"# Ehrenamt gewinnen\n\nSo finden Vereine Nachwuchs.\n", "a.md")])
    found = document(slug_of(response))
    assert (found.media_type, found.title) == ("text/markdown", "Ehrenamt gewinnen")


@pytest.mark.skipif(not (TESTDATA / "pdf-hostile").is_dir(), reason="../shared/testdata fehlt")
def test_a_pdf_with_bytes_before_its_header_is_accepted_and_read(starter: Flask) -> None:
    # Some gateways and generators put bytes in front of "%PDF-"; PDF readers accept that.
    client = editor(starter)
    path = TESTDATA / "pdf-hostile" / "derived" / "junk-around.pdf"
    response = upload(client, [(path.read_bytes(), path.name)])
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    found = document(slug_of(response))
    assert (found.media_type, found.status, found.page_count) == (
        "application/pdf",
        DocumentStatus.READY,
        1,
    )


def test_json_upload_for_the_progress_bar(starter: Flask) -> None:
    client = editor(starter)
    data = {
        "csrf_token": csrf_token_of(client, "/dokumente/neu"),
        "kind": "bericht",
        "region": "bremerhaven",
        "dateien": [(io.BytesIO(b"Text\n"), "bericht.txt")],
    }
    response = client.post(
        "/dokumente/neu",
        data=data,
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    result = response.get_json()["results"][0]
    assert result["ok"] and result["url"].startswith("/dokumente/")


def test_path_traversal_file_names_are_only_labels(starter: Flask, tmp_path: Path) -> None:
    client = editor(starter)
    response = upload(client, [(b"Text\n", "../../../etc/passwd.txt")])
    found = document(slug_of(response))
    assert found.original_filename == "passwd.txt"
    uploads = Path(starter.config["UPLOAD_DIR"])
    assert (uploads / found.sha256[:2] / found.sha256).is_file()
    assert not (uploads.parent / "etc").exists()


def test_upload_needs_an_editor_of_the_region(starter: Flask) -> None:
    make_user("leser@example.de", "leser")
    reader = starter.test_client()
    login(reader, "leser@example.de")
    assert reader.get("/dokumente/neu").status_code == 403
    client = editor(starter)
    response = upload(client, [(b"Text\n", "x.txt")], region="ludwigslust-parchim")
    assert response.status_code == 400  # no file taken: the whole upload is refused
    assert "keine Dokumente hochladen" in response.get_data(as_text=True)
    assert db.session.query(Document).count() == 0


def test_too_large_upload_is_refused_before_reading(tmp_path: Path) -> None:
    from .conftest import STARTER, load_bundle, make_app

    app = make_app(tmp_path, MAX_UPLOAD_MB="1")
    load_bundle(app, STARTER)
    client = editor(app)
    # Raw bytes: the test client would otherwise spool the body to a temp file it never
    # closes when the server (rightly) refuses to read it.
    response = client.post(
        "/dokumente/neu",
        data=b"x" * (2 * 1024 * 1024),
        content_type="multipart/form-data; boundary=grenze",
    )
    assert response.status_code == 413
    assert "Datei zu groß" in response.get_data(as_text=True)


def test_replacing_keeps_the_old_file_downloadable(starter: Flask) -> None:
    client = editor(starter)
    slug = slug_of(upload(client, [(b"Alte Fassung\n", "bericht.txt")]))
    token = csrf_token_of(client, f"/dokumente/{slug}")
    response = post_multipart(
        client,
        f"/dokumente/{slug}/ersetzen",
        {"csrf_token": token, "datei": (io.BytesIO(b"Neue Fassung\n"), "bericht-v2.txt")},
    )
    assert response.status_code == 302
    found = document(slug)
    assert found.original_filename == "bericht-v2.txt"
    assert "Neue Fassung" in found.pages[0].text
    assert [v.original_filename for v in found.versions] == ["bericht.txt"]
    with client.get(f"/dokumente/{slug}/fruehere/1") as old:
        assert old.status_code == 200 and old.data == b"Alte Fassung\n"
        assert "attachment" in old.headers["Content-Disposition"]


def test_failed_document_shows_a_german_reason_and_can_be_retried(starter: Flask) -> None:
    client = editor(starter)
    broken = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog"  # a PDF that ends mid-object
    slug = slug_of(upload(client, [(broken, "kaputt.pdf")]))
    found = document(slug)
    assert found.status is DocumentStatus.FAILED
    assert (found.error and not found.error.isascii()) or "Datei" in found.error
    html = client.get(f"/dokumente/{slug}").get_data(as_text=True)
    assert "fehlgeschlagen" in html and found.error in html
    token = csrf_token_of(client, f"/dokumente/{slug}")
    response = client.post(f"/dokumente/{slug}/erneut", data={"csrf_token": token})
    assert response.status_code == 302
    assert document(slug).status is DocumentStatus.FAILED  # the same file fails the same way
    actions = [e.action for e in db.session.query(AuditEvent).all()]
    assert {"document.upload", "document.failed", "document.retry"} <= set(actions)


@pytest.mark.usefixtures("outbox_kept")
def test_trash_restore_purge_and_outbox(starter: Flask) -> None:
    client = editor(starter)
    slug = slug_of(upload(client, [(b"Weg damit\n", "weg.txt")]))
    outbox = db.session.query(IndexChange).count()
    token = csrf_token_of(client, f"/dokumente/{slug}")
    assert client.post(f"/dokumente/{slug}/loeschen", data={"csrf_token": token}).status_code == 302
    assert f'href="/dokumente/{slug}"' not in client.get("/dokumente").get_data(as_text=True)
    assert f'href="/dokumente/{slug}"' in client.get("/-/papierkorb").get_data(as_text=True)
    anonymous = starter.test_client()
    assert anonymous.get(f"/dokumente/{slug}").status_code == 404
    assert (
        client.post(f"/dokumente/{slug}/wiederherstellen", data={"csrf_token": token}).status_code
        == 302
    )
    assert document(slug).deleted_at is None
    client.post(f"/dokumente/{slug}/loeschen", data={"csrf_token": token})
    response = client.post(f"/dokumente/{slug}/endgueltig-loeschen", data={"csrf_token": token})
    assert response.status_code == 403, "endgültig löschen darf nur die Administration"
    make_user("admin@example.de", "admin")
    admin = starter.test_client()
    login(admin, "admin@example.de")
    sha = document(slug).sha256
    token = csrf_token_of(admin, f"/dokumente/{slug}")
    assert (
        admin.post(f"/dokumente/{slug}/endgueltig-loeschen", data={"csrf_token": token}).status_code
        == 302
    )
    db.session.remove()
    assert db.session.query(Document).filter_by(slug=slug).count() == 0
    assert not (Path(starter.config["UPLOAD_DIR"]) / sha[:2] / sha).exists()
    assert db.session.query(IndexChange).count() >= outbox + 4


def test_metadata_edit_is_german_and_detects_a_stale_form(starter: Flask) -> None:
    client = editor(starter)
    slug = slug_of(upload(client, [(b"Text\n", "notiz.txt")]))
    page = client.get(f"/dokumente/{slug}/bearbeiten").get_data(as_text=True)
    version = re.search(r'name="base_version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    token = csrf_token_of(client, f"/dokumente/{slug}/bearbeiten")
    form = {
        "csrf_token": token,
        "title": "Neuer Titel",
        "kind": "bericht",
        "region": "bremerhaven",
        "base_version": version,
    }
    assert client.post(f"/dokumente/{slug}/bearbeiten", data=form).status_code == 302
    assert document(slug).title == "Neuer Titel"
    stale = client.post(f"/dokumente/{slug}/bearbeiten", data={**form, "title": "Alt"})
    assert stale.status_code == 409
    assert document(slug).title == "Neuer Titel"
    empty = client.post(
        f"/dokumente/{slug}/bearbeiten",
        data={**form, "title": " ", "base_version": str(int(version) + 1)},
    )
    assert empty.status_code == 400 and "Bitte einen Titel eingeben." in empty.get_data(
        as_text=True
    )


def test_too_long_title_or_summary_is_refused_not_cut(starter: Flask) -> None:
    """A cut text would be stored other than typed, unnoticed: refused in German instead,
    on upload (no file kept) and on editing (the saved values stay)."""
    client = editor(starter)
    long_title, long_summary = "Titel " + "x" * 295, "Satz. " * 334
    refused = upload(client, [(b"Text\n", "lang.txt")], title=long_title)
    assert "Der Titel darf höchstens 300 Zeichen lang sein." in refused.get_data(as_text=True)
    refused = upload(client, [(b"Text\n", "lang.txt")], summary=long_summary)
    assert "Die Kurzbeschreibung darf höchstens 2000 Zeichen lang sein." in refused.get_data(
        as_text=True
    )
    assert db.session.query(Document).count() == 0
    assert not any(p.is_file() for p in Path(starter.config["UPLOAD_DIR"]).rglob("*"))

    exact = "Titel " + "x" * 294  # 300 characters are still fine
    slug = slug_of(upload(client, [(b"Text\n", "notiz.txt")], title=exact, summary="Kurz."))
    assert document(slug).title == exact
    form = {
        "csrf_token": csrf_token_of(client, f"/dokumente/{slug}/bearbeiten"),
        "title": long_title,
        "kind": "bericht",
        "region": "bremerhaven",
        "summary": "Kurz.",
        "base_version": str(document(slug).edit_version),
    }
    too_long = client.post(f"/dokumente/{slug}/bearbeiten", data=form)
    assert too_long.status_code == 400
    assert "Der Titel darf höchstens 300 Zeichen lang sein." in too_long.get_data(as_text=True)
    too_long = client.post(
        f"/dokumente/{slug}/bearbeiten", data={**form, "title": exact, "summary": long_summary}
    )
    assert too_long.status_code == 400
    assert (document(slug).title, document(slug).summary) == (exact, "Kurz.")


def test_two_metadata_saves_at_the_same_moment_give_the_second_a_conflict(
    starter: Flask,
) -> None:
    """Both requests read version 1 before either commits; the later one must not silently
    replace the earlier one's title."""
    from sqlalchemy.orm import Session

    from wissen.models import User
    from wissen.services import document_admin

    client = editor(starter)
    slug = slug_of(upload(client, [(b"Text\n", "notiz.txt")], title="Alter Titel"))
    db.session.remove()
    with (
        Session(db.engine, expire_on_commit=False) as one,
        Session(db.engine, expire_on_commit=False) as two,
    ):
        first = one.query(Document).filter_by(slug=slug).one()
        second = two.query(Document).filter_by(slug=slug).one()
        version = first.edit_version
        anna = document_admin.input_of(first)
        anna.title = "Annas Titel"
        ben = document_admin.input_of(second)
        ben.summary = "Bens Kurzbeschreibung"
        person = one.query(User).filter_by(email="red@bremerhaven.example").one()
        assert document_admin.update_metadata(one, first, anna, version, person)
        person = two.query(User).filter_by(email="red@bremerhaven.example").one()
        with pytest.raises(Conflict):
            document_admin.update_metadata(two, second, ben, version, person)
    assert (document(slug).title, document(slug).summary) == ("Annas Titel", "")
    assert document(slug).edit_version == version + 1


HOSTILE = TESTDATA / "pdf-hostile"


@pytest.mark.skipif(not HOSTILE.is_dir(), reason="../shared/testdata fehlt")
def test_every_hostile_pdf_ends_ready_or_failed_and_the_next_upload_works(
    tmp_path: Path,
) -> None:
    from .conftest import STARTER, load_bundle, make_app

    app = make_app(tmp_path, EXTRACT_TIMEOUT="20")
    load_bundle(app, STARTER)
    client = editor(app)
    files = sorted(p for p in HOSTILE.rglob("*") if p.is_file() and p.suffix != ".md")
    for path in files:
        response = upload(client, [(path.read_bytes(), path.name)])
        assert response.status_code in (302, 400), path.name
        if response.status_code == 400:
            assert re.search("ist leer|hat ein Format|ist größer", response.get_data(as_text=True))
        assert client.get("/-/health").status_code == 200
    db.session.remove()
    for found in db.session.query(Document).all():
        assert found.status in (DocumentStatus.READY, DocumentStatus.FAILED), found.slug
        if found.status is DocumentStatus.FAILED:
            assert found.error, found.slug
    normal = upload(client, [(b"Nach dem Sturm: ganz normaler Text\n", "normal.txt")])
    assert document(slug_of(normal)).status is DocumentStatus.READY


@pytest.mark.skipif(not PDFS, reason="../shared/eval-dev fehlt")
def test_first_page_preview_when_poppler_is_installed(starter: Flask) -> None:
    import shutil

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) ist nicht installiert")
    client = editor(starter)
    slug = slug_of(upload(client, [(PDFS[0].read_bytes(), PDFS[0].name)]))
    html = client.get(f"/dokumente/{slug}").get_data(as_text=True)
    assert f'src="/dokumente/{slug}/vorschau.png"' in html
    assert 'alt="Vorschau der ersten Seite' in html
    with client.get(f"/dokumente/{slug}/vorschau.png") as image:
        assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
