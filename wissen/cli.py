"""The ``wissen`` command line: a Flask CLI group over ``create_app``."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from wissen import __version__, create_app
from wissen.config import ConfigError
from wissen.errors import WissenError
from wissen.extensions import db

LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Failure(click.ClickException):
    """A German/English one-line error and exit code 2 (1 is kept for rejected imports)."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"Fehler: {self.message}", err=True)


def _make_app() -> Flask:
    try:
        return create_app()
    except ConfigError as error:
        raise Failure(str(error)) from None


@click.group(
    cls=FlaskGroup,
    create_app=_make_app,
    add_default_commands=False,
    add_version_option=False,
    set_debug_flag=False,
    load_dotenv=False,
)
@click.version_option(__version__, prog_name="wissen")
def main() -> None:
    """wissen – Wissenstransfer-Wiki und Dokumentensuche für Kommunen.

    wissen – knowledge-transfer wiki and document search for municipalities.

    Einstellungen kommen aus WISSEN_*-Umgebungsvariablen (siehe README).
    """


def _require_schema() -> None:
    from wissen.db_schema import current_revision, head_revision

    assert db.engine is not None
    if current_revision(db.engine) != head_revision(db.engine):
        raise Failure(
            "Die Datenbank ist nicht (aktuell) eingerichtet. Bitte zuerst `wissen init` "
            "ausführen. / Database not initialised: run `wissen init` first."
        )


@main.command("init")
@with_appcontext
def init_command() -> None:
    """Datenbank anlegen oder migrieren, Ordner anlegen (mehrfach ausführbar).

    Creates or migrates the database and creates the data folders (idempotent).

    \b
    Beispiel / example:
      WISSEN_DATA_DIR=/srv/wissen wissen init
    """
    from wissen.db_schema import current_revision, upgrade

    assert db.engine is not None
    before = current_revision(db.engine)
    upgrade(db.engine)
    after = current_revision(db.engine)
    state = "unverändert" if before == after else f"{before or 'leer'} → {after}"
    click.echo(f"Datenbank bereit (Schema {after}, {state}): {_shown_url()}")
    click.echo(f"Uploads: {current_app.config['UPLOAD_DIR']}")
    click.echo(f"Index:   {current_app.config['INDEX_DIR']}")


def _shown_url() -> str:
    assert db.engine is not None
    return db.engine.url.render_as_string(hide_password=True)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Adresse / address")
@click.option(
    "--no-worker",
    is_flag=True,
    help="Keine Hintergrundjobs in diesem Prozess (dann `wissen worker` starten) / "
    "run no background jobs here",
)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=8,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Anfragen gleichzeitig (je Prozess) / concurrent requests (per process)",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web-Prozesse (ab 2: gunicorn, Hintergrundjobs in einem eigenen Prozess) / web processes",
)
@with_appcontext
def serve_command(host: str, port: int, threads: int, no_worker: bool, workers: int) -> None:
    """Produktionsserver starten (waitress), standardmäßig nur auf 127.0.0.1.

    Starts the production server (waitress; with --workers 2 or more gunicorn with that
    many processes and `wissen worker` beside them); loopback only by default.

    \b
    Beispiel / example:
      wissen serve --port 8080
      wissen serve --host 127.0.0.1 --port 8080 --workers 4 --threads 8
    """
    from waitress import serve

    _require_schema()
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if host not in LOOPBACK:
        click.echo(
            f"Hinweis: wissen ist unter {host} von anderen Rechnern erreichbar; "
            "für den Betrieb HTTPS über einen Reverse Proxy vorschalten.",
            err=True,
        )
    if workers > 1:
        from wissen.serve_processes import serve_processes

        click.echo(
            f"wissen läuft auf http://{_url_host(host)}:{port}/ mit {workers} Prozessen "
            "(Beenden mit Strg+C)"
        )
        serve_processes(host, port, threads, workers, with_worker=not no_worker)
        return
    consumer = None
    if not no_worker:
        from wissen import jobs

        waiting = jobs.resume_unfinished()
        jobs.resume_indexing()
        consumer = jobs.start_embedded_consumer()
        if waiting:
            click.echo(f"{waiting} Dokumente warten auf Verarbeitung; sie werden jetzt ausgelesen.")
    _warm_up_search()
    click.echo(f"wissen läuft auf http://{_url_host(host)}:{port}/ (Beenden mit Strg+C)")
    try:
        serve(app, host=host, port=port, threads=threads, ident="wissen", _quiet=True)
    finally:
        if consumer is not None:
            consumer.stop(graceful=True)


@main.command("worker")
@click.option(
    "--threads",
    default=2,
    show_default=True,
    type=click.IntRange(1, 16),
    help="Jobs gleichzeitig / concurrent jobs",
)
@with_appcontext
def worker_command(threads: int) -> None:
    """Hintergrundjobs (Auslesen von Dokumenten) in einem eigenen Prozess ausführen.

    Runs the background jobs (document extraction) on their own; start the web server
    with `wissen serve --no-worker` then.

    \b
    Beispiel / example:
      wissen worker --threads 2
    """
    from wissen import jobs

    _require_schema()
    waiting = jobs.resume_unfinished()
    click.echo(f"wissen worker läuft ({waiting} Dokumente warten). Beenden mit Strg+C.")
    jobs.resume_indexing()
    jobs.worker_consumer(threads).run()


