"""WissenError and its kinds: services raise them, one handler renders them (page or JSON)."""

from __future__ import annotations


class WissenError(Exception):
    """A failure the user should see, with a German message and an HTTP status."""

    status: int = 400
    title: str = "Ungültige Anfrage"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFound(WissenError):
    status = 404
    title = "Nicht gefunden"


class Gone(WissenError):
    status = 410
    title = "Entfernt"


class Invalid(WissenError):
    status = 400
    title = "Ungültige Eingabe"


class InvalidFields(Invalid):
    """Several fields of a form wrong at once: ``problems`` maps field → German message."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("Bitte prüfen Sie die markierten Felder.", field=next(iter(problems)))
        self.problems = problems


class Conflict(WissenError):
    status = 409
    title = "Konflikt"


class Forbidden(WissenError):
    status = 403
    title = "Keine Berechtigung"


class UnsupportedFile(WissenError):
    status = 415
    title = "Dateityp nicht unterstützt"
