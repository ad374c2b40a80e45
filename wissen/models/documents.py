"""Uploaded documents (slide decks, reports) and the text of each of their pages."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .articles import Article
from .base import Base, LabelledEnum, UTCDateTime, enum_column, labels, utcnow
from .contacts import Contact
from .taxonomy import Region, Tag, Theme, link_table


class DocumentKind(LabelledEnum):
    PRESENTATION = "praesentation"
    REPORT = "bericht"
    GUIDE = "leitfaden"
    MINUTES = "protokoll"
    OTHER = "sonstiges"


labels(
    DocumentKind,
    {
        "praesentation": "Präsentation",
        "bericht": "Bericht",
        "leitfaden": "Leitfaden",
        "protokoll": "Protokoll",
        "sonstiges": "Sonstiges",
    },
)


class DocumentStatus(LabelledEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    READY = "ready"
    FAILED = "failed"


labels(
    DocumentStatus,
    {
        "pending": "wartet auf Verarbeitung",
        "processing": "wird verarbeitet",
        "ready": "bereit",
        "failed": "fehlgeschlagen",
    },
)

document_themes = link_table("document_themes", "documents", "themes")
document_tags = link_table("document_tags", "documents", "tags")
document_contacts = link_table("document_contacts", "documents", "contacts")
document_articles = link_table("document_articles", "documents", "articles")


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[date | None] = mapped_column(Date)
    original_filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    page_count: Mapped[int | None] = mapped_column(Integer)
    # "Folie" for slide decks (PPTX, ODP, landscape PDFs), else "Seite": how hits are named.
    page_unit: Mapped[str] = mapped_column(String(10), default="Seite", server_default="Seite")
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus), default=DocumentStatus.PENDING
    )
    error: Mapped[str] = mapped_column(Text, default="")
    # True while the title is still the file name: extraction may then put the title from
    # the file's own metadata in its place, never over one an editor typed.
    title_from_file: Mapped[bool] = mapped_column(default=False, server_default="0")
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=document_themes, order_by=Theme.slug)
    tags: Mapped[list[Tag]] = relationship(secondary=document_tags, order_by=Tag.name)
    contacts: Mapped[list[Contact]] = relationship(
        secondary=document_contacts, order_by=Contact.slug
    )
    articles: Mapped[list[Article]] = relationship(
        secondary=document_articles, order_by=Article.slug
    )
    versions: Mapped[list[DocumentVersion]] = relationship(
        back_populates="document",
        order_by="DocumentVersion.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    pages: Mapped[list[DocumentPage]] = relationship(
        back_populates="document",
        order_by="DocumentPage.number",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    def __repr__(self) -> str:
        return f"<Document {self.slug}>"


class DocumentPage(Base):
    __tablename__ = "document_pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")

    document: Mapped[Document] = relationship(back_populates="pages")


class DocumentVersion(Base):
    """An earlier file of a document, kept (and downloadable) after it was replaced."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    original_filename: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    page_count: Mapped[int | None] = mapped_column(Integer)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    document: Mapped[Document] = relationship(back_populates="versions")
