"""Contact persons: who to call about a practice, with DSGVO visibility and consent."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, LabelledEnum, UTCDateTime, enum_column, labels, utcnow
from .taxonomy import Region, Theme, link_table


class ContactVisibility(LabelledEnum):
    PUBLIC = "oeffentlich"
    INTERNAL = "intern"


labels(ContactVisibility, {"oeffentlich": "öffentlich", "intern": "intern"})

contact_themes = link_table("contact_themes", "contacts", "themes")


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(300), default="")
    organisation: Mapped[str] = mapped_column(String(300), default="")
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(320), default="")
    phone: Mapped[str] = mapped_column(String(60), default="")
    visibility: Mapped[ContactVisibility] = mapped_column(
        enum_column(ContactVisibility), default=ContactVisibility.PUBLIC
    )
    consent_date: Mapped[date | None] = mapped_column(Date)
    last_reviewed: Mapped[date | None] = mapped_column(Date)
    # Deleted on request (DSGVO): personal data blanked, the row stays so that articles
    # that named the person say "Kontakt entfernt" instead of silently changing.
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Raised by every save (form or import): a form opened before it is refused.
    edit_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    region: Mapped[Region | None] = relationship()
    themes: Mapped[list[Theme]] = relationship(secondary=contact_themes, order_by=Theme.slug)

    @property
    def removed(self) -> bool:
        return self.removed_at is not None

    def __repr__(self) -> str:
        return f"<Contact {self.slug}>"
