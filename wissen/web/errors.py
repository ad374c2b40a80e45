"""One place that turns errors into German pages, or JSON under /api/."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_limiter.errors import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from wissen.errors import WissenError
from wissen.extensions import db
from wissen.services import audit

log = logging.getLogger(__name__)

MESSAGES = {
    400: ("Ungültige Anfrage", "Die Anfrage konnte nicht verstanden werden."),
    401: ("Anmeldung erforderlich", "Bitte melden Sie sich an."),
    403: ("Keine Berechtigung", "Für diese Seite fehlt Ihnen die Berechtigung."),
    404: ("Nicht gefunden", "Diese Seite gibt es nicht (mehr). Vielleicht hilft die Suche."),
    405: ("Methode nicht erlaubt", "Diese Aktion ist hier nicht möglich."),
    409: ("Konflikt", "Der Inhalt wurde inzwischen geändert."),
    413: (
        "Datei zu groß",
        "Die Datei ist größer als erlaubt. Bitte eine kleinere Datei hochladen.",
    ),
    415: ("Dateityp nicht unterstützt", "Dieser Dateityp wird nicht unterstützt."),
    429: ("Zu viele Anfragen", "Bitte warten Sie einen Moment und versuchen Sie es erneut."),
    500: (
        "Interner Fehler",
        "Etwas ist schiefgegangen. Ihre gespeicherten Daten sind sicher; bitte versuchen "
        "Sie es in einem Moment erneut.",
    ),
    503: ("Nicht verfügbar", "wissen ist gerade nicht verfügbar."),
}


def json_error(code: int, message: str | None = None) -> Response:
    title, default = MESSAGES.get(code, MESSAGES[500])
    response = jsonify({"error": {"code": code, "title": title, "message": message or default}})
    response.status_code = code
    return response


def _render(code: int, message: str | None = None, title: str | None = None) -> Response:
    if request.path.startswith("/api/"):
        return json_error(code, message)
    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    html = render_template(
        "error.html",
        code=code,
        title=title or default_title,
        message=message or default_message,
    )
    return Response(html, status=code, mimetype="text/html")


def _minutes_until_reset() -> int:
    import math
    import time

    from wissen.extensions import limiter

    limit = limiter.current_limit
    seconds = (limit.reset_at - time.time()) if limit is not None else 900
    return max(1, math.ceil(seconds / 60))


def register(app: Flask) -> None:
    @app.errorhandler(WissenError)
    def wissen_error(error: WissenError) -> Response:
        db.session.rollback()
        return _render(error.status, error.message, error.title)

    @app.errorhandler(RateLimitExceeded)
    def too_many(error: RateLimitExceeded) -> Response:
        minutes = _minutes_until_reset()
        if request.endpoint == "auth.login":
            audit.record(
                db.session,
                "login.throttled",
                actor="anonym",
                object_type="user",
                object_key=request.form.get("email", "")[:200],
            )
            db.session.commit()
        response = _render(
            429,
            "Zu viele fehlgeschlagene Anmeldeversuche. Bitte versuchen Sie es in "
            f"{minutes} {'Minute' if minutes == 1 else 'Minuten'} noch einmal.",
            "Bitte kurz warten",
        )
        response.headers["Retry-After"] = str(minutes * 60)
        return response

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Response:
        return _render(
            400,
            "Das Formular ist abgelaufen oder wurde nicht von dieser Seite gesendet. Bitte "
            "laden Sie die Seite neu und senden Sie es noch einmal.",
            "Formular abgelaufen",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        code = error.code or 500
        # Werkzeug's own descriptions are English; only the German text is shown.
        return _render(code)

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Response:
        log.exception("Unerwarteter Fehler bei %s %s", request.method, request.path)
        db.session.rollback()
        return _render(500)
