"""``wissen backup FILE`` and ``wissen restore FILE``."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from wissen.cli import Failure, _require_schema, main
from wissen.errors import WissenError
from wissen.extensions import db


def _say(message: str) -> None:
    click.echo(message, err=True)


@main.command("backup")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(file: Path) -> None:
    """Datenbank und Uploads in eine Archivdatei sichern (im laufenden Betrieb).

    Writes a consistent snapshot of the database and the uploaded files, plus a manifest
    with counts and checksums, into one archive (.tar, or .tar.gz compressed).

    \b
    Beispiel / example:
      wissen backup /srv/sicherung/wissen-$(date +%F).tar
    """
    from wissen.services import backup

    _require_schema()
    try:
        manifest = backup.create_backup(
            db.engine, Path(current_app.config["UPLOAD_DIR"]), file, progress=_say
        )
    except WissenError as error:
        raise Failure(error.message) from None
    counts = manifest.counts
    click.echo(
        f"Gesichert nach {file}: {counts.get('articles', 0)} Artikel, "
        f"{counts.get('documents', 0)} Dokumente, {counts.get('contacts', 0)} Kontakte, "
        f"{counts.get('users', 0)} Konten, {len(manifest.files)} Dateien."
    )
    if manifest.missing_uploads:
        click.echo(
            f"Warnung: {len(manifest.missing_uploads)} Originaldateien fehlen schon im "
            "Upload-Ordner (siehe manifest.json, missing_uploads; `wissen check`).",
            err=True,
        )


@main.command("restore")
@click.argument("file", type=click.Path(path_type=Path))
@with_appcontext
def restore_command(file: Path) -> None:
    """Eine Sicherung in eine leere Instanz zurückspielen, dann den Suchindex neu bauen.

    Restores an archive made by `wissen backup` into an empty instance (after
    `wissen init`), checks every checksum first, migrates the schema and rebuilds the
    search index.

    \b
    Beispiel / example:
      wissen init && wissen restore /srv/sicherung/wissen-2026-11-26.tar
    """
    from wissen.db_schema import upgrade
    from wissen.services import backup, indexing

    _require_schema()
    db.session.remove()  # the database file is about to be replaced
    try:
        manifest = backup.restore_backup(
            db.engine, Path(current_app.config["UPLOAD_DIR"]), file, progress=_say
        )
    except WissenError as error:
        raise Failure(error.message) from None
    upgrade(db.engine)  # a backup of an older version gets the newest schema
    _say("Suchindex wird neu aufgebaut …")
    count = indexing.rebuild(db.session, Path(current_app.config["INDEX_DIR"]))
    indexing.apply_pending(db.session, Path(current_app.config["INDEX_DIR"]))
    click.echo(
        f"Zurückgespielt aus {file} (gesichert {manifest.created}, wissen "
        f"{manifest.wissen_version}): {manifest.counts.get('articles', 0)} Artikel, "
        f"{manifest.counts.get('documents', 0)} Dokumente, {len(manifest.files)} Dateien; "
        f"Suchindex mit {count} Objekten neu aufgebaut."
    )
    sys.stdout.flush()
