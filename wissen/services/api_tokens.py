"""API tokens: a user creates, lists and revokes their own; scripts send one to /api/.

The secret (``wsn_…``) is returned once, at creation; only its SHA-256 is stored, so a
copy of the database gives nobody access. A token carries no rights of its own: whoever
sends it acts as its user, with that user's current role, regions and status.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.errors import Forbidden, InvalidFields, NotFound, WissenError
from wissen.models import TokenKind, User, UserToken, utcnow
from wissen.services import audit, users
from wissen.services.permissions import signed_in

PREFIX = "wsn_"
MAX_NAME = 100
# Offered lifetimes in days; "" is a token without an end date.
LIFETIMES: dict[str, int | None] = {"": None, "30": 30, "90": 90, "365": 365}
# last_used_at is a hint for the owner ("still in use?"), not a log: writing it at most
# once a minute spares the database a write on every API request.
TOUCH_INTERVAL = timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters of [A-Za-z0-9_-]; anything else was never ours.
_SHAPE = re.compile(r"^wsn_[A-Za-z0-9_-]{43}$")


class TokenRefused(WissenError):
    """The bearer token does not sign anybody in; the message says why (in German)."""

    status = 401
    title = "Anmeldung erforderlich"


@dataclass(frozen=True)
class NewToken:
    """A freshly created token and its secret, which exists nowhere else after this."""

    token: UserToken
    secret: str


def tokens_of(session: Session, user: Any) -> list[UserToken]:
    """The user's API tokens, newest first, revoked ones included (so they can see them)."""
    account = _account(user)
    query = select(UserToken).where(
        UserToken.user_id == account.id, UserToken.kind == TokenKind.API
    )
    return list(session.scalars(query.order_by(UserToken.created_at.desc(), UserToken.id.desc())))


def create(session: Session, user: Any, name: str, lifetime: str = "") -> NewToken:
    """A new API token for ``user``; InvalidFields for a missing/long name or odd lifetime."""
    account = _account(user)
    name = " ".join(name.split())
    problems: dict[str, str] = {}
    if not name:
        problems["name"] = "Bitte einen Namen eingeben, z. B. „Auswertungsskript Sozialamt“."
    elif len(name) > MAX_NAME:
        problems["name"] = f"Höchstens {MAX_NAME} Zeichen."
    if lifetime not in LIFETIMES:
        problems["lifetime"] = "Bitte eine der angebotenen Gültigkeiten wählen."
    if problems:
        raise InvalidFields(problems)
    days = LIFETIMES[lifetime]
    now = utcnow()
    secret = PREFIX + secrets.token_urlsafe(32)
    token = UserToken(
        user_id=account.id,
        kind=TokenKind.API,
        token_hash=users.hash_secret(secret),
        name=name,
        created_at=now,
        created_by_id=account.id,
        expires_at=now + timedelta(days=days) if days else None,
    )
    session.add(token)
    session.flush()
    # The audit trail names the token, never its secret or hash.
    audit.record(
        session,
        "token.created",
        account,
        object_type="token",
        object_key=str(token.id),
        name=name,
        expires_at=token.expires_at.isoformat() if token.expires_at else None,
    )
    session.commit()
    return NewToken(token=token, secret=secret)


def revoke(session: Session, user: Any, token_id: int) -> UserToken:
    """Revoke one of the user's own tokens. Another user's token id is NotFound, exactly
    like an id that does not exist, so that guessing ids tells nobody anything."""
    account = _account(user)
    token = session.get(UserToken, token_id)
    if token is None or token.user_id != account.id or token.kind is not TokenKind.API:
        raise NotFound("Diesen Token gibt es nicht.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record(
            session,
            "token.revoked",
            account,
            object_type="token",
            object_key=str(token.id),
            name=token.name,
        )
        session.commit()
    return token


def revoke_all(session: Session, user: User, actor: Any = None, reason: str = "") -> int:
    """Revoke every active API token of ``user`` (e.g. on a password reset or erasure),
    in the caller's transaction: nothing is committed here. Returns how many."""
    query = select(UserToken).where(
        UserToken.user_id == user.id,
        UserToken.kind == TokenKind.API,
        UserToken.revoked_at.is_(None),
    )
    tokens = list(session.scalars(query))
    for token in tokens:
        token.revoked_at = utcnow()
        audit.record(
            session,
            "token.revoked",
            actor,
            actor="system",
            object_type="token",
            object_key=str(token.id),
            name=token.name,
            reason=reason,
        )
    return len(tokens)


def authenticate(session: Session, secret: str, now: datetime | None = None) -> User:
    """The user a bearer token signs in, or TokenRefused saying why not."""
    now = now or utcnow()
    if not _SHAPE.match(secret):
        raise TokenRefused("Der Token hat nicht das erwartete Format („wsn_…“).")
    token = session.scalar(
        select(UserToken).where(
            UserToken.token_hash == users.hash_secret(secret), UserToken.kind == TokenKind.API
        )
    )
    if token is None:
        raise TokenRefused("Dieser Token ist unbekannt.")
    if token.revoked_at is not None:
        raise TokenRefused("Dieser Token wurde widerrufen.")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenRefused("Dieser Token ist abgelaufen.")
    user = token.user
    if not user.active or user.deleted_at is not None:
        raise TokenRefused("Das Konto zu diesem Token ist gesperrt oder gelöscht.")
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_INTERVAL:
        token.last_used_at = now
        session.commit()
    return user


def _account(user: Any) -> User:
    account = signed_in(user)
    if account is None:
        # Views require a login first; this only guards against misuse.
        raise Forbidden("Bitte melden Sie sich an, um Ihre API-Tokens zu verwalten.")
    return account
