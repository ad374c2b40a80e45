"""A real wissen in a real browser: ``wissen serve`` (waitress, embedded worker, production
settings) on a free loopback port, driven by Debian's Chromium through Playwright.

One server per test session, with the eval-dev bundle (articles, PDFs, contacts) and three
accounts; every test gets a fresh browser context, so no cookie leaks from one test to the
next. Without Chromium (``apt-get install chromium``) or without ``../shared`` the browser
tests are skipped with that hint. Playwright never downloads a browser here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests import databases
from tests.conftest import EVAL_DEV, PASSWORD, STARTER, free_port, wait_until_up

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# As root Chromium needs --no-sandbox; the other flags stop it calling Google services.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

ADMIN = "admin@example.org"
EDITOR = "redaktion@example.org"  # may edit region werra-meissner-kreis
READER = "leser@example.org"
EDITOR_REGION = "werra-meissner-kreis"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class Site:
    """A running wissen: its address, data folder and the environment its CLI needs."""

    base: str
    data: Path
    env: dict[str, str]
    log: Path

    def url(self, path: str) -> str:
        return self.base + path

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        wissen = Path(sys.executable).with_name("wissen")
        return subprocess.run(
            [str(wissen), *args],
            env=self.env,
            input=stdin.encode(),
            capture_output=True,
            check=True,
            timeout=300,
        )


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not EVAL_DEV.is_dir():
        pytest.skip("../shared/eval-dev fehlt")
    root = tmp_path_factory.mktemp("browser")
    data = root / "data"
    env = databases.process_env(data, STARTER)
    port = free_port()
    site = Site(f"http://127.0.0.1:{port}", data, env, root / "server.log")
    site.cli("init")
    site.cli("import", str(EVAL_DEV))
    for email, role, regions in (
        (ADMIN, "admin", ()),
        (EDITOR, "redaktion", (EDITOR_REGION,)),
        (READER, "leser", ()),
    ):
        region_args = [a for r in regions for a in ("--region", r)]
        site.cli(
            "user",
            "create",
            email,
            "--role",
            role,
            *region_args,
            "--password-stdin",
            stdin=PASSWORD,
        )
    with serving(site):
        yield site


@contextlib.contextmanager
def serving(site: Site) -> Iterator[Site]:
    """`wissen serve` on the site's port and data folder, stopped again afterwards."""
    wissen = Path(sys.executable).with_name("wissen")
    with site.log.open("wb") as log:
        server = subprocess.Popen(
            [str(wissen), "serve", "--port", site.base.rsplit(":", 1)[1]],
            env=site.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(site.base, server, site.log)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


@pytest.fixture(scope="session")
def documents_ready(site: Site) -> Site:
    """The site once the worker has read the bundle's documents: ``wissen import`` only
    queues them, so right after start-up their pages and search hits have no page texts."""
    import json

    slugs = [meta.stem for meta in sorted((EVAL_DEV / "documents").glob("*.yml"))]
    deadline = time.monotonic() + 180
    for slug in slugs:
        while True:
            with urllib.request.urlopen(site.url(f"/api/v1/documents/{slug}"), timeout=10) as r:
                status = json.load(r)["status"]
            if status in ("ready", "failed"):
                break
            assert time.monotonic() < deadline, f"{slug} ist nach 3 Minuten noch {status}"
            time.sleep(0.5)
    return site


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if os.environ.get("WISSEN_REQUIRE_BROWSER"):  # CI: a missing browser is a failure
            pytest.fail("Chromium fehlt, WISSEN_REQUIRE_BROWSER ist gesetzt")
        pytest.skip("Chromium fehlt: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, site: Site) -> Iterator:
    """A fresh browser context (no cookies) with German locale; fails the test on any
    uncaught JavaScript error."""
    yield from fresh_tab(browser, site)


def fresh_tab(browser, site: Site) -> Iterator:
    """A tab in a new browser context; after the test, no uncaught JavaScript error."""
    context = browser.new_context(locale="de-DE", base_url=site.base)
    context.set_default_timeout(15_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert not errors, f"JavaScript-Fehler: {errors}"


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    page.goto("/-/anmelden")
    page.fill("#feld-email", email)
    page.fill("#feld-password", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "Angemeldet als" in page.content(), page.content()[:2000]


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    return result.response["violations"]


def describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']} – {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
    )
