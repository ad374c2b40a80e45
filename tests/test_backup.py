"""`wissen backup` and `wissen restore`, run as an operator would on a real instance."""

from __future__ import annotations

import filecmp
import io
import json
import tarfile
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from wissen.cli import main

from . import databases
from .conftest import STARTER


def run(data_dir: Path, *args: str) -> Result:
    env = databases.env_for(data_dir, STARTER)
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def ok(data_dir: Path, *args: str) -> Result:
    result = run(data_dir, *args)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def instance(prepared: Path, tmp_path: Path) -> Path:
    """A copy of eval-dev with read PDFs, preview-less uploads, accounts and an index."""
    data = tmp_path / "alt"
    databases.copy_data(prepared, data)
    return data


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    data = tmp_path / "neu"
    ok(data, "init")
    return data


def _same_tree(a: Path, b: Path) -> list[str]:
    """Paths that differ between two folders (content compared byte for byte)."""
    left = {p.relative_to(a) for p in a.rglob("*") if p.is_file()}
    right = {p.relative_to(b) for p in b.rglob("*") if p.is_file()}
    differ = [str(p) for p in left ^ right]
    differ += [str(p) for p in left & right if not filecmp.cmp(a / p, b / p, shallow=False)]
    return sorted(differ)


def _rows(data: Path, query: str) -> list[tuple]:
    return databases.run_sql(data, query)


def test_backup_and_restore_give_back_identical_content(
    instance: Path, empty: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "sicherung.tar.gz"
    made = ok(instance, "backup", str(archive))
    assert "Gesichert nach" in made.output and archive.is_file()

    restored = ok(empty, "restore", str(archive))
    assert "Suchindex mit" in restored.output

    ok(instance, "export", str(tmp_path / "export-alt"))
    ok(empty, "export", str(tmp_path / "export-neu"))
    assert _same_tree(tmp_path / "export-alt", tmp_path / "export-neu") == []
    # What a bundle leaves out is in the backup too: accounts, revisions, the audit log.
    for table in ("users", "revisions", "audit_events", "document_pages"):
        query = f"SELECT * FROM {table} ORDER BY id"
        assert _rows(instance, query) == _rows(empty, query), table
    assert _same_tree(instance / "uploads", empty / "uploads") == []
    # The index was rebuilt from the restored database and agrees with it.
    assert "In Ordnung" in ok(empty, "check").output
    found = ok(empty, "search", "ehrenamt", "--json")
    assert json.loads(found.output)["total"] > 0


def test_the_manifest_lists_counts_and_checksums(instance: Path, tmp_path: Path) -> None:
    archive = tmp_path / "sicherung.tar"
    ok(instance, "backup", str(archive))
    with tarfile.open(archive) as opened:
        manifest = json.loads(opened.extractfile("manifest.json").read())
        names = set(opened.getnames())
    (articles,) = _rows(instance, "SELECT count(*) FROM articles")[0]
    assert manifest["counts"]["articles"] == articles > 0
    assert manifest["database"] == ("postgresql" if databases.ON_POSTGRES else "sqlite")
    originals = {sha for (sha,) in _rows(instance, "SELECT sha256 FROM documents")}
    listed = {Path(entry["path"]).name for entry in manifest["files"]}
    assert originals and originals <= listed
    assert all(len(entry["sha256"]) == 64 for entry in manifest["files"])
    assert {f"uploads/{entry['path']}" for entry in manifest["files"]} <= names


def test_backup_does_not_overwrite_a_file(instance: Path, tmp_path: Path) -> None:
    archive = tmp_path / "sicherung.tar"
    archive.write_text("wichtig")
    result = run(instance, "backup", str(archive))
    assert result.exit_code == 2
    assert "gibt es schon" in result.output
    assert archive.read_text() == "wichtig"


def test_restore_refuses_an_instance_that_has_data(instance: Path, tmp_path: Path) -> None:
    archive = tmp_path / "sicherung.tar"
    ok(instance, "backup", str(archive))
    before = _rows(instance, "SELECT id, title FROM articles ORDER BY id")
    result = run(instance, "restore", str(archive))
    assert result.exit_code == 2
    assert "nur in eine leere Instanz" in result.output
    assert _rows(instance, "SELECT id, title FROM articles ORDER BY id") == before


def test_a_damaged_archive_is_refused_and_the_instance_stays_empty(
    instance: Path, empty: Path, tmp_path: Path
) -> None:
    archive = tmp_path / "sicherung.tar"
    ok(instance, "backup", str(archive))
    damaged = tmp_path / "beschaedigt.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        flipped = False
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("uploads/") and not flipped:
                data = bytes([data[0] ^ 0xFF]) + data[1:]  # one byte of one upload
                flipped = True
            target.addfile(member, fileobj=io.BytesIO(data))
    result = run(empty, "restore", str(damaged))
    assert result.exit_code == 2
    assert "Prüfsumme" in result.output and "beschädigt" in result.output
    assert _rows(empty, "SELECT count(*) FROM articles") == [(0,)]
    assert not [p for p in (empty / "uploads").rglob("*") if p.is_file()]


@pytest.mark.parametrize("content", [b"", b"kein Archiv", b"\x1f\x8b\x08kaputt"])
def test_something_that_is_no_backup_gets_a_clear_message(
    empty: Path, tmp_path: Path, content: bytes
) -> None:
    archive = tmp_path / "sicherung.tar"
    archive.write_bytes(content)
    result = run(empty, "restore", str(archive))
    assert result.exit_code == 2
    assert result.output.startswith("Fehler:")
    assert _rows(empty, "SELECT count(*) FROM articles") == [(0,)]


def test_restore_of_a_missing_file_says_so(empty: Path, tmp_path: Path) -> None:
    result = run(empty, "restore", str(tmp_path / "gibt-es-nicht.tar"))
    assert result.exit_code == 2
    assert "gibt es nicht" in result.output
