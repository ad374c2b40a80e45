"""Per-part readers of a bundle: themes, regions, contacts, articles, documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from wissen.models import REGION_KINDS, ArticleKind, ArticleStatus, ContactVisibility, DocumentKind

from .read import (
    LINE,
    ArticleItem,
    BadFile,
    ContactItem,
    DocumentItem,
    Item,
    Problem,
    RegionItem,
    ThemeItem,
    check_slug,
    load_yaml,
    read_text,
)

T = TypeVar("T", bound=Item)


class ItemError(Exception):
    """One item cannot be imported; the message says why, in German."""


class Fields:
    """Typed access to one YAML mapping, collecting unknown keys as warnings."""

    def __init__(self, data: dict[str, Any], known: tuple[str, ...]) -> None:
        self.data = data
        self.unknown = [k for k in data if k != LINE and k not in known]

    def text(self, key: str, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise ItemError(f"Pflichtfeld „{key}“ fehlt oder ist leer.")
            return ""
        if isinstance(value, dict | list):
            raise ItemError(f"„{key}“ muss ein Text sein.")
        return str(value).strip()

    def choice(self, key: str, allowed: list[str], required: bool = True) -> str:
        value = self.text(key, required)
        if value and value not in allowed:
            raise ItemError(
                f"„{key}“ muss einer dieser Werte sein: {', '.join(allowed)} (nicht „{value}“)."
            )
        return value

    def slug_list(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ItemError(f"„{key}“ muss eine Liste von Kurznamen sein.")
        return sorted(dict.fromkeys(v.strip() for v in value if v.strip()))

    def text_list(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
            raise ItemError(f"„{key}“ muss eine Liste von Texten sein.")
        return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))

    def date(self, key: str) -> dt.date | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ItemError(f"„{key}“ ist kein Datum im Format JJJJ-MM-TT: „{value}“.") from None


def _read_list_file(root: Path, name: str, problems: list[Problem]) -> list[dict[str, Any]]:
    path = root / name
    if not path.exists():
        return []
    try:
        data = load_yaml(read_text(path))
    except BadFile as error:
        problems.append(Problem(name, error.line, error.message))
        return []
    if data is None:
        return []
    if not isinstance(data, list):
        problems.append(Problem(name, 1, "Die Datei muss eine Liste von Einträgen sein (- …)."))
        return []
    entries = []
    for position, entry in enumerate(data, start=1):
        if isinstance(entry, dict):
            entries.append(entry)
        else:
            problems.append(
                Problem(name, None, f"Eintrag {position} ist kein Schlüssel-Wert-Block.")
            )
    return entries


def _collect(
    entries: list[tuple[str, int | None, dict[str, Any]]],
    id_key: str | None,
    known: tuple[str, ...],
    build: Callable[[str, str, int | None, Fields], T],
    problems: list[Problem],
) -> list[T]:
    """Turn raw entries into items, rejecting bad ones and duplicates with their line."""
    items: list[T] = []
    seen: dict[str, int | None] = {}
    for file, line, data in entries:
        line = data.get(LINE, line)
        slug = data.get(id_key) if id_key else data.get("__slug__")
        if check_slug(slug, file, line, problems) is None:
            continue
        if slug in seen:
            first = f" (zuerst in Zeile {seen[slug]})" if seen[slug] else ""
            problems.append(Problem(file, line, f"Kurzname „{slug}“ kommt doppelt vor{first}."))
            continue
        fields = Fields(data, (*known, "__slug__"))
        try:
            item = build(slug, file, line, fields)
        except ItemError as error:
            problems.append(Problem(file, line, str(error)))
            continue
        seen[slug] = line
        for key in fields.unknown:
            problems.append(
                Problem(file, line, f"unbekannter Schlüssel „{key}“ wurde ignoriert.", False)
            )
        items.append(item)
    return items


def read_themes(root: Path, problems: list[Problem]) -> list[ThemeItem]:
    entries = [("themes.yml", None, e) for e in _read_list_file(root, "themes.yml", problems)]

    def build(slug: str, file: str, line: int | None, f: Fields) -> ThemeItem:
        return ThemeItem(slug, file, line, f.text("name", True), f.text("description"))

    items = _collect(entries, "slug", ("slug", "name", "description"), build, problems)
    for position, item in enumerate(items):
        item.position = position
    return items


def read_regions(root: Path, problems: list[Problem]) -> list[RegionItem]:
    entries = [("regions.yml", None, e) for e in _read_list_file(root, "regions.yml", problems)]

    def build(slug: str, file: str, line: int | None, f: Fields) -> RegionItem:
        ags = f.text("ags")
        if ags and not (ags.isascii() and ags.isdigit() and len(ags) in (2, 3, 5, 8, 12)):
            raise ItemError(f"„ags“ ist kein Amtlicher Gemeindeschlüssel: „{ags}“.")
        return RegionItem(
            slug,
            file,
            line,
            name=f.text("name", True),
            kind=f.choice("kind", list(REGION_KINDS)),
            state=f.text("state", True),
            ags=ags or None,
        )

    known = ("slug", "name", "kind", "state", "ags")
    return _collect(entries, "slug", known, build, problems)


def read_contacts(root: Path, problems: list[Problem]) -> list[ContactItem]:
    entries = [("contacts.yml", None, e) for e in _read_list_file(root, "contacts.yml", problems)]
    visibilities = [v.value for v in ContactVisibility]

    def build(slug: str, file: str, line: int | None, f: Fields) -> ContactItem:
        email = f.text("email")
        if email and ("@" not in email or " " in email or email.startswith("@")):
            raise ItemError(f"„email“ ist keine gültige E-Mail-Adresse: „{email}“.")
        return ContactItem(
            slug,
            file,
            line,
            name=f.text("name", True),
            role=f.text("role"),
            organisation=f.text("organisation"),
            region=f.text("region") or None,
            email=email,
            phone=f.text("phone"),
            themes=f.slug_list("themes"),
            visibility=f.choice("visibility", visibilities, False) or "oeffentlich",
            consent_date=f.date("consent_date"),
            last_reviewed=f.date("last_reviewed"),
        )

    known = ("id", "name", "role", "organisation", "region", "email", "phone", "themes")
    known += ("visibility", "consent_date", "last_reviewed")
    return _collect(entries, "id", known, build, problems)


def split_front_matter(text: str) -> tuple[str, str]:
    """(front matter YAML, body) of an article file; raise BadFile when it has none."""
    if not text.startswith("---\n"):
        raise BadFile(1, "Der Kopfbereich fehlt: die Datei muss mit einer Zeile --- beginnen.")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            return text[4 : len(text) - 3], ""
        raise BadFile(1, "Der Kopfbereich ist nicht abgeschlossen: die zweite Zeile --- fehlt.")
    return text[4 : end + 1], text[end + 5 :]


ARTICLE_KEYS = ("title", "kind", "region", "themes", "tags", "contacts", "date", "summary")


def read_articles(root: Path, problems: list[Problem]) -> list[ArticleItem]:
    folder = root / "articles"
    entries = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        file = f"articles/{path.name}"
        try:
            head, body = split_front_matter(read_text(path))
            data = load_yaml(head, line_offset=1)
        except BadFile as error:
            problems.append(Problem(file, error.line, error.message))
            continue
        if not isinstance(data, dict):
            problems.append(
                Problem(file, 2, "Der Kopfbereich muss Schlüssel: Wert-Zeilen enthalten.")
            )
            continue
        data[LINE] = 1
        data["__slug__"] = path.stem
        data["__body__"] = body
        entries.append((file, 1, data))
    statuses = [s.value for s in ArticleStatus]

    def build(slug: str, file: str, line: int | None, f: Fields) -> ArticleItem:
        status = f.text("status") or "veroeffentlicht"
        status = {"veröffentlicht": "veroeffentlicht"}.get(status, status)
        if status not in statuses:
            raise ItemError(
                f"„status“ muss entwurf, veröffentlicht oder archiviert sein, nicht „{status}“."
            )
        return ArticleItem(
            slug,
            file,
            line,
            title=f.text("title", True),
            kind=f.choice("kind", [k.value for k in ArticleKind]),
            region=f.text("region") or None,
            themes=f.slug_list("themes"),
            tags=f.text_list("tags"),
            contacts=f.slug_list("contacts"),
            date=f.date("date"),
            place=f.text("place"),
            summary=f.text("summary"),
            status=status,
            body=f.data["__body__"],
        )

    return _collect(entries, None, (*ARTICLE_KEYS, "status", "place", "__body__"), build, problems)


DOCUMENT_KEYS = ("title", "kind", "region", "themes", "contacts", "date", "file")


def read_documents(root: Path, problems: list[Problem]) -> list[DocumentItem]:
    folder = root / "documents"
    entries = []
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        file = f"documents/{path.name}"
        try:
            data = load_yaml(read_text(path))
        except BadFile as error:
            problems.append(Problem(file, error.line, error.message))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(file, 1, "Die Datei muss Schlüssel: Wert-Zeilen enthalten."))
            continue
        data["__slug__"] = path.stem
        entries.append((file, 1, data))

    def build(slug: str, file: str, line: int | None, f: Fields) -> DocumentItem:
        file_name = f.text("file", True)
        if "/" in file_name or "\\" in file_name or file_name.startswith("."):
            raise ItemError(f"„file“ muss ein Dateiname im Ordner documents/ sein: „{file_name}“.")
        path = folder / file_name
        if path.is_symlink() or not path.resolve().is_relative_to(folder.resolve()):
            raise ItemError(
                f"„documents/{file_name}“ ist eine Verknüpfung (Symlink); aus Sicherheitsgründen "
                "werden nur echte Dateien im Bundle gelesen."
            )
        if not path.is_file():
            raise ItemError(f"Die Datei „documents/{file_name}“ fehlt.")
        return DocumentItem(
            slug,
            file,
            line,
            title=f.text("title", True),
            kind=f.choice("kind", [k.value for k in DocumentKind]),
            region=f.text("region") or None,
            themes=f.slug_list("themes"),
            tags=f.text_list("tags"),
            contacts=f.slug_list("contacts"),
            articles=f.slug_list("articles"),
            date=f.date("date"),
            summary=f.text("summary"),
            file_name=file_name,
            path=path,
        )

    known = (*DOCUMENT_KEYS, "tags", "summary", "articles")
    return _collect(entries, None, known, build, problems)
