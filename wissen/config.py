"""wissen's settings: one declared table, read from ``WISSEN_*`` environment variables.

Every setting is listed here with its default and help text; the README lists the same
table (a test keeps both in step). Values are validated once at start, so a typo in a
setting stops wissen with one clear line instead of a failure hours later.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class ConfigError(ValueError):
    """A setting has a value wissen cannot use; the message is one German/English line."""


_TRUE = {"1", "true", "yes", "ja", "on", "an", "wahr"}
_FALSE = {"0", "false", "no", "nein", "off", "aus", "falsch"}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(
        f"{name}={raw!r} ist kein Wahrheitswert (ja/nein) / is not a boolean (yes/no)"
    )


def _parse_positive_int(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} ist keine ganze Zahl / is not a whole number") from None
    if value <= 0:
        raise ConfigError(f"{name}={raw!r} muss größer als 0 sein / must be greater than 0")
    return value


def _parse_count(name: str, raw: str) -> int:
    try:
        value = int(raw.strip())
    except ValueError:
        raise ConfigError(f"{name}={raw!r} ist keine ganze Zahl / is not a whole number") from None
    if value < 0:
        raise ConfigError(f"{name}={raw!r} darf nicht negativ sein / must not be negative")
    return value


def _parse_str(name: str, raw: str) -> str:
    return raw.strip()


def _parse_path(name: str, raw: str) -> str:
    if not raw.strip():
        raise ConfigError(f"{name} ist leer / is empty")
    return str(Path(raw.strip()).expanduser().resolve())


def _parse_url(name: str, raw: str) -> str:
    value = raw.strip()
    if value and not value.startswith(("http://", "https://", "/")):
        raise ConfigError(
            f"{name}={raw!r} muss mit http://, https:// oder / beginnen"
            " / must start with http://, https:// or /"
        )
    return value


def _parse_database_url(name: str, raw: str) -> str:
    value = raw.strip()
    if value and "://" not in value:
        raise ConfigError(
            f"{name}={raw!r} ist keine Datenbank-URL (z. B. sqlite:///pfad/wissen.sqlite3)"
            " / is not a database URL"
        )
    return value


@dataclass(frozen=True)
class Setting:
    """One row of the settings table."""

    name: str
    default: str
    help: str
    parse: Callable[[str, str], Any]

    @property
    def key(self) -> str:
        """The Flask config key: the name without the ``WISSEN_`` prefix."""
        return self.name.removeprefix("WISSEN_")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "WISSEN_DATA_DIR",
        "",
        "Ein Ordner für alle Laufzeitdaten (SQLite-Datei, uploads/, index/). Leer: "
        "instance/, uploads/ und index/ im aktuellen Verzeichnis.",
        _parse_str,
    ),
    Setting(
        "WISSEN_DATABASE_URL",
        "",
        "SQLAlchemy-URL der Datenbank. Leer: SQLite-Datei wissen.sqlite3 im Datenordner "
        "(bzw. instance/).",
        _parse_database_url,
    ),
    Setting(
        "WISSEN_UPLOAD_DIR",
        "",
        "Ordner für hochgeladene Originale. Leer: uploads/ im Datenordner.",
        _parse_str,
    ),
    Setting(
        "WISSEN_INDEX_DIR",
        "",
        "Ordner für den Suchindex. Leer: index/ im Datenordner.",
        _parse_str,
    ),
    Setting(
        "WISSEN_CONTENT_DIR",
        "content",
        "Das Startpaket (ein Bundle), das `wissen import` ohne Pfadangabe lädt.",
        _parse_path,
    ),
    Setting(
        "WISSEN_SECRET_KEY",
        "",
        "Geheimer Schlüssel für Sitzungen und CSRF. Leer: beim ersten Start erzeugt und "
        "in der Datei secret_key im Datenordner (bzw. instance/) aufbewahrt.",
        _parse_str,
    ),
    Setting(
        "WISSEN_PUBLIC_READ",
        "ja",
        "Dürfen nicht angemeldete Besucher veröffentlichte Inhalte lesen? (ja/nein). "
        "E-Mail-Adressen und Telefonnummern sehen sie nie.",
        _parse_bool,
    ),
    Setting(
        "WISSEN_HTTPS",
        "nein",
        "Läuft wissen hinter HTTPS (z. B. einem Reverse Proxy)? (ja/nein). ja: Cookies nur "
        "über HTTPS (Secure) und HSTS-Kopfzeile.",
        _parse_bool,
    ),
    Setting(
        "WISSEN_PROXIES",
        "0",
        "Wie viele Reverse Proxys (z. B. nginx) vor wissen stehen. 1: Adresse und Protokoll "
        "des Besuchers kommen aus X-Forwarded-For/-Proto des Proxys. 0: diese Kopfzeilen "
        "werden ignoriert (sie wären sonst fälschbar).",
        _parse_count,
    ),
    Setting(
        "WISSEN_RATELIMIT_STORAGE",
        "memory://",
        "Wo Anmeldeversuche gezählt werden: memory:// (ein Prozess) oder redis://host:6379 "
        "(mehrere Prozesse oder Rechner).",
        _parse_str,
    ),
    Setting(
        "WISSEN_MAX_UPLOAD_MB",
        "50",
        "Größte erlaubte Upload-Größe in Megabyte; größere Anfragen werden mit 413 abgelehnt.",
        _parse_positive_int,
    ),
    Setting(
        "WISSEN_EXTRACT_TIMEOUT",
        "120",
        "Höchstens so viele Sekunden darf das Auslesen eines Dokuments dauern.",
        _parse_positive_int,
    ),
    Setting(
        "WISSEN_EXTRACT_MEMORY_MB",
        "1024",
        "Höchstens so viel Speicher (MB) darf das Auslesen eines Dokuments belegen.",
        _parse_positive_int,
    ),
    Setting(
        "WISSEN_EXTRACT_MAX_PAGES",
        "5000",
        "Dokumente mit mehr Seiten werden nicht ausgelesen (Status fehlgeschlagen).",
        _parse_positive_int,
    ),
    Setting(
        "WISSEN_SITE_NAME",
        "wissen",
        "Name der Installation in Seitentitel und Kopfzeile.",
        _parse_str,
    ),
    Setting(
        "WISSEN_IMPRESSUM_URL",
        "",
        "Adresse des Impressums der betreibenden Stelle (Pflicht für deutsche Websites).",
        _parse_url,
    ),
    Setting(
        "WISSEN_DATENSCHUTZ_URL",
        "",
        "Adresse der Datenschutzerklärung der betreibenden Stelle. Leer: wissen zeigt unter "
        "/datenschutz seine eigene Vorlage mit WISSEN_OPERATOR und WISSEN_PRIVACY_CONTACT.",
        _parse_url,
    ),
    Setting(
        "WISSEN_OPERATOR",
        "",
        "Die verantwortliche Stelle (Name, Anschrift, E-Mail) für die Datenschutzseite.",
        _parse_str,
    ),
    Setting(
        "WISSEN_PRIVACY_CONTACT",
        "",
        "Kontakt der oder des Datenschutzbeauftragten für die Datenschutzseite.",
        _parse_str,
    ),
    Setting(
        "WISSEN_AUDIT_RETENTION_DAYS",
        "365",
        "So viele Tage bleiben Einträge im Protokoll (Audit-Log); ältere löscht ein "
        "täglicher Hintergrundauftrag.",
        _parse_positive_int,
    ),
    Setting(
        "WISSEN_SMTP_URL",
        "",
        "Mailserver für Einladungen und Passwort-Links, z. B. smtp://benutzer:passwort@host:587 "
        "(STARTTLS) oder smtps://host:465. Leer: kein Mailversand, die Verwaltung gibt den "
        "Link selbst weiter.",
        _parse_str,
    ),
    Setting(
        "WISSEN_MAIL_FROM",
        "",
        "Absenderadresse der Mails (nur mit WISSEN_SMTP_URL).",
        _parse_str,
    ),
)


def _from_environ(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = environ.get(setting.name) or setting.default
        values[setting.key] = setting.parse(setting.name, raw) if raw else raw
    return values


def _resolve_paths(values: dict[str, Any], cwd: Path) -> None:
    """Fill the path settings left empty from the data dir (or the repository layout)."""
    data_dir = values["DATA_DIR"]
    if data_dir:
        base = Path(data_dir).expanduser().resolve()
        instance, uploads, index = base, base / "uploads", base / "index"
    else:
        instance, uploads, index = cwd / "instance", cwd / "uploads", cwd / "index"
    values["DATA_DIR"] = str(instance)
    values["UPLOAD_DIR"] = str(Path(values["UPLOAD_DIR"] or uploads).expanduser().resolve())
    values["INDEX_DIR"] = str(Path(values["INDEX_DIR"] or index).expanduser().resolve())
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{instance / 'wissen.sqlite3'}"


def load_settings(
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    cwd: Path | None = None,
) -> dict[str, Any]:
    """Read, validate and complete all settings; raise ConfigError on the first bad one.

    ``overrides`` take Flask config keys (``DATA_DIR``, ``PUBLIC_READ`` …) with values as
    strings or already typed; tests use them to point every path at a temporary folder.
    """
    env = dict(os.environ if environ is None else environ)
    for key, value in (overrides or {}).items():
        env[f"WISSEN_{key}"] = value if isinstance(value, str) else _to_env(value)
    values = _from_environ(env)
    _resolve_paths(values, (cwd or Path.cwd()).resolve())
    values["MAX_CONTENT_LENGTH"] = values["MAX_UPLOAD_MB"] * 1024 * 1024
    return values


def _to_env(value: Any) -> str:
    if isinstance(value, bool):
        return "ja" if value else "nein"
    return str(value)


def ensure_secret_key(values: dict[str, Any]) -> str:
    """Return the configured secret key, or one kept in the data dir (made on first start)."""
    if values.get("SECRET_KEY"):
        return str(values["SECRET_KEY"])
    path = Path(values["DATA_DIR"]) / "secret_key"
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
        if key:
            return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Written with owner-only rights: whoever reads it can forge sessions.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key + "\n")
    return key
