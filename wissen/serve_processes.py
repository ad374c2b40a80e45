"""``wissen serve --workers N``: N web processes under gunicorn, background jobs beside them.

waitress serves one process with threads; Python runs one thread at a time per process,
so more cores need more processes. Every gunicorn worker builds its own app (database
connections and index searchers are never shared across a fork) and sees index changes
without restart, since each search checks the index generation. Background jobs run in
one `wissen worker` process started here, never in the web processes: with several of
them each would otherwise start its own consumer.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from wissen import create_app

        app = create_app()  # settings from the environment, as for the CLI
        with app.app_context():
            from wissen.cli import _warm_up_search

            _warm_up_search()
        return app


def serve_processes(host: str, port: int, threads: int, workers: int, with_worker: bool) -> None:
    """Run gunicorn in the foreground until stopped; a started worker stops with it."""
    worker = _start_worker() if with_worker else None
    options = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 120,  # a large upload is read while the request runs
        "graceful_timeout": 30,
        # Idle connections stay open as long as behind waitress (one process) would allow
        # and longer than nginx keeps its upstream connections (60 s): a POST after a pause
        # must not meet a connection the server has just closed.
        "keepalive": 75,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "proc_name": "wissen",
    }
    try:
        _Gunicorn(options).run()
    finally:
        if worker is not None:
            _stop(worker)


# Indexing an edit or reading a PDF takes 0.1-1 s of CPU; at equal priority it takes a
# core from the web processes and the searches waiting there. Lower, it waits for a free
# core instead; an idle machine still gives it all the time it wants.
WORKER_NICENESS = 10


def _start_worker() -> subprocess.Popen:
    # The same installation's `wissen` script, with this process's environment (settings).
    worker = subprocess.Popen([str(Path(sys.executable).with_name("wissen")), "worker"])
    os.setpriority(os.PRIO_PROCESS, worker.pid, WORKER_NICENESS)  # its threads inherit it
    return worker


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # the consumer finishes the job in hand
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
