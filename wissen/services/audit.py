"""Write audit events in the same transaction as the change they describe."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from wissen.models import AuditEvent, User
from wissen.services.permissions import signed_in

ACTOR_LENGTH = AuditEvent.__table__.c.actor.type.length
OBJECT_KEY_LENGTH = AuditEvent.__table__.c.object_key.type.length


def record(
    session: Session,
    action: str,
    user: Any = None,
    *,
    object_type: str = "",
    object_key: str = "",
    actor: str = "",
    **detail: Any,
) -> AuditEvent:
    """Add an AuditEvent; ``actor`` names a non-user source such as ``cli`` or ``import``."""
    account: User | None = signed_in(user)
    # Keys come from what was typed (a failed login's e-mail can be anything): cut to the
    # column, which PostgreSQL enforces and SQLite does not, so both keep the same entry.
    event = AuditEvent(
        user_id=account.id if account else None,
        actor=(account.email if account else actor)[:ACTOR_LENGTH],
        action=action,
        object_type=object_type,
        object_key=object_key[:OBJECT_KEY_LENGTH],
        detail=json.dumps(detail, ensure_ascii=False, sort_keys=True, default=str)
        if detail
        else "",
    )
    session.add(event)
    return event
