"""Das Protokoll (Audit-Log) für Admins: Filter und CSV-Export."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("audit_log", __name__)
