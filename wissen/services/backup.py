"""Backup and restore of a whole instance: one archive with a consistent snapshot of the
database, the uploaded files and a manifest with counts and checksums.

The database snapshot is taken with SQLite's online backup API (readers and writers go
on meanwhile; the copy is one consistent state) or, on PostgreSQL, with ``pg_dump``.
Uploads are content-addressed and never change once written, so copying those that the
snapshot refers to after the snapshot gives a consistent pair. The search index is not
saved: it is rebuilt from the database after a restore, which also proves it complete.

A restore goes only into an empty instance, checks every checksum before it takes
anything over, and on any problem leaves the instance as empty as it found it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, MetaData, func, inspect, select, text

from wissen import __version__
from wissen.errors import Invalid
from wissen.storage import sha256_of_file

FORMAT = "wissen-backup 1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
CHUNK = 1024 * 1024
CONTENT_TABLES = ("articles", "documents", "contacts", "users", "regions", "themes")

Progress = Callable[[str], None]
# What reading a truncated or damaged (compressed) archive raises.
_UNREADABLE = (tarfile.TarError, EOFError, zlib.error, OSError)


@dataclass
class Manifest:
    format: str
    created: str
    wissen_version: str
    schema_revision: str | None
    database: str  # "sqlite" or "postgresql"
    database_file: dict[str, object]  # name, size, sha256
    counts: dict[str, int]  # rows per table
    files: list[dict[str, object]] = field(default_factory=list)  # path, size, sha256
    missing_uploads: list[str] = field(default_factory=list)  # referenced, not on disk

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise ValueError(data.get("format"))
            return cls(**data)
        except (ValueError, TypeError) as error:
            raise Invalid(f"Keine wissen-Sicherung oder unbekanntes Format ({error}).") from None


# --- backup ------------------------------------------------------------------------------


def create_backup(
    engine: Engine, upload_dir: Path, target: Path, progress: Progress | None = None
) -> Manifest:
    """Write the archive ``target`` (a ``.tar``; ``.tar.gz``/``.tgz`` compressed)."""
    say = progress or (lambda _message: None)
    target = Path(target)
    if target.exists():
        raise Invalid(f"{target} gibt es schon; bitte einen neuen Dateinamen wählen.")
    if not target.parent.is_dir():
        raise Invalid(f"Den Ordner {target.parent} gibt es nicht.")
    with tempfile.TemporaryDirectory(prefix="wissen-backup-") as work:
        say("Datenbank: Schnappschuss …")
        snapshot, counts, revision = _snapshot(engine, Path(work))
        referenced = _referenced_uploads(engine, snapshot)
        files, missing = _upload_files(Path(upload_dir), referenced)
        manifest = Manifest(
            format=FORMAT,
            created=datetime.now(UTC).isoformat(timespec="seconds"),
            wissen_version=__version__,
            schema_revision=revision,
            database=engine.dialect.name,
            database_file=_describe(snapshot, snapshot.name),
            counts=counts,
            missing_uploads=sorted(missing),
        )
        partial = target.with_name(target.name + ".unfertig")
        try:
            with tarfile.open(partial, _write_mode(target)) as archive:
                archive.add(snapshot, arcname=snapshot.name)
                for number, (relative, path) in enumerate(files, start=1):
                    manifest.files.append(_describe(path, relative))
                    archive.add(path, arcname=f"{UPLOADS}/{relative}")
                    if number % 200 == 0:
                        say(f"Dateien: {number} von {len(files)}")
                _add_bytes(archive, MANIFEST, manifest.to_json())
            partial.replace(target)  # only a complete archive gets the name asked for
        finally:
            partial.unlink(missing_ok=True)
    say(f"Gesichert: {len(files)} Dateien, {sum(counts.values())} Datenbankzeilen.")
    return manifest


def _write_mode(target: Path) -> str:
    return "w:gz" if target.name.endswith((".tar.gz", ".tgz")) else "w"


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _snapshot(engine: Engine, work: Path) -> tuple[Path, dict[str, int], str | None]:
    if engine.dialect.name == "sqlite":
        return _sqlite_snapshot(engine, work)
    if engine.dialect.name == "postgresql":
        return _pg_snapshot(engine, work)
    raise Invalid(f"Sicherung für die Datenbank {engine.dialect.name} wird nicht unterstützt.")


def _sqlite_snapshot(engine: Engine, work: Path) -> tuple[Path, dict[str, int], str | None]:
    source = engine.url.database
    if not source or source == ":memory:":
        raise Invalid("Eine Datenbank nur im Arbeitsspeicher lässt sich nicht sichern.")
    target = work / SQLITE_FILE
    with _closing(sqlite3.connect(source)) as live, _closing(sqlite3.connect(target)) as copy:
        live.backup(copy)  # one step: a consistent state, writers wait only for the copy
    with _closing(sqlite3.connect(target)) as copy:
        counts = _sqlite_counts(copy)
        revision = _sqlite_revision(copy)
    return target, counts, revision


@contextmanager
def _closing(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    try:
        yield connection
    finally:
        connection.close()


def _sqlite_counts(connection: sqlite3.Connection) -> dict[str, int]:
    names = [
        row[0]
        for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    return {
        name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        for name in sorted(names)
    }


def _sqlite_revision(connection: sqlite3.Connection) -> str | None:
    try:
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.Error:
        return None
    return row[0] if row else None


def _pg_snapshot(engine: Engine, work: Path) -> tuple[Path, dict[str, int], str | None]:
    """pg_dump of exactly the state the counts were taken in (an exported snapshot)."""
    target = work / PG_FILE
    with engine.connect() as connection:
        connection.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        snapshot_id = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
        counts = _counts(connection)
        revision = _revision(connection)
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-acl",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
            ],
            engine,
        )
        connection.rollback()
    return target, counts, revision


def _counts(connection) -> dict[str, int]:
    metadata = MetaData()
    metadata.reflect(connection)
    return {
        name: connection.execute(select(func.count()).select_from(table)).scalar_one()
        for name, table in sorted(metadata.tables.items())
    }


def _revision(connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _referenced_uploads(engine: Engine, snapshot: Path) -> set[str]:
    """SHA-256 of every original the snapshot's documents and versions refer to."""
    query = "SELECT sha256 FROM documents UNION SELECT sha256 FROM document_versions"
    if engine.dialect.name == "sqlite":
        with _closing(sqlite3.connect(snapshot)) as copy:
            return {row[0] for row in copy.execute(query) if row[0]}
    with engine.connect() as connection:  # uploads are only added: newer ones do no harm
        return {row[0] for row in connection.execute(text(query)) if row[0]}


