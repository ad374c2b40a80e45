"""Background work on huey: document extraction runs here, never in a request.

The queue lives in a SQLite file in the data folder (embedded default), so jobs survive a
restart. ``wissen serve`` runs a consumer in the same process; ``wissen worker`` runs one
alone. Tests switch huey to immediate mode, which runs each job at once, in-process.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from huey import SqliteHuey
from huey.consumer import Consumer

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


def start_embedded_consumer(workers: int = 1) -> EmbeddedConsumer:
    consumer = EmbeddedConsumer(huey, workers=workers, worker_type="thread", periodic=False)
    consumer.start()
    return consumer
