"""Which file types wissen accepts as documents (judged from the bytes by ``sniff``)."""

from __future__ import annotations

from .registry import SUPPORTED_MEDIA_TYPES

__all__ = ["SUPPORTED_MEDIA_TYPES"]
