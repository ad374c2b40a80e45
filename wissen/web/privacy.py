"""Datenschutz: die Seite /datenschutz, Auskunft (JSON) und Löschung."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("privacy", __name__)
