"""Accounts: who may read, who may edit which regions, who administers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String
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
    # Raised when the password, role or status changes: sessions carrying an older
    # number end at their next request (see get_id / services.users.load_user).
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when the account was erased on request (Löschung): the row stays, emptied,
    # so that revisions and the pseudonymised audit trail keep their references.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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
        return f"{self.id}.{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class TokenKind(LabelledEnum):
    INVITE = "einladung"
    RESET = "passwort"
    API = "api"


labels(TokenKind, {"einladung": "Einladung", "passwort": "Passwort zurücksetzen", "api": "API"})


class UserToken(Base):
    """A secret handed to one user: an invitation or reset link (one-time, expiring) or
    an API token. Only the SHA-256 of the secret is stored; the secret is shown once."""

    __tablename__ = "user_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TokenKind] = mapped_column(enum_column(TokenKind))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship(foreign_keys=[user_id])

    def __repr__(self) -> str:
        return f"<UserToken {self.kind.value} of user {self.user_id}>"
