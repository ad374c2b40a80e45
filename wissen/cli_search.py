"""``wissen reindex``, ``wissen check [--repair]`` and ``wissen search QUERY [--json]``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from wissen.cli import Failure, _require_schema, main
from wissen.extensions import db


def _index_dir() -> Path:
    return Path(current_app.config["INDEX_DIR"])


@main.command("reindex")
@with_appcontext
def reindex_command() -> None:
    """Suchindex vollständig aus der Datenbank neu aufbauen.

    Rebuilds the search index from the database into a new folder and swaps it in;
    searches keep working on the old index meanwhile.

    \b
    Beispiel / example:
      wissen reindex
    """
    from wissen.services import indexing
    from wissen.services.index_entries import count_objects

    _require_schema()
    total = count_objects(db.session)
    with click.progressbar(length=total, label="Suchindex", show_pos=True, file=sys.stderr) as bar:
        done = [0]

        def step(count: int) -> None:
            bar.update(count - done[0])
            done[0] = count

        count = indexing.rebuild(db.session, _index_dir(), progress=step)
    indexing.apply_pending(db.session, _index_dir())
    click.echo(f"Suchindex neu aufgebaut: {count} Artikel, Dokumente und Kontakte.")


@main.command("check")
@click.option("--repair", is_flag=True, help="Gefundene Abweichungen beheben / fix what differs")
@with_appcontext
def check_command(repair: bool) -> None:
    """Datenbank mit Suchindex und Upload-Ordner vergleichen (Exit-Code 1 bei Abweichungen).

    Compares the database with the search index (missing, extra, stale entries) and with
    the upload folder (missing or damaged originals, checked by SHA-256; unreferenced
    files); exit code 1 when something is wrong. With --repair, index entries are fixed
    and half-finished uploads older than a day removed; files are never deleted.

    \b
    Beispiel / example:
      wissen check --repair
    """
    from wissen.services import indexing

    _require_schema()
    report = indexing.check(db.session, _index_dir())
    _print_report(report)
    uploads = _check_uploads()
    if report.healthy:
        click.echo("In Ordnung: Suchindex und Datenbank stimmen überein.")
    elif not repair:
        click.echo("Abweichungen im Suchindex. Beheben mit: wissen check --repair", err=True)
    else:
        _repair_index(report)
    if repair and uploads.stale_staging:
        from wissen.services.upload_check import remove_stale_staging

        removed = remove_stale_staging(_upload_dir(), uploads.stale_staging)
        click.echo(f"Entfernt: {removed} liegengebliebene Teil-Uploads aus .tmp.")
    if not uploads.healthy or (not report.healthy and not repair):
        sys.exit(1)


def _repair_index(report) -> None:
    from wissen.services import indexing

    if report.unusable or len(report.missing) + len(report.stale) > 1000:
        indexing.rebuild(db.session, _index_dir())
    else:
        indexing.reindex_parents(
            db.session, _index_dir(), [*report.missing, *report.stale, *report.extra]
        )
    indexing.apply_pending(db.session, _index_dir())
    after = indexing.check(db.session, _index_dir())
    if not after.healthy:
        _print_report(after)
        raise Failure("Reparatur unvollständig; bitte `wissen reindex` ausführen.")
    click.echo("Repariert: Suchindex und Datenbank stimmen jetzt überein.")


def _upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _check_uploads():
    from wissen.services.upload_check import check_uploads

    with click.progressbar(length=0, label="Prüfsummen", file=sys.stderr) as bar:

        def step(done: int, total: int) -> None:
            bar.length = total
            bar.update(1)

        uploads = check_uploads(db.session, _upload_dir(), progress=step)
    click.echo(f"Originaldateien: {uploads.referenced} gebraucht, {uploads.files} im Upload-Ordner")
    _print_findings(
        ("fehlt im Upload-Ordner", uploads.missing),
        ("Inhalt passt nicht zur Prüfsumme (beschädigt)", uploads.damaged),
        ("von nichts mehr verwendet", uploads.orphaned),
        ("liegengebliebener Teil-Upload (älter als ein Tag)", uploads.stale_staging),
    )
    if uploads.healthy:
        click.echo("In Ordnung: alle gebrauchten Originaldateien sind da und unversehrt.")
    else:
        click.echo(
            "Fehlende oder beschädigte Originaldateien lassen sich nur aus einer Sicherung "
            "zurückholen (wissen restore in eine neue Instanz, Datei von dort kopieren).",
            err=True,
        )
    return uploads


def _print_findings(*findings: tuple[str, list[str]]) -> None:
    """Each finding's first 50 items, one a line, and how many more there are."""
    for label, items in findings:
        for item in items[:50]:
            click.echo(f"  {label}: {item}")
        if len(items) > 50:
            click.echo(f"  … und {len(items) - 50} weitere ({label})")


def _print_report(report) -> None:
    click.echo(f"Objekte in der Datenbank: {report.objects}; im Suchindex: {report.indexed}")
    if report.unusable:
        click.echo(f"Suchindex nicht nutzbar: {report.unusable}")
    _print_findings(
        ("fehlt im Index", report.missing),
        ("veraltet im Index", report.stale),
        ("im Index, aber nicht mehr in der Datenbank", report.extra),
        ("Aktualisierung schlägt fehl", report.failing),
    )
    if report.pending:
        click.echo(f"Wartende Änderungen für den Index: {report.pending}")


@main.command("search")
@click.argument("query")
@click.option("--json", "as_json", is_flag=True, help="Ausgabe als JSON wie /api/v1/search")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 50))
@with_appcontext
def search_command(query: str, as_json: bool, limit: int) -> None:
    """Suchen wie auf /suche, so wie Besucher ohne Anmeldung suchen.

    Searches like /suche, as a visitor who is not signed in (public content only).

    \b
    Beispiel / example:
      wissen search "bürgerbus ehrenamtliche fahrer" --json
    """
    from wissen.services import search
    from wissen.services.permissions import Viewer
    from wissen.web.search_json import page_as_json

    _require_schema()
    viewer = Viewer(None, public_read=True)
    result = search.run(
        db.session, search.index_at(_index_dir()), query, viewer, per_page=limit, snippets=as_json
    )
    if as_json:
        click.echo(json.dumps(page_as_json(result), ensure_ascii=False, indent=2))
        return
    click.echo(f"{result.total} Treffer für „{query}“")
    for number, item in enumerate(result.items, start=1):
        pages = ", ".join(str(p.number) for p in item.hit.pages)
        where = f" (S. {pages})" if pages else ""
        title = getattr(item.obj, "title", None) or item.obj.name
        click.echo(f"{number:2}. [{item.type}] {title}{where}  — {item.hit.score:.2f}")
    if result.suggestion:
        click.echo(f"Meinten Sie: {result.suggestion}")
