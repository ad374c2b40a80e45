"""Which file types wissen accepts as documents (judged from the bytes by ``sniff``)."""

from __future__ import annotations

from .sniff import PDF

# Text extraction for further types arrives with their extractor modules.
SUPPORTED_MEDIA_TYPES = frozenset({PDF})
