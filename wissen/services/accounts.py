"""Admins keep the accounts: invite, change role and regions, lock, hand out password links;
everybody keeps their own name and password.

Invitations and password links are one-time secrets: the admin sees the link once (and it
may go out by mail); the database keeps only its SHA-256 (UserToken.token_hash), so a copy
of the database opens no account. A new link of the same kind revokes the older ones.
Every change of password, role, regions or status ends the person's sessions everywhere.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload
from werkzeug.security import generate_password_hash

from wissen.errors import Forbidden, Gone, Invalid, InvalidFields
from wissen.models import Region, Role, TokenKind, User, UserToken, utcnow
from wissen.services import api_tokens, audit, users
from wissen.services.permissions import Action, can, signed_in

INVITE_HOURS = 72
# Shorter than an invitation: a reset link opens an account that already holds rights and
# history, and the person asked for it, so it is usually used within the hour.
RESET_HOURS = 24
GONE_MESSAGE = (
    "Dieser Link ist abgelaufen oder wurde schon benutzt. Bitten Sie die Verwaltung um einen neuen."
)


class AccountStatus(StrEnum):
    ACTIVE = "aktiv"
    LOCKED = "gesperrt"
    INVITED = "eingeladen"
    ERASED = "geloescht"

    @property
    def label(self) -> str:
        return {"geloescht": "gelöscht"}.get(self.value, self.value)


@dataclass
class AccountInput:
    """The invitation or edit form as typed, kept as is when validation fails."""

    email: str = ""
    name: str = ""
    role: str = Role.READER.value
    regions: list[str] = field(default_factory=list)


@dataclass
class AccountRow:
    user: User
    status: AccountStatus
    invite_until: datetime | None = None  # the open invitation's end, if one is open


@dataclass
class IssuedLink:
    """A fresh one-time link: ``secret`` exists only here, never in the database."""

    user: User
    kind: TokenKind
    secret: str
    expires_at: datetime


def input_of(user: User) -> AccountInput:
    return AccountInput(user.email, user.name, user.role.value, [r.slug for r in user.regions])


def status_of(user: User) -> AccountStatus:
    if user.deleted_at is not None:
        return AccountStatus.ERASED
    if not user.active:
        return AccountStatus.LOCKED
    return AccountStatus.INVITED if not user.password_hash else AccountStatus.ACTIVE


# --- the admin list ----------------------------------------------------------------------


def overview(session: Session, actor: Any, role: str = "", status: str = "") -> list[AccountRow]:
    """All accounts (erased ones only when asked for), optionally of one role and status."""
    _require_admin(actor)
    query = (
        select(User).options(selectinload(User.regions)).order_by(func.lower(User.name), User.email)
    )
    if role in {r.value for r in Role}:
        query = query.where(User.role == Role(role))
    invites = _open_invites(session)
    rows = [AccountRow(u, status_of(u), invites.get(u.id)) for u in session.scalars(query)]
    if status in {s.value for s in AccountStatus}:
        return [r for r in rows if r.status.value == status]
    return [r for r in rows if r.status is not AccountStatus.ERASED]


def _open_invites(session: Session, user_id: int | None = None) -> dict[int, datetime]:
    query = (
        select(UserToken.user_id, func.max(UserToken.expires_at))
        .where(_is_open(TokenKind.INVITE))
        .group_by(UserToken.user_id)
    )
    if user_id is not None:
        query = query.where(UserToken.user_id == user_id)
    return {user_id: until for user_id, until in session.execute(query)}


def invitation_until(session: Session, user: User) -> datetime | None:
    """When the open invitation of ``user`` ends (also when already past), else None."""
    return _open_invites(session, user.id).get(user.id)


def get_account(session: Session, user_id: int, actor: Any) -> User:
    _require_admin(actor)
    return users.get_user(session, user_id)


# --- invite, edit, lock -------------------------------------------------------------------


def invite(session: Session, data: AccountInput, actor: Any) -> IssuedLink:
    """A new account without a password, and the link with which its owner sets one."""
    _require_admin(actor)
    problems: dict[str, str] = {}
    email = _email(data.email, problems)
    if email and session.scalar(select(User.id).where(func.lower(User.email) == email)):
        problems["email"] = f"Es gibt schon ein Konto für {email}."
    values = _checked(session, data, problems)
    user = User(email=email, password_hash="", **values)
    session.add(user)
    session.flush()
    link = _issue(session, user, TokenKind.INVITE, INVITE_HOURS, actor)
    audit.record(
        session,
        "user.invite",
        actor,
        object_type="user",
        object_key=email,
        role=user.role.value,
        regions=[r.slug for r in user.regions],
    )
    session.commit()
    return link


def renew_invitation(session: Session, user: User, actor: Any) -> IssuedLink:
    """A new invitation link for someone who has not accepted yet; the old one stops."""
    _require_admin(actor)
    _require_live(user)
    if user.password_hash:
        raise Invalid("Dieses Konto ist schon eingerichtet; erzeugen Sie einen Passwort-Link.")
    link = _issue(session, user, TokenKind.INVITE, INVITE_HOURS, actor)
    audit.record(
        session, "user.invite", actor, object_type="user", object_key=user.email, renewed=True
    )
    session.commit()
    return link


def save(session: Session, user: User, data: AccountInput, actor: Any) -> bool:
    """Save name, role and regions; returns whether anything changed."""
    _require_admin(actor)
    _require_live(user)
    values = _checked(session, data, {})
    if values["role"] is not Role.ADMIN:
        _keep_an_admin(session, user, actor, "Administrationsrolle entziehen")
    before = _rights(user)
    changed = values["name"] != user.name
    if changed:
        user.name = values["name"]
        audit.record(session, "user.name_changed", actor, object_type="user", object_key=user.email)
    user.role, user.regions = values["role"], values["regions"]
    after = _rights(user)
    if after != before:
        users.end_sessions(user)
        audit.record(
            session,
            "user.role_changed",
            actor,
            object_type="user",
            object_key=user.email,
            old=before,
            new=after,
        )
    session.commit()
    return changed or after != before


def set_active(session: Session, user: User, active: bool, actor: Any) -> None:
    """Lock (the person is signed out and cannot sign in) or unlock an account."""
    _require_admin(actor)
    _require_live(user)
    if user.active == active:
        return
    if not active:
        _keep_an_admin(session, user, actor, "sperren")
        users.end_sessions(user)
        _revoke_open(session, user, (TokenKind.INVITE, TokenKind.RESET))
    user.active = active
    action = "user.activated" if active else "user.deactivated"
    audit.record(session, action, actor, object_type="user", object_key=user.email)
    session.commit()


def issue_reset(session: Session, user: User, actor: Any) -> IssuedLink:
    """A link with which the person sets a new password (the old one works until then)."""
    _require_admin(actor)
    _require_live(user)
    if not user.active:
        raise Invalid("Das Konto ist gesperrt. Entsperren Sie es zuerst.")
    link = _issue(session, user, TokenKind.RESET, RESET_HOURS, actor)
    audit.record(session, "user.reset_link", actor, object_type="user", object_key=user.email)
    session.commit()
    return link


def _keep_an_admin(session: Session, user: User, actor: Any, what: str) -> None:
    """Nobody locks themselves out, and some active admin always remains."""
    if users.is_last_admin(session, user):
        raise Invalid(
            f"Sie können das letzte aktive Administrationskonto nicht {what}: "
            "Dann könnte niemand mehr die Konten verwalten."
        )
    if getattr(actor, "id", None) == user.id:
        raise Invalid(
            f"Sie können sich nicht selbst {what}. Bitten Sie eine andere Administratorin "
            "oder einen anderen Administrator darum."
        )


def _rights(user: User) -> dict[str, Any]:
    return {"role": user.role.value, "regions": sorted(r.slug for r in user.regions)}


# --- one-time links -----------------------------------------------------------------------


def open_link(session: Session, secret: str, kind: TokenKind) -> UserToken:
    """The unused, unexpired link behind ``secret``; Gone (410) for anything else."""
    token = session.scalar(
        select(UserToken).where(UserToken.token_hash == users.hash_secret(secret), _is_open(kind))
    )
    if token is None or token.expires_at is None or token.expires_at <= utcnow():
        raise Gone(GONE_MESSAGE)
    if not token.user.active or token.user.deleted_at is not None:
        raise Gone(GONE_MESSAGE)
    return token


def accept_invitation(session: Session, secret: str, name: str, password: str, repeat: str) -> User:
    """The invited person names themselves and sets their password; the link is used up."""
    token = open_link(session, secret, TokenKind.INVITE)
    user = token.user
    problems: dict[str, str] = {}
    clean = users.clean_name(name, problems)
    users.check_new_password(user, password, repeat, problems, clean)
    user.name = clean
    user.password_hash = generate_password_hash(password)
    _use(session, token)
    user.last_login_at = utcnow()
    audit.record(session, "user.invite_accepted", user, object_type="user", object_key=user.email)
    session.commit()
    return user


def reset_password(session: Session, secret: str, password: str, repeat: str) -> User:
    """Set the new password from a reset link; every session of the person ends."""
    token = open_link(session, secret, TokenKind.RESET)
    user = token.user
    users.check_new_password(user, password, repeat, {})
    user.password_hash = generate_password_hash(password)
    _use(session, token)
    users.end_sessions(user)
    # Whoever had the account may have made an API token; it must not outlive the reset.
    api_tokens.revoke_all(session, user, user, "Passwort zurückgesetzt")
    audit.record(session, "user.password_reset", user, object_type="user", object_key=user.email)
    session.commit()
    return user


def _issue(session: Session, user: User, kind: TokenKind, hours: int, actor: Any) -> IssuedLink:
    _revoke_open(session, user, (kind,))
    secret = secrets.token_urlsafe(32)
    now = utcnow()
    expires_at = now + timedelta(hours=hours)
    session.add(
        UserToken(
            user_id=user.id,
            kind=kind,
            token_hash=users.hash_secret(secret),
            created_at=now,
            created_by_id=getattr(signed_in(actor), "id", None),
            expires_at=expires_at,
        )
    )
    return IssuedLink(user, kind, secret, expires_at)


def _use(session: Session, token: UserToken) -> None:
    # Conditional, so that of two requests racing with one link only one gets through.
    used = session.execute(
        update(UserToken)
        .where(UserToken.id == token.id, UserToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if used.rowcount != 1:  # type: ignore[attr-defined]
        raise Gone(GONE_MESSAGE)


def _revoke_open(session: Session, user: User, kinds: tuple[TokenKind, ...]) -> None:
    session.execute(
        update(UserToken)
        .where(UserToken.user_id == user.id, UserToken.kind.in_(kinds))
        .where(UserToken.used_at.is_(None), UserToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _is_open(kind: TokenKind) -> Any:
    return (UserToken.kind == kind) & UserToken.used_at.is_(None) & UserToken.revoked_at.is_(None)


# --- checks -------------------------------------------------------------------------------


def _require_admin(actor: Any) -> None:
    if not can(actor, Action.ADMINISTER):
        raise Forbidden("Nur die Administration verwaltet Konten.")


def _require_live(user: User) -> None:
    if user.deleted_at is not None:
        raise Invalid("Dieses Konto wurde gelöscht und kann nicht mehr geändert werden.")


def _checked(session: Session, data: AccountInput, problems: dict[str, str]) -> dict[str, Any]:
    """Name, role and regions for the model, or InvalidFields naming every wrong field."""
    name = users.clean_name(data.name, problems)
    try:
        role = Role(data.role)
    except ValueError:
        problems["role"] = "Bitte eine der drei Rollen wählen."
        role = Role.READER
    chosen = set(data.regions or [])
    regions = list(session.scalars(select(Region).where(Region.slug.in_(chosen))))
    if len(regions) != len(chosen):
        problems["regions"] = "Mindestens eine der Regionen gibt es nicht."
    elif role is Role.EDITOR and not regions:
        problems["regions"] = "Die Redaktion braucht mindestens eine Region, die sie bearbeitet."
    if problems:
        raise InvalidFields(problems)
    return {"name": name, "role": role, "regions": sorted(regions, key=lambda r: r.slug)}


def _email(value: str, problems: dict[str, str]) -> str:
    email = users.normalise_email(value)
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        problems["email"] = "Bitte eine gültige E-Mail-Adresse eingeben, z. B. name@landkreis.de."
    return email
