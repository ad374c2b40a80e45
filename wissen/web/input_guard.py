"""Refuse requests whose text contains a NUL character (U+0000).

No person types one, no text means one, and PostgreSQL cannot store one in a text column:
without this guard the same form would save on SQLite and fail with HTTP 500 on
PostgreSQL. So every request with one is refused alike, in German, before anything else
looks at it (sign-in by token, the login form, the search log). Uploaded files are not
text and are not looked at here.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import NotFound

from wissen.errors import Invalid

MESSAGE = (
    "Die Eingabe enthält ein Nullzeichen (U+0000), das in keinem Text stehen darf. "
    "Bitte ohne dieses Zeichen erneut senden."
)


def register(app: Flask) -> None:
    """Must be the first before_request that reads the request's text."""
    app.before_request(refuse_null_characters)


def refuse_null_characters() -> None:
    if _has_null(request.path):
        raise NotFound()  # an address with one names no page
    if any(
        _has_null(key) or _has_null(value)
        for pairs in (request.args, request.form)
        for key, value in pairs.items(multi=True)
    ):
        raise Invalid(MESSAGE)
    if request.is_json and _has_null(request.get_json(silent=True)):
        raise Invalid(MESSAGE)


def _has_null(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_null(k) or _has_null(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_null(item) for item in value)
    return False
