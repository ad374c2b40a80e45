"""Import and export of content bundles (../shared/BUNDLE.md), against a real SQLite file.

Every test builds its bundle in tmp_path from the starter content, ../shared/eval-dev or
small hand-written files; nothing outside tmp_path is written.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from wissen.errors import Invalid
from wissen.extensions import db
from wissen.models import (
    Article,
    Contact,
    Document,
    DocumentStatus,
    Region,
    Revision,
    Theme,
)
from wissen.services.bundle import ImportReport, export_bundle, import_bundle
from wissen.storage import BlobStore

from .conftest import EVAL_DEV, STARTER, make_app

STARTER_COUNTS = {"themes": 10, "regions": 2, "contacts": 2, "articles": 3, "documents": 0}
# Only the first bytes are looked at to tell a PDF; this is enough to be accepted.
PDF_BYTES = b"%PDF-1.4\n% wissen test\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
HTML_BYTES = b"<!doctype html>\n<html><body><script>alert(1)</script></body></html>\n"


# -- helpers -------------------------------------------------------------------------------


def store(app: Flask) -> BlobStore:
    return BlobStore(app.config["UPLOAD_DIR"])


def run_import(app: Flask, root: Path) -> ImportReport:
    return import_bundle(db.session, store(app), root)


def starter_copy(tmp_path: Path, name: str = "bundle") -> Path:
    target = tmp_path / name
    shutil.copytree(STARTER, target)
    return target


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def article_text(title: str = "Ein Testartikel", **head: str) -> str:
    fields = {"title": f'"{title}"', "kind": "praxisbeispiel", **head}
    lines = "".join(f"{key}: {value}\n" for key, value in fields.items())
    return f"---\n{lines}---\nText des Artikels.\n"


def stored_files(app: Flask) -> list[Path]:
    """Every file in the upload folder, including the temporary area."""
    return sorted(p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file())


def problems_for(report: ImportReport, file: str) -> list[Any]:
    return [p for p in report.problems if p.file == file]


def only_counts(report: ImportReport) -> dict[str, dict[str, int]]:
    return {part: {k: v for k, v in c.items() if v} for part, c in report.counts.items()}


def snapshot() -> dict[tuple[str, str], tuple[Any, ...]]:
    """The content a user sees, read fresh from the database, keyed by (kind, slug)."""
    db.session.expire_all()
    state: dict[tuple[str, str], tuple[Any, ...]] = {}
    for t in db.session.scalars(select(Theme)):
        state["theme", t.slug] = (t.name, t.description, t.position)
    for r in db.session.scalars(select(Region)):
        state["region", r.slug] = (r.name, r.kind, r.state, r.ags)
    for c in db.session.scalars(select(Contact)):
        themes = tuple(sorted(t.slug for t in c.themes))
        region = c.region.slug if c.region else None
        state["contact", c.slug] = (c.name, c.email, c.phone, region, themes, c.visibility)
    for a in db.session.scalars(select(Article)):
        themes = tuple(sorted(t.slug for t in a.themes))
        region = a.region.slug if a.region else None
        state["article", a.slug] = (a.title, a.body, a.status, a.kind, region, themes)
    for rev in db.session.scalars(select(Revision)):
        state["revision", f"{rev.article.slug}#{rev.number}"] = (rev.id, rev.title, rev.body)
    for d in db.session.scalars(select(Document)):
        state["document", d.slug] = (d.title, d.sha256, d.size, d.media_type, d.status)
    return state


def assert_kept(before: dict[tuple[str, str], tuple[Any, ...]]) -> None:
    """Everything that was there before is still there, unchanged."""
    after = snapshot()
    missing = sorted(set(before) - set(after))
    changed = sorted(k for k in before if k in after and after[k] != before[k])
    assert not missing, f"verschwunden: {missing}"
    assert not changed, f"verändert: {[(k, before[k], after[k]) for k in changed]}"


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


# -- importing the starter bundle ----------------------------------------------------------


def test_starter_import_counts_and_second_import_changes_nothing(app: Flask) -> None:
    first = run_import(app, STARTER)

    assert first.problems == []
    assert only_counts(first) == {
        "themes": {"neu": 10},
        "regions": {"neu": 2},
        "contacts": {"neu": 2},
        "articles": {"neu": 3},
        "documents": {},
    }
    assert count(Theme) == 10
    assert count(Revision) == 3
    before = snapshot()

    second = run_import(app, STARTER)

    assert second.problems == []
    assert only_counts(second) == {
        part: {"unverändert": n} if n else {} for part, n in STARTER_COUNTS.items()
    }
    assert count(Revision) == 3
    assert snapshot() == before


def test_changed_body_makes_exactly_one_new_revision(app: Flask, tmp_path: Path) -> None:
    bundle = starter_copy(tmp_path)
    run_import(app, bundle)
    article = db.session.scalar(select(Article).where(Article.slug == "zwk-beirat-bremerhaven"))
    assert article is not None
    first_revision = (article.revisions[0].id, article.revisions[0].title, article.body)
    path = bundle / "articles" / "zwk-beirat-bremerhaven.md"
    path.write_text(
        path.read_text(encoding="utf-8") + "\nNeuer Absatz über den Stadtteil Lehe.\n",
        encoding="utf-8",
    )

    report = run_import(app, bundle)

    assert report.problems == []
    assert only_counts(report)["articles"] == {"geändert": 1, "unverändert": 2}
    assert count(Revision) == 4
    db.session.expire_all()
    article = db.session.scalar(select(Article).where(Article.slug == "zwk-beirat-bremerhaven"))
    assert article is not None
    assert [r.number for r in article.revisions] == [1, 2]
    assert article.current_revision is not None
    assert article.current_revision.number == 2
    assert article.body.endswith("Neuer Absatz über den Stadtteil Lehe.\n")
    old = article.revisions[0]
    assert (old.id, old.title, old.body) == first_revision
    assert "Lehe" not in old.body


# -- bad input: reported with file and line, the rest imported, nothing lost ---------------


def test_broken_yaml_in_themes_is_reported_and_the_rest_still_imports(
    starter: Flask, tmp_path: Path
) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(
        bundle / "themes.yml",
        "- slug: ehrenamt\n"
        "  name: Ehrenamt\n"
        "- slug: raumfahrt\n"
        "  name: Raumfahrt: Kommunen im All\n"  # line 4: a second colon breaks the YAML
        "- slug: gesundheit\n"
        "  name: Gesundheit\n",
    )
    write(
        bundle / "regions.yml",
        (STARTER / "regions.yml").read_text(encoding="utf-8")
        + "- slug: prignitz\n  name: Prignitz\n  kind: Landkreis\n  state: Brandenburg\n",
    )
    write(bundle / "articles" / "ohne-themen.md", article_text("Ohne Themen", region="prignitz"))
    write(bundle / "articles" / "mit-raumfahrt.md", article_text(themes="[raumfahrt]"))

    report = run_import(starter, bundle)

    (problem,) = problems_for(report, "themes.yml")
    assert problem.line == 4
    assert "YAML" in problem.message
    assert problem.rejected
    assert only_counts(report)["themes"] == {"abgelehnt": 1}
    assert only_counts(report)["regions"] == {"neu": 1, "unverändert": 2}
    assert only_counts(report)["articles"] == {"neu": 1, "unverändert": 3, "abgelehnt": 1}
    (rejected,) = problems_for(report, "articles/mit-raumfahrt.md")
    assert "raumfahrt" in rejected.message
    after = snapshot()
    assert ("region", "prignitz") in after
    assert after["article", "ohne-themen"][4] == "prignitz"
    assert ("article", "mit-raumfahrt") not in after
    assert ("theme", "raumfahrt") not in after
    assert count(Theme) == 10
    assert_kept(before)


def test_unknown_theme_rejects_only_that_article(starter: Flask, tmp_path: Path) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(bundle / "articles" / "tiefsee.md", article_text(themes="[ehrenamt, tiefseeforschung]"))
    write(bundle / "articles" / "gut.md", article_text("Gut", themes="[ehrenamt]"))

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "articles/tiefsee.md"
    assert "tiefseeforschung" in problem.message
    assert "Thema" in problem.message
    assert only_counts(report)["articles"] == {"neu": 1, "unverändert": 3, "abgelehnt": 1}
    after = snapshot()
    assert ("article", "tiefsee") not in after
    assert after["article", "gut"][5] == ("ehrenamt",)
    assert_kept(before)


def test_document_sidecar_naming_a_missing_file_is_rejected(starter: Flask, tmp_path: Path) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(bundle / "documents" / "x.yml", "title: Bericht\nkind: bericht\nfile: fehlt.pdf\n")

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "documents/x.yml"
    assert "fehlt" in problem.message
    assert "fehlt.pdf" in problem.message
    assert only_counts(report)["documents"] == {"abgelehnt": 1}
    assert count(Document) == 0
    assert stored_files(starter) == []
    assert_kept(before)


def test_duplicate_region_slug_rejects_the_second_with_its_line(
    starter: Flask, tmp_path: Path
) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(
        bundle / "regions.yml",
        "- slug: bremerhaven\n"
        "  name: Bremerhaven\n"
        "  kind: kreisfreie Stadt\n"
        "  state: Bremen\n"
        "- slug: ludwigslust-parchim\n"
        "  name: Ludwigslust-Parchim\n"
        "  kind: Landkreis\n"
        "  state: Mecklenburg-Vorpommern\n"
        "- slug: bremerhaven\n"  # line 9
        "  name: Seestadt Bremerhaven\n"
        "  kind: Stadt\n"
        "  state: Bremen\n",
    )

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "regions.yml"
    assert problem.line == 9
    assert "doppelt" in problem.message
    assert "bremerhaven" in problem.message
    assert only_counts(report)["regions"] == {"unverändert": 2, "abgelehnt": 1}
    assert snapshot()["region", "bremerhaven"][0] == "Bremerhaven"
    assert_kept(before)


def test_article_not_in_utf8_is_rejected_with_the_line_of_the_bad_byte(
    starter: Flask, tmp_path: Path
) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    head = b"---\ntitle: Kodierung\nkind: leitfaden\n---\nErste Zeile.\n\n"
    (bundle / "articles" / "latin.md").write_bytes(
        head + "Die Bürger kommen.\n".encode("latin-1")  # line 7
    )

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "articles/latin.md"
    assert problem.line == 7
    assert "UTF-8" in problem.message
    assert "0xfc" in problem.message
    assert ("article", "latin") not in snapshot()
    assert_kept(before)


@pytest.mark.parametrize(
    ("file_name", "text", "expected"),
    [
        pytest.param(
            "ohne-kopf.md",
            "# Nur Markdown\n\nKein Kopfbereich.\n",
            ["Kopfbereich", "---"],
            id="ohne-front-matter",
        ),
        pytest.param(
            "Mein Artikel.md",
            article_text("Mein Artikel"),
            ["Mein Artikel", "kein gültiger Kurzname"],
            id="ungueltiger-dateiname",
        ),
        pytest.param(
            "falsche-art.md",
            article_text(kind="roman"),
            ["kind", "roman", "praxisbeispiel"],
            id="ungueltige-art",
        ),
        pytest.param(
            "offener-kopf.md",
            "---\ntitle: Offen\nkind: leitfaden\nText ohne Ende des Kopfes.\n",
            ["nicht abgeschlossen"],
            id="kopf-nicht-geschlossen",
        ),
    ],
)
def test_bad_article_is_rejected_with_a_german_message(
    starter: Flask, tmp_path: Path, file_name: str, text: str, expected: list[str]
) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(bundle / "articles" / file_name, text)

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == f"articles/{file_name}"
    assert problem.line == 1
    for part in expected:
        assert part in problem.message
    assert only_counts(report)["articles"] == {"unverändert": 3, "abgelehnt": 1}
    assert count(Article) == 3
    assert_kept(before)


def test_unknown_key_is_a_warning_and_the_article_is_still_imported(
    starter: Flask, tmp_path: Path
) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(bundle / "articles" / "mit-autor.md", article_text("Mit Autor", autor="Frau Muster"))

    report = run_import(starter, bundle)

    assert report.rejected == []
    (warning,) = problems_for(report, "articles/mit-autor.md")
    assert warning.rejected is False
    assert "autor" in warning.message
    assert "unbekannt" in warning.message
    assert "Warnung" in str(warning)
    assert only_counts(report)["articles"] == {"neu": 1, "unverändert": 3}
    assert snapshot()["article", "mit-autor"][0] == "Mit Autor"
    assert_kept(before)


def test_impossible_date_rejects_only_that_article(starter: Flask, tmp_path: Path) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    write(bundle / "articles" / "schaltjahr.md", article_text(date="2023-02-30"))
    write(bundle / "articles" / "gut.md", article_text("Gut"))

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "articles/schaltjahr.md"
    assert problem.line == 4
    assert "Datum" in problem.message or "date" in problem.message
    assert ("article", "gut") in snapshot()
    assert_kept(before)


def test_phone_number_with_leading_zero_is_not_silently_changed(app: Flask, tmp_path: Path) -> None:
    bundle = starter_copy(tmp_path)
    write(
        bundle / "contacts.yml",
        "- id: muster-max\n  name: Max Muster\n  region: bremerhaven\n  phone: 04711234567\n",
    )

    report = run_import(app, bundle)

    contact = db.session.scalar(select(Contact).where(Contact.slug == "muster-max"))
    if contact is None:
        (problem,) = problems_for(report, "contacts.yml")
        assert "phone" in problem.message
    else:
        assert contact.phone == "04711234567"


def test_an_import_that_changes_a_contact_or_article_refuses_forms_opened_before(
    app: Flask, tmp_path: Path
) -> None:
    """An edit form opened before the import would otherwise silently undo what it brought
    (here: a contact's role and an article's themes, which have no revisions)."""
    from wissen.errors import Conflict
    from wissen.models import Article, User
    from wissen.services import contact_admin

    from .conftest import make_user

    run_import(app, STARTER)
    contact = db.session.scalar(select(Contact).where(Contact.slug == "kemink-paula"))
    slug = "leuchtturm-strategie-ludwigslust-parchim"
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    opened = (contact.edit_version, article.edit_version, article.current_revision.number)
    form = contact_admin.input_of(contact)
    bundle = starter_copy(tmp_path)
    text = (bundle / "contacts.yml").read_text(encoding="utf-8")
    write(bundle / "contacts.yml", text.replace("Koordinatorin Zukunftswerkstatt", "Leiterin"))
    path = bundle / "articles" / f"{slug}.md"
    text = path.read_text(encoding="utf-8")
    write(path, text.replace("themes: [ehrenamt]", "themes: [ehrenamt, beteiligung]", 1))

    assert run_import(app, bundle).problems == []
    assert contact.edit_version > opened[0]
    assert (article.edit_version, article.current_revision.number) > opened[1:]
    assert article.current_revision.number == opened[2]  # no new text: only the version
    make_user("admin@example.org", "admin")
    admin = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    with pytest.raises(Conflict):
        contact_admin.update_contact(db.session, contact, form, admin, opened[0])
    assert db.session.get(Contact, contact.id).role.startswith("Leiterin")


# -- documents -----------------------------------------------------------------------------


def document_sidecar(file: str, title: str = "Ein Bericht") -> str:
    return f'title: "{title}"\nkind: bericht\nregion: bremerhaven\nfile: "{file}"\n'


def test_document_is_imported_and_stored_by_its_hash(starter: Flask, tmp_path: Path) -> None:
    bundle = starter_copy(tmp_path)
    (bundle / "documents").mkdir()
    (bundle / "documents" / "bericht.pdf").write_bytes(PDF_BYTES)
    write(bundle / "documents" / "bericht.yml", document_sidecar("bericht.pdf"))

    report = run_import(starter, bundle)

    assert report.problems == []
    document = db.session.scalar(select(Document).where(Document.slug == "bericht"))
    assert document is not None
    assert document.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    assert document.media_type == "application/pdf"
    assert document.status is DocumentStatus.PENDING
    assert stored_files(starter) == [store(starter).path_for(document.sha256)]


def test_html_renamed_to_pdf_is_rejected_and_not_stored(starter: Flask, tmp_path: Path) -> None:
    before = snapshot()
    bundle = starter_copy(tmp_path)
    (bundle / "documents").mkdir()
    (bundle / "documents" / "bericht.pdf").write_bytes(HTML_BYTES)
    write(bundle / "documents" / "bericht.yml", document_sidecar("bericht.pdf"))

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "documents/bericht.yml"
    assert "kein unterstütztes Format" in problem.message
    assert "bericht.pdf" in problem.message
    assert count(Document) == 0
    assert stored_files(starter) == []
    assert_kept(before)


def test_replacing_a_document_file_with_html_keeps_the_old_file(
    starter: Flask, tmp_path: Path
) -> None:
    bundle = starter_copy(tmp_path)
    (bundle / "documents").mkdir()
    (bundle / "documents" / "bericht.pdf").write_bytes(PDF_BYTES)
    write(bundle / "documents" / "bericht.yml", document_sidecar("bericht.pdf"))
    run_import(starter, bundle)
    before = snapshot()
    blobs = stored_files(starter)
    (bundle / "documents" / "bericht.pdf").write_bytes(HTML_BYTES)

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert "kein unterstütztes Format" in problem.message
    assert stored_files(starter) == blobs
    assert blobs[0].read_bytes() == PDF_BYTES
    assert_kept(before)


@pytest.mark.parametrize("file", ["../../etc/passwd", "../geheim.pdf", "/etc/passwd"])
def test_path_traversal_in_sidecar_is_rejected_and_nothing_read(
    starter: Flask, tmp_path: Path, file: str
) -> None:
    before = snapshot()
    # A real PDF right where "../geheim.pdf" points: had it been followed, it would import.
    bundle = starter_copy(tmp_path)
    (tmp_path / "geheim.pdf").write_bytes(PDF_BYTES)
    write(bundle / "documents" / "x.yml", document_sidecar(file))

    report = run_import(starter, bundle)

    (problem,) = report.rejected
    assert problem.file == "documents/x.yml"
    assert "Dateiname im Ordner documents/" in problem.message
    assert count(Document) == 0
    assert stored_files(starter) == []
    assert_kept(before)


def test_symlink_out_of_the_bundle_is_not_followed(starter: Flask, tmp_path: Path) -> None:
    bundle = starter_copy(tmp_path)
    secret = tmp_path / "ausserhalb" / "geheim.pdf"
    secret.parent.mkdir()
    secret.write_bytes(PDF_BYTES)
    (bundle / "documents").mkdir()
    (bundle / "documents" / "x.pdf").symlink_to(secret)
    write(bundle / "documents" / "x.yml", document_sidecar("x.pdf"))

    report = run_import(starter, bundle)

    assert count(Document) == 0
    assert stored_files(starter) == []
    (problem,) = report.rejected
    assert problem.file == "documents/x.yml"


# -- export and round trip -----------------------------------------------------------------


def all_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def assert_round_trip(app: Flask, tmp_path: Path, expected: dict[str, int]) -> None:
    first = tmp_path / "a"
    counts = export_bundle(db.session, store(app), first)
    assert {k: v for k, v in counts.items() if v} == {k: v for k, v in expected.items() if v}
    db.session.remove()  # finished with the first app: the second one rebinds `db`

    second_app = make_app(tmp_path / "zweite")
    with second_app.app_context():
        report = run_import(second_app, first)
        assert report.problems == []
        assert {p: sum(c.values()) for p, c in report.counts.items()} == expected
        assert {p: c["neu"] for p, c in report.counts.items()} == expected
        export_bundle(db.session, store(second_app), tmp_path / "b")
        db.session.remove()

    one, two = all_files(first), all_files(tmp_path / "b")
    assert sorted(one) == sorted(two)
    assert len(one) == 3 + expected["articles"] + 2 * expected["documents"]
    different = [name for name in one if one[name] != two[name]]
    assert different == []


def test_round_trip_of_the_starter_bundle_is_byte_identical(starter: Flask, tmp_path: Path) -> None:
    assert_round_trip(starter, tmp_path, STARTER_COUNTS)


def test_round_trip_of_eval_dev_is_byte_identical(eval_dev: Flask, tmp_path: Path) -> None:
    expected = {"themes": 12, "regions": 12, "contacts": 20, "articles": 35, "documents": 6}
    assert_round_trip(eval_dev, tmp_path, expected)


def test_export_refuses_a_non_empty_folder_and_replace_overwrites(
    starter: Flask, tmp_path: Path
) -> None:
    target = tmp_path / "ziel"
    write(target / "notizen.txt", "meine Notizen\n")
    write(target / "articles" / "veraltet.md", article_text("Veraltet"))

    with pytest.raises(Invalid) as refused:
        export_bundle(db.session, store(starter), target)

    assert "nicht leer" in refused.value.message
    assert str(target) in refused.value.message
    assert sorted(all_files(target)) == ["articles/veraltet.md", "notizen.txt"]

    export_bundle(db.session, store(starter), target, replace=True)

    files = all_files(target)
    assert "articles/veraltet.md" not in files
    assert files["notizen.txt"] == b"meine Notizen\n"
    assert sorted(n for n in files if n.startswith("articles/")) == [
        "articles/leuchtturm-strategie-ludwigslust-parchim.md",
        "articles/seminar-aktivierung-lokaler-dynamiken.md",
        "articles/zwk-beirat-bremerhaven.md",
    ]
    assert {"themes.yml", "regions.yml", "contacts.yml"} <= set(files)


def test_export_refuses_a_file_as_target(starter: Flask, tmp_path: Path) -> None:
    target = write(tmp_path / "datei.txt", "kein Ordner\n")

    with pytest.raises(Invalid) as refused:
        export_bundle(db.session, store(starter), target, replace=True)

    assert "kein Ordner" in refused.value.message
    assert target.read_text(encoding="utf-8") == "kein Ordner\n"


# -- the evaluation bundle -----------------------------------------------------------------


def test_eval_dev_counts_and_documents_stored_unchanged(eval_dev: Flask) -> None:
    assert count(Theme) == 12
    assert count(Region) == 12
    assert count(Contact) == 20
    assert count(Article) == 35
    assert count(Document) == 6
    blob_store = store(eval_dev)
    for document in db.session.scalars(select(Document)):
        source = EVAL_DEV / "documents" / document.original_filename
        expected = hashlib.sha256(source.read_bytes()).hexdigest()
        stored = blob_store.path_for(document.sha256)
        assert document.status is DocumentStatus.PENDING, document.slug
        assert document.sha256 == expected, document.slug
        assert hashlib.sha256(stored.read_bytes()).hexdigest() == expected, document.slug
        assert document.size == source.stat().st_size
    assert len(stored_files(eval_dev)) == 6
