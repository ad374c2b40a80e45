"""Read a bundle folder into plain items, reporting every problem with file and line.

Nothing here touches the database: references between items (theme slugs, regions,
contacts) are checked by the importer, which knows what already exists.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from wissen.text import is_valid_slug

LINE = "__line__"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a bundle; ``rejected`` is False for warnings."""

    file: str
    line: int | None
    message: str
    rejected: bool = True

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        kind = "" if self.rejected else "Warnung: "
        return f"{where}: {kind}{self.message}"


@dataclass
class Item:
    """Common to every bundle item: where it was read from."""

    slug: str
    file: str
    line: int | None


@dataclass
class ThemeItem(Item):
    name: str = ""
    description: str = ""
    position: int = 0


@dataclass
class RegionItem(Item):
    name: str = ""
    kind: str = ""
    state: str = ""
    ags: str | None = None


@dataclass
class ContactItem(Item):
    name: str = ""
    role: str = ""
    organisation: str = ""
    region: str | None = None
    email: str = ""
    phone: str = ""
    themes: list[str] = field(default_factory=list)
    visibility: str = "oeffentlich"
    consent_date: dt.date | None = None
    last_reviewed: dt.date | None = None


@dataclass
class ArticleItem(Item):
    title: str = ""
    kind: str = ""
    region: str | None = None
    themes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    date: dt.date | None = None
    place: str = ""
    summary: str = ""
    status: str = "veroeffentlicht"
    body: str = ""


@dataclass
class DocumentItem(Item):
    title: str = ""
    kind: str = ""
    region: str | None = None
    themes: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    articles: list[str] = field(default_factory=list)
    date: dt.date | None = None
    summary: str = ""
    file_name: str = ""
    path: Path | None = None


@dataclass
class Bundle:
    themes: list[ThemeItem] = field(default_factory=list)
    regions: list[RegionItem] = field(default_factory=list)
    contacts: list[ContactItem] = field(default_factory=list)
    articles: list[ArticleItem] = field(default_factory=list)
    documents: list[DocumentItem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def items(self) -> Iterator[Item]:
        yield from self.themes
        yield from self.regions
        yield from self.contacts
        yield from self.articles
        yield from self.documents


class _LineLoader(yaml.SafeLoader):
    """A safe loader that remembers lines and keeps values people mean as text."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        mapping[LINE] = node.start_mark.line + 1
        return mapping

    def construct_yaml_int(self, node: yaml.ScalarNode) -> Any:
        # YAML 1.1 reads 04711234567 as an octal number; a phone number or an AGS with a
        # leading zero must stay exactly as written.
        if re.fullmatch(r"0[0-9_]+", node.value):
            return node.value
        return super().construct_yaml_int(node)

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"„{node.value}“ ist kein gültiges Datum", node.start_mark
            ) from None


_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_timestamp)


class BadFile(Exception):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


def read_text(path: Path) -> str:
    """The file's text as UTF-8 with LF line ends; BadFile names the first bad byte."""
    if path.is_symlink():
        raise BadFile(None, "Verknüpfungen (Symlinks) werden aus Sicherheitsgründen nicht gelesen.")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise BadFile(
            line,
            f"Die Datei ist nicht in UTF-8 kodiert (ungültiges Byte 0x{data[error.start]:02x})."
            " Bitte als UTF-8 speichern.",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def load_yaml(text: str, line_offset: int = 0) -> Any:
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        raise BadFile(line, f"YAML-Fehler: {problem}") from None


def read_bundle(root: Path) -> Bundle:
    """Read every part of the bundle at ``root``; bad items become problems, not errors."""
    from .fields import read_articles, read_contacts, read_documents, read_regions, read_themes

    bundle = Bundle()
    if not root.is_dir():
        bundle.problems.append(Problem(str(root), None, "Ordner nicht gefunden."))
        return bundle
    bundle.themes = read_themes(root, bundle.problems)
    bundle.regions = read_regions(root, bundle.problems)
    bundle.contacts = read_contacts(root, bundle.problems)
    bundle.articles = read_articles(root, bundle.problems)
    bundle.documents = read_documents(root, bundle.problems)
    if not any(True for _ in bundle.items()) and not bundle.problems:
        bundle.problems.append(
            Problem(
                str(root),
                None,
                "Kein Inhalt gefunden: weder themes.yml, regions.yml, contacts.yml noch "
                "articles/ oder documents/.",
            )
        )
    return bundle


def check_slug(value: Any, file: str, line: int | None, problems: list[Problem]) -> str | None:
    if not isinstance(value, str) or not is_valid_slug(value):
        problems.append(
            Problem(
                file,
                line,
                f"„{value}“ ist kein gültiger Kurzname (nur a–z, 0–9 und Bindestrich, "
                "Umlaute umschreiben: ä→ae, ß→ss).",
            )
        )
        return None
    return value
