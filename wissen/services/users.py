"""Accounts: create users, check passwords, find them for the login session."""

from __future__ import annotations

import re
import secrets
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from wissen.errors import Conflict, Invalid
from wissen.models import Region, Role, User, utcnow
from wissen.services import audit

MIN_PASSWORD_LENGTH = 12
MIN_PASSWORD_SCORE = 3  # zxcvbn: 0 (trivial) … 4 (very hard to guess)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@cache
def _dummy_hash() -> str:
    # Compared against when the account does not exist, so that the answer takes as long
    # for unknown addresses as for wrong passwords.
    return generate_password_hash("wissen-dummy-password")


def normalise_email(email: str) -> str:
    return email.strip().lower()


def generate_password() -> str:
    """A strong random password (about 128 bits) that can be typed and pasted."""
    return secrets.token_urlsafe(16)


def check_password_strength(password: str, personal: tuple[str, ...] = ()) -> None:
    """At least 12 characters, and not guessable: zxcvbn scores it against lists of common
    passwords, names, words and keyboard patterns (and the person's own e-mail/name)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Invalid(
            f"Das Passwort muss mindestens {MIN_PASSWORD_LENGTH} Zeichen lang sein.",
            field="password",
        )
    # zxcvbn's cost grows with the length; the first 100 characters decide.
    if zxcvbn(password[:100], user_inputs=list(personal))["score"] < MIN_PASSWORD_SCORE:
        raise Invalid(
            "Dieses Passwort ist zu leicht zu erraten: Es ähnelt häufig benutzten Passwörtern, "
            "Namen oder Tastaturmustern. Besser sind mehrere zufällige Wörter, z. B. "
            "„Kiefer-Laterne-Gurke-17“.",
            field="password",
        )


def create_user(
    session: Session,
    email: str,
    role: Role | str,
    *,
    password: str,
    name: str = "",
    region_slugs: list[str] | tuple[str, ...] = (),
    actor: Any = None,
) -> User:
    """Create an account; raise Invalid or Conflict with a German message on bad input."""
    email = normalise_email(email)
    if not _EMAIL.match(email):
        raise Invalid(f"„{email}“ ist keine gültige E-Mail-Adresse.", field="email")
    try:
        role = Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise Invalid(f"Unbekannte Rolle „{role}“ (erlaubt: {allowed}).", field="role") from None
    check_password_strength(password, personal=(email, email.split("@")[0], name))
    if session.scalar(select(User).where(func.lower(User.email) == email)):
        raise Conflict(f"Es gibt schon ein Konto für {email}.", field="email")
    regions = _regions(session, region_slugs)
    user = User(
        email=email,
        name=name.strip() or email.split("@")[0],
        password_hash=generate_password_hash(password),
        role=role,
        regions=regions,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        "user.create",
        actor,
        actor="cli",
        object_type="user",
        object_key=email,
        role=role.value,
        regions=[r.slug for r in regions],
    )
    session.commit()
    return user


def _regions(session: Session, slugs: list[str] | tuple[str, ...]) -> list[Region]:
    regions = []
    for slug in slugs:
        region = session.scalar(select(Region).where(Region.slug == slug))
        if region is None:
            raise Invalid(f"Unbekannte Region „{slug}“.", field="regions")
        regions.append(region)
    return regions


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this e-mail and password, else None; both outcomes are audited."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(func.lower(User.email) == email))
    if user is None:
        check_password_hash(_dummy_hash(), password)
    elif check_password_hash(user.password_hash, password) and user.active:
        user.last_login_at = utcnow()
        audit.record(session, "login", user, object_type="user", object_key=email)
        session.commit()
        return user
    audit.record(session, "login.failed", actor="anonym", object_type="user", object_key=email)
    session.commit()
    return None


def load_user(session: Session, session_id: str) -> User | None:
    """The user of a login session ``"<id>.<session_version>"`` (User.get_id), if the
    account is still active and nothing since (password, role, deactivation) ended it."""
    user_id, _, version = str(session_id).partition(".")
    try:
        user = session.get(User, int(user_id))
        version_number = int(version)
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or user.session_version != version_number:
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session made before now stops working."""
    user.session_version = (user.session_version or 0) + 1
