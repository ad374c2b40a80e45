"""Which database a test's data folder uses.

By default each data folder gets its own SQLite file, as in production. When
``WISSEN_TEST_DATABASE_URL`` names a PostgreSQL server (``.ci/run`` does this for its
second run), each data folder gets its own fresh database on that server instead: the
same test suite then runs against PostgreSQL. A folder copied with ``copy_data`` takes a
copy of its database along; databases are dropped when their test ends.
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, make_url, text

from wissen.db_schema import upgrade

SERVER_URL = os.environ.get("WISSEN_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = SERVER_URL.startswith("postgresql")

_names: dict[Path, str] = {}  # data folder -> its database on the server
_numbers = itertools.count(1)
_server: Engine | None = None
_template: str | None = None


def url_for(data_dir: Path | str, *, migrated: bool = False) -> str | None:
    """The database URL for ``data_dir``; None means the default SQLite file inside it.

    On PostgreSQL the database is created on first use: a copy of a migrated template
    when ``migrated`` (what ``make_app`` wants), else empty (what ``wissen init`` wants).
    """
    if not ON_POSTGRES:
        return None
    key = Path(data_dir).resolve()
    if key not in _names:
        _names[key] = _create(_migrated_template() if migrated else "template0")
    return _url(_names[key])


def env_for(data_dir: Path | str, content_dir: Path | str | None = None) -> dict[str, str]:
    """Environment for a ``wissen`` command or server on ``data_dir`` (without os.environ)."""
    env = {"WISSEN_DATA_DIR": str(data_dir)}
    if content_dir is not None:
        env["WISSEN_CONTENT_DIR"] = str(content_dir)
    url = url_for(data_dir)
    if url:
        env["WISSEN_DATABASE_URL"] = url
    return env


def process_env(data_dir: Path | str, content_dir: Path | str | None = None) -> dict[str, str]:
    """``os.environ`` plus ``env_for``: for subprocesses (never a database URL of the caller's)."""
    env = {key: value for key, value in os.environ.items() if key != "WISSEN_DATABASE_URL"}
    return {**env, **env_for(data_dir, content_dir)}


def run_sql(data_dir: Path | str, statement: str) -> list[tuple[Any, ...]]:
    """Run one SQL statement on ``data_dir``'s database and commit: for tests that look at
    or change rows behind wissen's back."""
    engine = create_engine(url_for(data_dir) or f"sqlite:///{Path(data_dir) / 'wissen.sqlite3'}")
    try:
        with engine.begin() as connection:
            result = connection.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        engine.dispose()


def copy_data(source: Path, target: Path) -> None:
    """Copy a data folder (uploads, index) and, on PostgreSQL, its database."""
    shutil.copytree(source, target)
    if not ON_POSTGRES:
        return
    original = _names.get(Path(source).resolve())
    if original is not None:
        _names[Path(target).resolve()] = _create(original)


def drop_under(folder: Path) -> None:
    """Drop the databases of every data folder inside ``folder`` (end of a test)."""
    if not ON_POSTGRES:
        return
    root = Path(folder).resolve()
    for key in [k for k in _names if k == root or root in k.parents]:
        _drop(_names.pop(key))


def drop_all() -> None:
    """End of the session: drop what is left, and the template."""
    global _template
    if not ON_POSTGRES:
        return
    for key in list(_names):
        _drop(_names.pop(key))
    if _template is not None:
        _drop(_template)
        _template = None


def _server_engine() -> Engine:
    global _server
    if _server is None:
        _server = create_engine(SERVER_URL, isolation_level="AUTOCOMMIT")
    return _server


def _url(name: str) -> str:
    return make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)


def _create(template: str) -> str:
    # pid in the name: two test runs may share one server.
    name = f"wissen_test_{os.getpid()}_{next(_numbers)}"
    with _server_engine().connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    return name


def _drop(name: str) -> None:
    with _server_engine().connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _migrated_template() -> str:
    """Migrating takes about a second on PostgreSQL; copying a migrated database, far less."""
    global _template
    if _template is None:
        name = _create("template0")
        engine = create_engine(_url(name))
        upgrade(engine)
        engine.dispose()  # a template must have no connections when it is copied
        _template = name
    return _template
