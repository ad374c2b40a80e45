"""Shared fixtures: every test gets its own data folder in tmp_path and a real SQLite file."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from wissen import create_app
from wissen.db_schema import upgrade
from wissen.extensions import db
from wissen.services import users
from wissen.services.bundle import import_bundle
from wissen.storage import BlobStore

from . import databases

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
EVAL_DEV = SHARED / "eval-dev"
TESTDATA = SHARED / "testdata"
STARTER = REPO / "content"
PASSWORD = "ein-sicheres-passwort-123"


OPT_IN = {
    "sqlmap": "nur auf Wunsch: pytest -m sqlmap",
    "load": "nur auf Wunsch: pytest -m load",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Opt-in checks (``-m sqlmap``, ``-m load``) run only when asked for by name: they
    take minutes."""
    chosen = config.option.markexpr or ""
    for marker, reason in OPT_IN.items():
        if marker in chosen:
            continue
        skip = pytest.mark.skip(reason=reason)
        for item in items:
            if marker in item.keywords:
                item.add_marker(skip)


def free_port() -> int:
    """A loopback port nobody listens on, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    """Until ``base``/-/health answers; fails with the server's log when it died or hangs."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "der Testserver ist abgestürzt:\n" + log.read_text()[-3000:]
        try:
            with urllib.request.urlopen(base + "/-/health", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("der Testserver antwortet nicht:\n" + log.read_text()[-3000:])


def make_app(tmp_path: Path, **overrides: object) -> Flask:
    url = databases.url_for(tmp_path / "data", migrated=True)
    config = {
        **({"DATABASE_URL": url} if url else {}),
        "DATA_DIR": str(tmp_path / "data"),
        "CONTENT_DIR": str(STARTER),
        "SECRET_KEY": "test-secret-key",
        "JOBS_IMMEDIATE": True,
        **overrides,
    }
    app = create_app(config)
    app.config["TESTING"] = True
    assert db.engine is not None
    upgrade(db.engine)
    return app


@pytest.fixture(autouse=True, scope="session")
def _databases_dropped_at_the_end() -> Iterator[None]:
    yield
    db.session.remove()
    if db.engine is not None:
        db.engine.dispose()
    databases.drop_all()


@pytest.fixture(autouse=True)
def _databases_dropped_with_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """On PostgreSQL, each test's databases go when it ends (a thousand would fill a disk)."""
    uses_tmp_path = databases.ON_POSTGRES and "tmp_path" in request.fixturenames
    folder = request.getfixturevalue("tmp_path") if uses_tmp_path else None
    yield
    if folder is not None:
        db.session.remove()
        if db.engine is not None:
            db.engine.dispose()
        databases.drop_under(folder)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    # No app context stays pushed: each request gets its own, as in production (a shared
    # one would carry `g`, and with it a stale CSRF token, from request to request).
    yield make_app(tmp_path)
    db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_off(app: Flask) -> Flask:
    """For tests of behaviour behind a form; CSRF itself has its own tests."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def outbox_kept() -> Iterator[None]:
    """For tests of the outbox itself: rows stay until the test looks at them."""
    from wissen import jobs

    with jobs.index_hook_paused():
        yield


def load_bundle(app: Flask, root: Path) -> None:
    report = import_bundle(db.session, BlobStore(app.config["UPLOAD_DIR"]), root)
    assert not report.rejected, [str(p) for p in report.rejected]


@pytest.fixture
def starter(app: Flask) -> Flask:
    load_bundle(app, STARTER)
    return app


@pytest.fixture
def eval_dev(app: Flask) -> Flask:
    if not EVAL_DEV.is_dir():
        pytest.skip("../shared/eval-dev fehlt")
    load_bundle(app, EVAL_DEV)
    return app


def make_user(email: str, role: str, regions: tuple[str, ...] = ()) -> None:
    users.create_user(db.session, email, role, password=PASSWORD, region_slugs=list(regions))


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/-/anmelden")
    token = _csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/-/anmelden", data={"email": email, "password": password, "csrf_token": token}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def _csrf_token(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


def csrf_token_of(client: FlaskClient, url: str = "/-/anmelden") -> str:
    return _csrf_token(client.get(url).get_data(as_text=True))


@pytest.fixture(scope="session")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """eval-dev imported, its PDFs read and indexed once; each test works on a copy."""
    from wissen import jobs

    if not EVAL_DEV.is_dir():
        pytest.skip("../shared/eval-dev fehlt")
    root = tmp_path_factory.mktemp("eval-dev")
    app = make_app(root)
    with app.app_context():
        load_bundle(app, EVAL_DEV)
        jobs.resume_unfinished()  # immediate mode: extracts the PDFs now
        make_user("admin@example.org", "admin")
        make_user("redaktion@example.org", "redaktion", regions=("pirmasens",))
        make_user("leser@example.org", "leser")
        db.session.remove()
    db.engine.dispose()
    return root / "data"


@pytest.fixture
def indexed(prepared: Path, tmp_path: Path) -> Iterator[Flask]:
    """A copy of the prepared eval-dev instance (database, uploads, index)."""
    from wissen.services import search

    databases.copy_data(prepared, tmp_path / "data")
    search._indexes.clear()
    app = make_app(tmp_path)
    yield app
    db.session.remove()
