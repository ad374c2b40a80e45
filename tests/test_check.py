"""`wissen check`: database ↔ uploads and database ↔ search index, as an operator runs it."""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from wissen.cli import main
from wissen.extensions import db
from wissen.models import Document


def _check(app: Flask, *args: str):
    return app.test_cli_runner().invoke(main, ["check", *args])


def _a_document(app: Flask) -> tuple[int, Path]:
    with app.app_context():
        document = db.session.scalars(select(Document).order_by(Document.id)).first()
        assert document is not None
        ident, sha256 = document.id, document.sha256
        db.session.remove()
    return ident, Path(app.config["UPLOAD_DIR"]) / sha256[:2] / sha256


def test_a_healthy_instance_passes(indexed: Flask) -> None:
    result = _check(indexed)
    assert result.exit_code == 0, result.output
    assert "alle gebrauchten Originaldateien sind da" in result.output


def test_a_deleted_upload_is_found_and_not_papered_over(indexed: Flask) -> None:
    ident, original = _a_document(indexed)
    original.unlink()
    result = _check(indexed)
    assert result.exit_code == 1
    assert f"fehlt im Upload-Ordner: document:{ident}" in result.output
    assert "Sicherung" in result.output
    repaired = _check(indexed, "--repair")  # nothing can bring the file back
    assert repaired.exit_code == 1
    assert not original.exists()
    with indexed.app_context():
        assert db.session.get(Document, ident) is not None  # the record is kept


def test_a_damaged_upload_is_found_by_its_checksum(indexed: Flask) -> None:
    _, original = _a_document(indexed)
    data = bytearray(original.read_bytes())
    data[len(data) // 2] ^= 0xFF
    original.write_bytes(bytes(data))
    result = _check(indexed)
    assert result.exit_code == 1
    assert "beschädigt" in result.output and original.name in result.output


def test_an_unreferenced_file_is_reported_but_never_deleted(indexed: Flask) -> None:
    content = b"vielleicht die letzte Kopie"
    sha256 = hashlib.sha256(content).hexdigest()
    stray = Path(indexed.config["UPLOAD_DIR"]) / sha256[:2] / sha256
    stray.parent.mkdir(exist_ok=True)
    stray.write_bytes(content)
    for args in ((), ("--repair",)):
        result = _check(indexed, *args)
        assert result.exit_code == 0, result.output
        assert "von nichts mehr verwendet" in result.output
    assert stray.exists()


def test_repair_fixes_the_index_and_clears_old_partial_uploads(indexed: Flask) -> None:
    from wissen.search import entries

    staging = Path(indexed.config["UPLOAD_DIR"]) / ".tmp"
    staging.mkdir(exist_ok=True)
    old, fresh = staging / "upload-alt", staging / "upload-jetzt"
    old.write_bytes(b"halb")
    fresh.write_bytes(b"halb")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    ident, _ = _a_document(indexed)
    entries.apply(Path(indexed.config["INDEX_DIR"]), {f"document:{ident}": []})

    found = _check(indexed)
    assert found.exit_code == 1
    assert f"fehlt im Index: document:{ident}" in found.output
    assert "liegengebliebener Teil-Upload" in found.output and "upload-alt" in found.output

    repaired = _check(indexed, "--repair")
    assert repaired.exit_code == 0, repaired.output
    assert "Repariert" in repaired.output
    assert not old.exists() and fresh.exists()  # an upload in progress stays
    assert _check(indexed).exit_code == 0
