"""Background work on huey: document extraction runs here, never in a request.

The queue lives in a SQLite file in the data folder (embedded default), so jobs survive a
restart. ``wissen serve`` runs a consumer in the same process; ``wissen worker`` runs one
alone. Tests switch huey to immediate mode, which runs each job at once, in-process.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from huey import SqliteHuey, crontab
from huey.consumer import Consumer
from sqlalchemy import event
from sqlalchemy.orm import Session

from wissen.extensions import db

log = logging.getLogger(__name__)

# The storage file is set by ``configure``; until then huey keeps jobs in memory.
huey = SqliteHuey("wissen", immediate=True)
_settings: dict[str, Any] = {}


def configure(settings: dict[str, Any], *, immediate: bool = False) -> None:
    """Point the queue at the data folder; ``immediate`` runs jobs at once (tests)."""
    _settings.clear()
    _settings.update(settings)
    huey.immediate = immediate
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
    if not immediate:
        queue = Path(settings["DATA_DIR"]) / "jobs.sqlite3"
        huey.storage_kwargs = {"filename": str(queue)}
        huey.storage = huey.create_storage()


@huey.task(retries=2, retry_delay=5)
def process_document(document_id: int) -> None:
    from wissen.services import processing

    try:
        processing.process_document(
            db.session, processing.Context.from_settings(_settings), document_id
        )
    finally:
        db.session.remove()


@huey.task(retries=5, retry_delay=2)
def update_index() -> None:
    """Apply the outbox to the index; a fresh session, as this may run inside a commit hook."""
    from wissen.services import indexing

    if not _settings:
        return
    from wissen.search import IndexBusy

    with Session(db.engine) as session:
        try:
            applied = indexing.apply_pending(session, Path(_settings["INDEX_DIR"]))
        except IndexBusy:
            # Another process (a rebuild, another worker) is writing; the rows wait.
            log.info("Suchindex wird gerade geschrieben; Änderungen folgen gleich")
            if not huey.immediate:
                update_index.schedule(delay=2)
            return
    if applied and not huey.immediate:
        # After the burst: fold the small segments so later searches stay fast.
        tidy_index.schedule(delay=TIDY_DELAY)


@huey.task()
def tidy_index() -> None:
    """Fold the small segments into one delta next to the base segment (after a large
    upload this may take minutes: meanwhile updates wait and are retried)."""
    from wissen.search import IndexBusy
    from wissen.services import indexing

    if not _settings:
        return
    try:
        segments = indexing.tidy(Path(_settings["INDEX_DIR"]))
    except IndexBusy:
        segments = -1
    # Busy, or folded too recently to fold again: come back until the index is tidy.
    if (segments < 0 or segments > indexing.TIDY_SEGMENTS) and not huey.immediate:
        tidy_index.schedule(delay=TIDY_DELAY)


# Nightly at 02:47 (UTC): the full merge holds the index's writer lock for minutes on a
# large index; in the daytime edits would wait that long to become searchable.
@huey.periodic_task(crontab(minute="47", hour="2"))
def optimise_index() -> None:
    from wissen.search import IndexBusy
    from wissen.services import indexing

    if not _settings:
        return
    try:
        indexing.optimise(Path(_settings["INDEX_DIR"]))
    except IndexBusy:
        log.info("Suchindex wird gerade geschrieben; Zusammenführen entfällt heute")


@huey.task(retries=2, retry_delay=10)
def rebuild_index() -> None:
    from wissen.services import indexing

    with Session(db.engine) as session:
        indexing.rebuild(session, Path(_settings["INDEX_DIR"]))
        indexing.apply_pending(session, Path(_settings["INDEX_DIR"]))


# Daily at 03:17 (UTC, huey's clock): a quiet hour, off the full hour other jobs like.
@huey.periodic_task(crontab(minute="17", hour="3"))
def purge_audit_log() -> int:
    """Delete audit events older than WISSEN_AUDIT_RETENTION_DAYS (the privacy page
    promises that period). Runs in any consumer started with periodic tasks on."""
    from wissen.services import audit_log

    if not _settings:
        return 0
    with Session(db.engine) as session:
        count = audit_log.purge_older_than(session, int(_settings["AUDIT_RETENTION_DAYS"]))
    log.info("Protokoll: %d Einträge älter als die Aufbewahrungsfrist gelöscht", count)
    return count


_hook = {"paused": False}
TIDY_DELAY = 35  # seconds; a little more than the index's FOLD_SECONDS


@contextlib.contextmanager
def index_hook_paused() -> Iterator[None]:
    """For bulk work (import) that applies the outbox itself once at the end."""
    _hook["paused"] = True
    try:
        yield
    finally:
        _hook["paused"] = False


def _after_commit(session: Session) -> None:
    """A transaction that recorded a change queues the indexer: searchable within a second."""
    from wissen.services.indexing import DIRTY

    if session.info.pop(DIRTY, False) and _settings and not _hook["paused"]:
        _forget_outbox_rows(session)
        try:
            update_index()
        except Exception:  # the outbox keeps the change; the next run applies it
            log.exception("Suchindex konnte nicht sofort aktualisiert werden")


def _forget_outbox_rows(session: Session) -> None:
    # The indexer deletes these rows in its own session; SQLite may hand the same ids to
    # new rows, which this session must not mistake for the old objects.
    from wissen.models import IndexChange

    for obj in list(session.identity_map.values()):
        if isinstance(obj, IndexChange):
            session.expunge(obj)


def enqueue_processing(document_id: int) -> None:
    process_document(document_id)


def resume_unfinished() -> int:
    """Queue again every document a crash left waiting or half processed."""
    from wissen.services import processing

    try:
        ids = processing.unfinished_documents(db.session)
    finally:
        db.session.remove()
    for document_id in ids:
        enqueue_processing(document_id)
    return len(ids)


class EmbeddedConsumer(Consumer):
    """A consumer whose threads run beside the web server; the server owns the signals."""

    def _set_signal_handlers(self) -> None:
        pass


# Poll the queue at least twice a second when idle (huey backs off to 10 s by default),
# so that a change is searchable within a second of its commit.
POLL_MAX_DELAY = 0.5


def resume_indexing() -> None:
    """At start: rebuild an unusable index, else apply what the outbox still holds."""
    from wissen.search import IndexUnavailable
    from wissen.search.store import open_current

    try:
        open_current(Path(_settings["INDEX_DIR"])).close()
    except IndexUnavailable:
        rebuild_index()
    else:
        update_index()


# periodic=True: the consumer's scheduler enqueues the daily retention job. With several
# consumers each enqueues it; the later runs find nothing left to delete.
def worker_consumer(threads: int) -> Consumer:
    return huey.create_consumer(
        workers=threads, worker_type="thread", periodic=True, max_delay=POLL_MAX_DELAY
    )


# Two threads by default: a long PDF extraction must not hold back index updates.
def start_embedded_consumer(workers: int = 2) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(
        huey, workers=workers, worker_type="thread", periodic=True, max_delay=POLL_MAX_DELAY
    )
    consumer.start()
    return consumer
