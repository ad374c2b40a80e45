"""Write the database's content as a bundle, deterministically (same content → same bytes)."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import Invalid
from wissen.extract.sniff import SUFFIX
from wissen.models import (
    Article,
    ArticleStatus,
    Contact,
    ContactVisibility,
    Document,
    Region,
    Theme,
)
from wissen.storage import BlobStore

MANAGED = ("themes.yml", "regions.yml", "contacts.yml", "articles", "documents")
_SAFE_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")


def dump_yaml(data: Any) -> str:
    """YAML in the bundle's style: block mappings, short lists inline, no line folding."""
    return yaml.safe_dump(
        data,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=None,
        width=1_000_000,
    )


def export_bundle(
    session: Session, store: BlobStore, target: Path, *, replace: bool = False
) -> Counter[str]:
    """Write every theme, region, contact, article and document below ``target``."""
    _prepare(target, replace)
    counts: Counter[str] = Counter()
    themes = session.scalars(select(Theme).order_by(Theme.position, Theme.slug)).all()
    regions = session.scalars(select(Region).order_by(Region.slug)).all()
    # Contacts removed on request (DSGVO) hold no data and leave the bundle with it.
    contacts = session.scalars(
        select(Contact).where(Contact.removed_at.is_(None)).order_by(Contact.slug)
    ).all()
    _write(target / "themes.yml", dump_yaml([_theme(t) for t in themes]) if themes else "")
    _write(target / "regions.yml", dump_yaml([_region(r) for r in regions]) if regions else "")
    _write(target / "contacts.yml", dump_yaml([_contact(c) for c in contacts]) if contacts else "")
    counts.update(themes=len(themes), regions=len(regions), contacts=len(contacts))
    counts["articles"] = _export_articles(session, target / "articles")
    counts["documents"] = _export_documents(session, store, target / "documents")
    return counts


def _prepare(target: Path, replace: bool) -> None:
    if target.exists() and not target.is_dir():
        raise Invalid(f"„{target}“ ist kein Ordner.")
    if target.exists() and any(target.iterdir()):
        if not replace:
            raise Invalid(
                f"Der Ordner „{target}“ ist nicht leer. Einen leeren Ordner angeben oder "
                "--ersetzen verwenden (ersetzt themes.yml, regions.yml, contacts.yml, "
                "articles/ und documents/)."
            )
        for name in MANAGED:
            path = target / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)
    target.mkdir(parents=True, exist_ok=True)


def _write(path: Path, text: str) -> None:
    if text:
        path.write_text(text, encoding="utf-8", newline="\n")


def _optional(data: dict[str, Any], **values: Any) -> dict[str, Any]:
    """Add the values that are set; empty optional keys are left out of the bundle."""
    data.update({k: v for k, v in values.items() if v not in (None, "", [])})
    return data


def _theme(theme: Theme) -> dict[str, Any]:
    return _optional({"slug": theme.slug, "name": theme.name}, description=theme.description)


def _region(region: Region) -> dict[str, Any]:
    data = {"slug": region.slug, "name": region.name, "kind": region.kind, "state": region.state}
    return _optional(data, ags=region.ags)


def _contact(contact: Contact) -> dict[str, Any]:
    data = _optional(
        {"id": contact.slug, "name": contact.name},
        role=contact.role,
        organisation=contact.organisation,
        region=contact.region.slug if contact.region else None,
        email=contact.email,
        phone=contact.phone,
        themes=sorted(t.slug for t in contact.themes),
    )
    visibility = (
        None if contact.visibility is ContactVisibility.PUBLIC else contact.visibility.value
    )
    return _optional(
        data,
        visibility=visibility,
        consent_date=contact.consent_date,
        last_reviewed=contact.last_reviewed,
    )


def _export_articles(session: Session, folder: Path) -> int:
    articles = session.scalars(
        select(Article).where(Article.deleted_at.is_(None)).order_by(Article.slug)
    ).all()
    if articles:
        folder.mkdir(exist_ok=True)
    for article in articles:
        _write(folder / f"{article.slug}.md", _article_text(article))
    return len(articles)


def _article_text(article: Article) -> str:
    status = None if article.status is ArticleStatus.PUBLISHED else article.status.value
    head = _optional(
        {"title": article.title, "kind": article.kind.value},
        region=article.region.slug if article.region else None,
        themes=sorted(t.slug for t in article.themes),
        tags=sorted((t.name for t in article.tags), key=lambda n: (n.casefold(), n)),
        contacts=sorted(c.slug for c in article.contacts if not c.removed),
        date=article.date,
        place=article.place,
        summary=article.summary,
        status=status,
    )
    return f"---\n{dump_yaml(head)}---\n{article.body}"


def _export_documents(session: Session, store: BlobStore, folder: Path) -> int:
    documents = session.scalars(
        select(Document).where(Document.deleted_at.is_(None)).order_by(Document.slug)
    ).all()
    if documents:
        folder.mkdir(exist_ok=True)
    names = Counter(d.original_filename for d in documents)
    for document in documents:
        file_name = _file_name(document, names)
        store.copy_to(document.sha256, folder / file_name)
        _write(folder / f"{document.slug}.yml", dump_yaml(_document(document, file_name)))
    return len(documents)


def _file_name(document: Document, names: Counter[str]) -> str:
    """The original name where it is safe and unique, else ``<slug>.<suffix>``."""
    name = document.original_filename
    if _SAFE_FILE_NAME.match(name) and names[name] == 1 and not name.endswith(".yml"):
        return name
    return f"{document.slug}.{SUFFIX.get(document.media_type, 'bin')}"


def _document(document: Document, file_name: str) -> dict[str, Any]:
    data = _optional(
        {"title": document.title, "kind": document.kind.value},
        region=document.region.slug if document.region else None,
        themes=sorted(t.slug for t in document.themes),
        contacts=sorted(c.slug for c in document.contacts if not c.removed),
        date=document.date,
    )
    data["file"] = file_name
    return _optional(
        data,
        tags=sorted((t.name for t in document.tags), key=lambda n: (n.casefold(), n)),
        summary=document.summary,
        articles=sorted(a.slug for a in document.articles),
    )
