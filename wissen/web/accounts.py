"""Konten: Verwaltung der Konten unter /-/admin/konten und das eigene Konto unter /-/konto."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("accounts", __name__)
