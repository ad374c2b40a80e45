"""Index entries for tests that write to a search index directly, without the database."""

from __future__ import annotations

from wissen.search.entries import Entry


def article_entries(number: int, body: str) -> list[Entry]:
    """The one entry an article ``number`` with text ``body`` gets in the index."""
    return [
        Entry(
            parent=f"article:{number}",
            type="article",
            title=f"Artikel {number}",
            stamp=body,
            kind="praxisbeispiel",
            body=body,
        )
    ]
