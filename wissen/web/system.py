"""Operational endpoints under /-/."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, current_app, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from wissen.extensions import db

bp = Blueprint("system", __name__)


def _folder_ok(path: str) -> bool:
    folder = Path(path)
    return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)


@bp.get("/-/health")
def health() -> tuple[Response, int]:
    try:
        db.session.execute(text("SELECT 1"))
        database = "ok"
    except SQLAlchemyError as error:
        database = f"Fehler: {error.__class__.__name__}"
    checks = {
        "database": database,
        "uploads": "ok" if _folder_ok(current_app.config["UPLOAD_DIR"]) else "nicht beschreibbar",
        "index": "ok" if _folder_ok(current_app.config["INDEX_DIR"]) else "nicht beschreibbar",
    }
    healthy = all(v == "ok" for v in checks.values())
    # Informational: an unusable index is rebuilt from the database by the worker.
    body = {"status": "ok" if healthy else "fehler", **checks, "search_index": _index_state()}
    return jsonify(body), 200 if healthy else 503


def _index_state() -> str:
    from wissen.search import IndexUnavailable
    from wissen.search.store import open_current

    try:
        open_current(Path(current_app.config["INDEX_DIR"])).close()
    except IndexUnavailable as error:
        return f"wird neu aufgebaut ({error})"
    return "ok"
