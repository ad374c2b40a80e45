"""The migrations build exactly the schema the models describe, and run twice safely, on
SQLite and (with ``WISSEN_TEST_DATABASE_URL``) on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect

from wissen.db_schema import current_revision, head_revision, upgrade
from wissen.models import Base

from . import databases


def fresh_engine(tmp_path: Path) -> Engine:
    """An empty database: a new SQLite file, or a new database on the PostgreSQL server."""
    url = databases.url_for(tmp_path / "schema")
    return create_engine(url or f"sqlite:///{tmp_path / 'schema.sqlite3'}")


def test_migrations_match_the_models(tmp_path: Path) -> None:
    engine = fresh_engine(tmp_path)
    upgrade(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == [], engine.dialect.name
    assert current_revision(engine) == head_revision(engine)
    engine.dispose()


def test_upgrade_is_idempotent(tmp_path: Path) -> None:
    engine = fresh_engine(tmp_path)
    upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables
    assert {"articles", "revisions", "documents", "contacts", "users"} <= tables
    engine.dispose()
