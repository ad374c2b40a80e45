"""Articles and their append-only revisions."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, LabelledEnum, UTCDateTime, enum_column, labels, utcnow
from .contacts import Contact
from .taxonomy import Region, Tag, Theme, link_table


class ArticleKind(LabelledEnum):
    PRACTICE = "praxisbeispiel"
    REPORT = "erfahrungsbericht"
    GUIDE = "leitfaden"
    EVENT = "veranstaltung"


labels(
    ArticleKind,
    {
        "praxisbeispiel": "Praxisbeispiel",
        "erfahrungsbericht": "Erfahrungsbericht",
        "leitfaden": "Leitfaden",
        "veranstaltung": "Veranstaltung",
    },
)


class ArticleStatus(LabelledEnum):
    DRAFT = "entwurf"
    PUBLISHED = "veroeffentlicht"
    ARCHIVED = "archiviert"


labels(
    ArticleStatus,
    {"entwurf": "Entwurf", "veroeffentlicht": "Veröffentlicht", "archiviert": "Archiviert"},
)

article_themes = link_table("article_themes", "articles", "themes")
article_tags = link_table("article_tags", "articles", "tags")
article_contacts = link_table("article_contacts", "articles", "contacts")


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[ArticleKind] = mapped_column(enum_column(ArticleKind))
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    summary: Mapped[str] = mapped_column(Text, default="")
    date: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(200), default="", server_default="")  # events
    status: Mapped[ArticleStatus] = mapped_column(
        enum_column(ArticleStatus), default=ArticleStatus.PUBLISHED
    )
    # use_alter: articles and revisions point at each other.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True, ondelete="SET NULL")
    )
    # Raised by every saved edit (text or metadata): the editor's form carries it, so a
    # save made on top of an older state is detected even when only metadata changed.
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=article_themes, order_by=Theme.slug)
    tags: Mapped[list[Tag]] = relationship(secondary=article_tags, order_by=Tag.name)
    contacts: Mapped[list[Contact]] = relationship(
        secondary=article_contacts, order_by=Contact.slug
    )
    current_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="article",
        foreign_keys="Revision.article_id",
        order_by="Revision.number",
        passive_deletes=True,
    )

    @property
    def body(self) -> str:
        return self.current_revision.body if self.current_revision else ""

    def __repr__(self) -> str:
        return f"<Article {self.slug}>"


class Revision(Base):
    """One saved state of an article's title and body; never changed after it is written."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("article_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    message: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    article: Mapped[Article] = relationship(back_populates="revisions", foreign_keys=[article_id])
    author: Mapped[User | None] = relationship()  # noqa: F821

    def __repr__(self) -> str:
        return f"<Revision {self.article_id}#{self.number}>"


class SlugRedirect(Base):
    """An article's former slug, so that old links and bookmarks keep working (301)."""

    __tablename__ = "slug_redirects"

    id: Mapped[int] = mapped_column(primary_key=True)
    old_slug: Mapped[str] = mapped_column(String(120), unique=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    article: Mapped[Article] = relationship()
