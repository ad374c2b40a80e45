"""Accounts: create users, check passwords, find them for the login session."""

from __future__ import annotations

import hashlib
import re
import secrets
from functools import cache
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from wissen.errors import Conflict, Invalid, InvalidFields, NotFound
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
    elif _password_matches(user, password) and user.active and user.deleted_at is None:
        user.last_login_at = utcnow()
        audit.record(session, "login", user, object_type="user", object_key=email)
        session.commit()
        return user
    audit.record(session, "login.failed", actor="anonym", object_type="user", object_key=email)
    session.commit()
    return None


def _password_matches(user: User, password: str) -> bool:
    # An invited account has no password yet (empty hash): it never matches, and it takes
    # as long to say so as for any other account, so nobody learns who is invited.
    if not user.password_hash:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(user.password_hash, password)


def load_user(session: Session, session_id: str) -> User | None:
    """The user of a login session ``"<id>.<session_version>"`` (User.get_id), if the
    account is still active and nothing since (password, role, deactivation) ended it."""
    user_id, _, version = str(session_id).partition(".")
    try:
        user = session.get(User, int(user_id))
        version_number = int(version)
    except (TypeError, ValueError):
        return None
    if user is None or not user.active or user.deleted_at is not None:
        return None
    if user.session_version != version_number:
        return None
    return user


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session made before now stops working."""
    user.session_version = (user.session_version or 0) + 1


# --- name and password kept by the person themselves ---------------------------------------

NAME_LIMIT = 200


def clean_name(value: str, problems: dict[str, str]) -> str:
    """The name with its spaces tidied; a problem under ``name`` when empty or too long."""
    name = " ".join(value.split())
    if not name:
        problems["name"] = "Bitte den Namen eingeben."
    elif len(name) > NAME_LIMIT:
        problems["name"] = f"Höchstens {NAME_LIMIT} Zeichen."
    return name


def check_new_password(
    user: User, password: str, repeat: str, problems: dict[str, str], name: str = ""
) -> None:
    """Both fields equal and the password strong; raises InvalidFields with ``problems``
    and its own (``password``, ``password2``) when anything is wrong."""
    if password != repeat:
        problems["password2"] = "Die beiden Passwörter stimmen nicht überein."
    else:
        personal = (user.email, user.email.split("@")[0], name or user.name)
        try:
            check_password_strength(password, personal=personal)
        except Invalid as error:
            problems["password"] = error.message
    if problems:
        raise InvalidFields(problems)


def change_own_name(session: Session, user: User, name: str) -> None:
    problems: dict[str, str] = {}
    clean = clean_name(name, problems)
    if problems:
        raise InvalidFields(problems)
    if clean != user.name:
        user.name = clean
        audit.record(session, "user.name_changed", user, object_type="user", object_key=user.email)
        session.commit()


def change_own_password(
    session: Session, user: User, current: str, password: str, repeat: str
) -> None:
    """Needs the current password; ends every session (the view signs this one in again)."""
    if not user.password_hash or not check_password_hash(user.password_hash, current):
        raise InvalidFields({"current_password": "Das bisherige Passwort stimmt nicht."})
    check_new_password(user, password, repeat, {})
    user.password_hash = generate_password_hash(password)
    end_sessions(user)
    audit.record(session, "user.password_changed", user, object_type="user", object_key=user.email)
    session.commit()


def sign_out_everywhere(session: Session, user: User) -> None:
    """Sign out everywhere ("Überall abmelden"): every session ends, the current one too."""
    end_sessions(user)
    session.commit()


def hash_secret(secret: str) -> str:
    """What is stored of a link or API token: its SHA-256, never the secret itself."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def is_last_admin(session: Session, user: User) -> bool:
    """Whether ``user`` is the only active admin left (who must not be demoted or erased)."""
    if user.role is not Role.ADMIN or not user.active:
        return False
    others = session.scalar(
        select(func.count(User.id)).where(
            User.role == Role.ADMIN,
            User.active.is_(True),
            User.deleted_at.is_(None),
            User.id != user.id,
        )
    )
    return not others


def get_user(session: Session, user_id: int) -> User:
    """The account with this number (also a locked or erased one)."""
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"Es gibt kein Konto mit der Nummer {user_id}.")
    return user