def _upload_files(upload_dir: Path, referenced: set[str]) -> tuple[list[tuple[str, Path]], set]:
    """Originals the database refers to, and the preview images made from them."""
    files: list[tuple[str, Path]] = []
    missing: set[str] = set()
    for sha256 in sorted(referenced):
        original = upload_dir / sha256[:2] / sha256
        if original.is_file():
            files.append((f"{sha256[:2]}/{sha256}", original))
        else:
            missing.add(sha256)
        preview = upload_dir / "vorschau" / f"{sha256}.png"
        if preview.is_file():
            files.append((f"vorschau/{sha256}.png", preview))
    return files, missing


def _describe(path: Path, name: str) -> dict[str, object]:
    return {"path": name, "size": path.stat().st_size, "sha256": sha256_of_file(path)}


# --- restore -----------------------------------------------------------------------------


def read_manifest(source: Path) -> Manifest:
    with _open_archive(source) as archive:
        return _manifest_of(archive)


def restore_backup(
    engine: Engine, upload_dir: Path, source: Path, progress: Progress | None = None
) -> Manifest:
    """Put the archive's database and uploads into this (empty) instance.

    The caller migrates the schema afterwards (a backup of an older version) and rebuilds
    the search index.
    """
    say = progress or (lambda _message: None)
    upload_dir = Path(upload_dir)
    _require_empty(engine, upload_dir)
    with (
        _open_archive(source) as archive,
        tempfile.TemporaryDirectory(prefix="wissen-restore-") as work,
    ):
        manifest = _manifest_of(archive)
        if manifest.database != engine.dialect.name:
            raise Invalid(
                f"Die Sicherung stammt aus {manifest.database}, diese Instanz nutzt "
                f"{engine.dialect.name}; wiederherstellen geht nur in dieselbe Datenbankart."
            )
        say("Prüfsummen …")
        try:
            staged = _unpack_checked(archive, manifest, Path(work))
        except _UNREADABLE as error:
            raise Invalid(f"Die Sicherung ist beschädigt ({type(error).__name__}).") from None
        say("Datenbank …")
        _restore_database(engine, manifest, staged[manifest.database_file["path"]])
        say(f"Dateien: {len(manifest.files)} …")
        try:
            for entry in manifest.files:
                destination = upload_dir / str(entry["path"])
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(staged[f"{UPLOADS}/{entry['path']}"], destination)
        except OSError as error:
            raise Invalid(f"Dateien ließen sich nicht zurückschreiben: {error}") from None
    _compare_counts(engine, manifest)
    return manifest


