"""Extensions created unbound; ``create_app`` binds them to one app and its settings."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker


class Database:
    """The engine and a scoped session, bound to the settings of the app in use.

    Plain SQLAlchemy (not Flask-SQLAlchemy) so that services, the CLI and background
    workers share one session without needing a request.
    """

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self._factory = sessionmaker(expire_on_commit=False)
        self.session: scoped_session[Session] = scoped_session(self._factory)

    def bind(self, url: str, **engine_options: Any) -> Engine:
        """Create the engine for ``url`` and point the session at it."""
        self.session.remove()
        if self.engine is not None:
            self.engine.dispose()
        self.engine = create_engine(url, **engine_options)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._factory.configure(bind=self.engine)
        return self.engine


def _sqlite_pragmas(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # WAL lets readers continue while one writer commits; the busy timeout makes a
    # second writer wait instead of failing at once.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from WISSEN_RATELIMIT_STORAGE (memory:// by default, redis://… when several
# processes or machines serve one site).
limiter = Limiter(key_func=get_remote_address, default_limits=[], headers_enabled=True)