def _warm_up_search() -> None:
    """Load the word list now, not on the first visitor's search (about 60 ms)."""
    from wissen.search import IndexUnavailable
    from wissen.services import search

    # Unavailable: the worker is rebuilding it; the first search will open it.
    with contextlib.suppress(IndexUnavailable):
        search.index_at(current_app.config["INDEX_DIR"]).warm_up()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class _BarProgress:
    """Feeds the importer's progress into a click progress bar on stderr."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        self.bar = click.progressbar(
            length=total, label="Import", file=sys.stderr, show_pos=True, item_show_func=str
        )
        self.bar.__enter__()

    def advance(self, label: str) -> None:
        if self.bar is not None:
            self.bar.update(1, label[:40])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@main.command("import")
@click.argument("bundle", required=False, type=click.Path(path_type=Path))
@click.option(
    "--if-empty",
    is_flag=True,
    help="Nur laden, wenn noch keine Artikel da sind / only into an empty instance",
)
@with_appcontext
def import_command(bundle: Path | None, if_empty: bool) -> None:
    """Ein Bundle importieren (ohne Angabe: das Startpaket WISSEN_CONTENT_DIR).

    Imports a content bundle. Idempotent: the same bundle twice changes nothing. Bad
    items are reported with file and line and skipped; the exit code is 1 if any was.

    \b
    Beispiel / example:
      wissen import ../shared/eval-dev
    """
    from sqlalchemy import func, select

    from wissen.models import Article
    from wissen.services.bundle import import_bundle

    _require_schema()
    root = bundle or Path(current_app.config["CONTENT_DIR"])
    if if_empty and db.session.scalar(select(func.count()).select_from(Article)):
        click.echo("Es sind schon Inhalte vorhanden; nichts importiert.")
        return
    if not root.is_dir():
        raise Failure(f"Bundle-Ordner „{root}“ nicht gefunden / bundle folder not found")
    from wissen import jobs
    from wissen.services import indexing

    progress = _BarProgress()
    try:
        # Index once at the end instead of once per imported item.
        with jobs.index_hook_paused():
            report = import_bundle(db.session, _store(), root, progress=progress)
    finally:
        progress.close()
    applied = indexing.apply_pending(db.session, Path(current_app.config["INDEX_DIR"]))
    if applied:
        click.echo(f"Suchindex: {applied} Änderungen übernommen.")
    for problem in report.problems:
        click.echo(str(problem), err=True)
    for line in report.summary_lines():
        click.echo(line)
    if report.counts["documents"]["neu"] or report.counts["documents"]["geändert"]:
        click.echo("Dokumente werden ausgelesen, sobald `wissen serve` oder `wissen worker` läuft.")
    if report.rejected:
        click.echo(f"{len(report.rejected)} Einträge abgelehnt (siehe oben).", err=True)
        sys.exit(1)


def _store() -> Any:
    from wissen.storage import BlobStore

    return BlobStore(current_app.config["UPLOAD_DIR"])


@main.command("export")
@click.argument("bundle", type=click.Path(path_type=Path))
@click.option(
    "--ersetzen",
    "replace",
    is_flag=True,
    help="Vorhandenes Bundle im Ordner ersetzen / replace a bundle in the folder",
)
@with_appcontext
def export_command(bundle: Path, replace: bool) -> None:
    """Alle Inhalte als Bundle in einen (leeren) Ordner schreiben.

    Exports all content as a bundle into an empty folder.

    \b
    Beispiel / example:
      wissen export /tmp/sicherung
    """
    from wissen.services.bundle import export_bundle

    _require_schema()
    try:
        counts = export_bundle(db.session, _store(), bundle, replace=replace)
    except WissenError as error:
        raise Failure(error.message) from None
    click.echo(
        f"Exportiert nach {bundle}: {counts['themes']} Themen, {counts['regions']} Regionen, "
        f"{counts['contacts']} Kontakte, {counts['articles']} Artikel, "
        f"{counts['documents']} Dokumente"
    )


@main.group("user")
def user_group() -> None:
    """Konten verwalten / manage accounts."""


@user_group.command("create")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice(["admin", "redaktion", "leser"]), help="Rolle / role"
)
@click.option(
    "--region",
    "regions",
    multiple=True,
    metavar="SLUG",
    help="Region, die das Konto bearbeiten darf (mehrfach) / region it may edit",
)
@click.option("--name", default="", help="Anzeigename / display name")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Passwort von der Standardeingabe lesen / read the password from stdin",
)
@with_appcontext
def user_create_command(
    email: str, role: str, regions: tuple[str, ...], name: str, password_stdin: bool
) -> None:
    """Ein Konto anlegen; ohne --password-stdin wird ein starkes Passwort erzeugt.

    Creates an account; without --password-stdin a strong password is generated and
    printed once.

    \b
    Beispiel / example:
      wissen user create anna@kreis.de --role redaktion --region werra-meissner-kreis
    """
    from wissen.services import users

    _require_schema()
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else users.generate_password()
    try:
        user = users.create_user(
            db.session, email, role, password=password, name=name, region_slugs=list(regions)
        )
    except WissenError as error:
        raise Failure(error.message) from None
    click.echo(f"Konto angelegt: {user.email} ({user.role.label})")
    if not password_stdin:
        click.echo(f"Passwort (wird nur jetzt angezeigt): {password}")


from wissen import cli_backup, cli_search  # noqa: E402, F401 — backup, restore, reindex, check, search
