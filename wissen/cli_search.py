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
    """Suchindex und Datenbank vergleichen (Exit-Code 1 bei Abweichungen).

    Compares the search index with the database; exit code 1 when they differ.
    With --repair, missing, stale and extra entries are fixed.

    \b
    Beispiel / example:
      wissen check --repair
    """
    from wissen.services import indexing

    _require_schema()
    report = indexing.check(db.session, _index_dir())
    _print_report(report)
    if report.healthy:
        click.echo("In Ordnung: Suchindex und Datenbank stimmen überein.")
        return
    if not repair:
        click.echo("Abweichungen gefunden. Beheben mit: wissen check --repair", err=True)
        sys.exit(1)
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


def _print_report(report) -> None:
    click.echo(f"Objekte in der Datenbank: {report.objects}; im Suchindex: {report.indexed}")
    if report.unusable:
        click.echo(f"Suchindex nicht nutzbar: {report.unusable}")
    for label, items in (
        ("fehlt im Index", report.missing),
        ("veraltet im Index", report.stale),
        ("im Index, aber nicht mehr in der Datenbank", report.extra),
        ("Aktualisierung schlägt fehl", report.failing),
    ):
        for item in items[:50]:
            click.echo(f"  {label}: {item}")
        if len(items) > 50:
            click.echo(f"  … und {len(items) - 50} weitere ({label})")
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