def _open_archive(source: Path) -> tarfile.TarFile:
    if not Path(source).is_file():
        raise Invalid(f"Die Sicherung {source} gibt es nicht.")
    try:
        return tarfile.open(source, "r:*")
    except _UNREADABLE as error:
        raise Invalid(f"{source} ist keine lesbare Sicherung ({error}).") from None


def _manifest_of(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
        raw = member.read() if member is not None else None
    except KeyError:
        raw = None
    except _UNREADABLE as error:
        raise Invalid(f"Die Sicherung ist beschädigt ({type(error).__name__}).") from None
    if raw is None:
        raise Invalid("Der Sicherung fehlt manifest.json; sie ist unvollständig.")
    return Manifest.from_json(raw)


def _unpack_checked(archive: tarfile.TarFile, manifest: Manifest, work: Path) -> dict[str, Path]:
    """Every file the manifest lists, checked against its size and SHA-256. Only those
    names are read: nothing else in the archive (no link, no ``../``) is ever written."""
    wanted = {str(manifest.database_file["path"]): manifest.database_file}
    wanted.update({f"{UPLOADS}/{entry['path']}": entry for entry in manifest.files})
    staged: dict[str, Path] = {}
    for number, (name, entry) in enumerate(wanted.items()):
        try:
            member = archive.getmember(name)
            stream = archive.extractfile(member) if member.isfile() else None
        except (KeyError, tarfile.TarError):
            stream = None
        if stream is None:
            raise Invalid(f"In der Sicherung fehlt {name}; sie ist unvollständig.")
        path = work / f"{number:08d}"
        digest, size = hashlib.sha256(), 0
        with stream, path.open("wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise Invalid(f"Prüfsumme von {name} stimmt nicht: die Sicherung ist beschädigt.")
        staged[name] = path
    return staged


def _require_empty(engine: Engine, upload_dir: Path) -> None:
    """Refuse to overwrite anything: content rows or uploaded files mean "not empty"."""
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        for name in CONTENT_TABLES:
            if name in tables and connection.execute(text(f"SELECT 1 FROM {name} LIMIT 1")).first():
                raise Invalid(
                    "Diese Instanz enthält schon Daten (Tabelle "
                    f"{name}); wiederherstellen geht nur in eine leere Instanz."
                )
    if upload_dir.is_dir() and any(p.name != ".tmp" for p in upload_dir.iterdir()):
        raise Invalid(
            f"Im Upload-Ordner {upload_dir} liegen schon Dateien; "
            "wiederherstellen geht nur in eine leere Instanz."
        )


def _restore_database(engine: Engine, manifest: Manifest, dump: Path) -> None:
    if manifest.database == "sqlite":
        target = engine.url.database
        if not target or target == ":memory:":
            raise Invalid("In eine Datenbank nur im Arbeitsspeicher lässt sich nicht zurücklesen.")
        engine.dispose()  # no connection may hold the old (empty) file
        for suffix in ("-wal", "-shm"):
            Path(target + suffix).unlink(missing_ok=True)
        shutil.copyfile(dump, target)
        return
    with engine.begin() as connection:  # the empty schema `wissen init` made goes first
        metadata = MetaData()
        metadata.reflect(connection)
        metadata.drop_all(connection)
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    engine.dispose()
    _run(
        [
            _pg_tool("pg_restore"),
            "--no-owner",
            "--no-acl",
            "--exit-on-error",
            f"--dbname={engine.url.database}",
            str(dump),
        ],
        engine,
    )


def _compare_counts(engine: Engine, manifest: Manifest) -> None:
    with engine.connect() as connection:
        counts = _counts(connection)
    different = {
        name: (expected, counts.get(name))
        for name, expected in manifest.counts.items()
        if counts.get(name) != expected
    }
    if different:
        raise Invalid(f"Nach dem Zurücklesen stimmen Zeilenzahlen nicht: {different}")


# --- PostgreSQL tools --------------------------------------------------------------------


def _libpq_env(engine: Engine) -> dict[str, str]:
    """Connection settings for pg_dump/pg_restore as environment variables: a password
    on the command line would be visible to every user of the machine."""
    url, env = engine.url, dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[name] = str(value)
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise Invalid(f"{name} fehlt (Debian: apt-get install postgresql-client).")
    return found


def _run(command: list[str], engine: Engine) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=_libpq_env(engine))
    if result.returncode != 0:
        raise Invalid(f"{Path(command[0]).name} ist fehlgeschlagen: {result.stderr.strip()[:500]}")
