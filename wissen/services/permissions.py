"""The one answer to "may this user do this to that object?" — views and services ask here."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from wissen.models import (
    Article,
    ArticleStatus,
    Contact,
    ContactVisibility,
    Document,
    Region,
    Role,
    User,
)


class Action(StrEnum):
    VIEW = "view"
    CREATE = "create"
    EDIT = "edit"
    DELETE = "delete"
    PURGE = "purge"
    VIEW_CONTACT_DETAILS = "view_contact_details"
    ADMINISTER = "administer"


def signed_in(user: Any) -> User | None:
    """The active User behind ``user``, or None for anonymous visitors."""
    if isinstance(user, User) and user.active:
        return user
    return None


def can(user: Any, action: Action, obj: Any = None, *, public_read: bool = True) -> bool:
    """Whether ``user`` (a User, an anonymous stand-in or None) may do ``action`` to ``obj``.

    ``obj`` is an Article, Document, Contact, Region or None (the whole site);
    ``public_read`` is the WISSEN_PUBLIC_READ setting.
    """
    account = signed_in(user)
    if account is not None and account.role is Role.ADMIN:
        return True
    if action is Action.VIEW:
        return _may_view(account, obj, public_read)
    if account is None:
        return False
    if action is Action.VIEW_CONTACT_DETAILS:
        return True
    if action in (Action.CREATE, Action.EDIT, Action.DELETE):
        return account.role is Role.EDITOR and _edits_region_of(account, obj)
    return False


def _may_view(account: User | None, obj: Any, public_read: bool) -> bool:
    if account is None and not public_read:
        return False
    if isinstance(obj, Article):
        if obj.deleted_at is not None or obj.status is ArticleStatus.DRAFT:
            return account is not None and can(account, Action.EDIT, obj)
        return True
    if isinstance(obj, Document):
        if obj.deleted_at is not None:
            return account is not None and can(account, Action.EDIT, obj)
        return True
    if isinstance(obj, Contact):
        return account is not None or obj.visibility is ContactVisibility.PUBLIC
    return True


def _edits_region_of(account: User, obj: Any) -> bool:
    """Editors work on their own regions; content without a region is shared by all editors."""
    region = obj if isinstance(obj, Region) else getattr(obj, "region", None)
    if region is None:
        return bool(account.regions)
    return any(r.id == region.id for r in account.regions)


class Viewer:
    """Who is looking, and whether the site is public: what services need to filter."""

    def __init__(self, user: Any = None, public_read: bool = True) -> None:
        self.user = signed_in(user)
        self.public_read = public_read

    def can(self, action: Action, obj: Any = None) -> bool:
        return can(self.user, action, obj, public_read=self.public_read)

    @property
    def signed_in(self) -> bool:
        return self.user is not None
