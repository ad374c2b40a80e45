"""DESIGN.md's arrows, checked on the imports: web and CLI call services, never the reverse."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "wissen"

# The lower layers take and return plain data: no Flask, no models.
PURE = ("wissen/search", "wissen/extract", "wissen/storage.py", "wissen/text", "wissen/preview.py")
HTTP = ("flask", "flask_login", "flask_wtf", "werkzeug.wrappers")


def rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


def modules(*, inside: tuple[str, ...] = ("wissen",), outside: tuple[str, ...] = ()) -> list[Path]:
    return [
        p
        for p in sorted(PACKAGE.rglob("*.py"))
        if rel(p).startswith(inside) and not rel(p).startswith(outside)
    ]


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(_package_of(path).split(".")[: -node.level + 1 or None])
                names.add(f"{base}.{node.module}" if node.module else base)
            elif node.module:
                names.add(node.module)
    return names


def _package_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts if path.name == "__init__.py" else parts[:-1]) or "wissen"


def _starts(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("path", modules(inside=PURE), ids=rel)
def test_pure_layers_import_neither_flask_nor_models(path: Path) -> None:
    bad = {
        n
        for n in imports_of(path)
        if _starts(n, (*HTTP, "wissen.models", "wissen.services", "wissen.web", "sqlalchemy"))
    }
    assert not bad, f"{rel(path)} importiert {sorted(bad)}"


@pytest.mark.parametrize("path", modules(inside=("wissen/services", "wissen/models")), ids=rel)
def test_services_know_nothing_of_http(path: Path) -> None:
    bad = {n for n in imports_of(path) if _starts(n, (*HTTP, "wissen.web", "wissen.cli"))}
    assert not bad, f"{rel(path)} importiert {sorted(bad)}"


@pytest.mark.parametrize("path", modules(outside=("wissen/search",)), ids=rel)
def test_whoosh_stays_inside_search(path: Path) -> None:
    assert not {n for n in imports_of(path) if _starts(n, ("whoosh",))}


# The top layer: the web, the command line and the process runner behind `wissen serve`.
TOP = (
    "wissen/web",
    "wissen/cli.py",
    "wissen/cli_search.py",
    "wissen/cli_backup.py",
    "wissen/serve_processes.py",
    "wissen/__init__.py",
)


@pytest.mark.parametrize("path", modules(outside=TOP), ids=rel)
def test_nothing_below_web_imports_web_or_cli(path: Path) -> None:
    bad = {n for n in imports_of(path) if _starts(n, ("wissen.web", "wissen.cli"))}
    assert not bad, f"{rel(path)} importiert {sorted(bad)}"


def test_the_checker_sees_relative_imports() -> None:
    found = imports_of(PACKAGE / "services" / "bundle" / "importer.py")
    assert "wissen.services.bundle.read" in found
    assert "wissen.models" in found


def test_exactly_one_whoosh_is_installed() -> None:
    """All Whoosh forks install the package `whoosh` over each other (SEARCH-NOTES.md)."""
    from importlib import metadata

    forks = {"whoosh", "whoosh-reloaded", "whoosh-ng", "whoosh-novo", "whoosh3"}
    installed = {d.metadata["Name"].lower() for d in metadata.distributions() if d.metadata["Name"]}
    assert installed & forks == {"whoosh-reloaded"}
