"""Accounts: who may read, who may edit which regions, who administers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, LabelledEnum, UTCDateTime, enum_column, labels, utcnow
from .taxonomy import Region, link_table


class Role(LabelledEnum):
    ADMIN = "admin"
    EDITOR = "redaktion"
    READER = "leser"


labels(Role, {"admin": "Administration", "redaktion": "Redaktion", "leser": "Lesen"})

user_regions = link_table("user_regions", "users", "regions")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(300), default="")
    role: Mapped[Role] = mapped_column(enum_column(Role), default=Role.READER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    regions: Mapped[list[Region]] = relationship(secondary=user_regions, order_by=Region.slug)

    # flask-login reads these four; defined here so the model needs no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def __repr__(self) -> str:
        return f"<User {self.email}>"
