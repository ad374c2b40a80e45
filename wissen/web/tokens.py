"""API-Tokens: anlegen, einmal zeigen, widerrufen (unter /-/konto/tokens)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("tokens", __name__)
