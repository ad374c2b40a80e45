"""The full-text index. Whoosh lives here and nowhere else: callers get dataclasses.

``SearchIndex`` is the one handle services hold; ``entries`` writes, ``engine`` searches,
``analysis`` is the German chain, ``thesaurus`` the synonyms, ``syntax`` the query language.
"""

from __future__ import annotations

import pickle
import struct
import zlib
from pathlib import Path

from whoosh.index import IndexError as WhooshIndexError

from . import engine, extras, spelling
from .engine import Access, Hit, Outcome, PageHit, Request
from .extras import Completion
from .store import IndexBusy, IndexUnavailable, SearcherPool

__all__ = [
    "Access",
    "Completion",
    "Hit",
    "IndexBusy",
    "IndexUnavailable",
    "Outcome",
    "PageHit",
    "Request",
    "SearchIndex",
]


_DAMAGE = (OSError, EOFError, struct.error, zlib.error, pickle.UnpicklingError, WhooshIndexError)


class SearchIndex:
    """Searching one index folder; one searcher per process, reopened after a change."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)
        self._pool = SearcherPool(self.root)

    def search(self, request: Request) -> Outcome:
        return self._guarded(engine.search, request)

    def _guarded(self, run, *args, **options):
        with self._pool.lease() as searcher:
            try:
                return run(searcher, *args, **options)
            except _DAMAGE as error:
                # Files changed under an open searcher (disk trouble, a hand-made copy):
                # drop it; the caller rebuilds from the database.
                self._pool.discard(searcher)
                raise IndexUnavailable(
                    f"Der Suchindex ist beschädigt ({type(error).__name__})."
                ) from None

    def complete(self, text: str, access: Access, limit: int = 8) -> list[Completion]:
        return self._guarded(extras.complete, text, access, limit)

    def similar(
        self, parent: str, text: str, access: Access, other_region: str = "", limit: int = 5
    ) -> list[str]:
        return self._guarded(
            extras.similar, parent, text, access, other_region=other_region, limit=limit
        )

    def facet_pairs(self, access: Access, first: str, second: str) -> dict[tuple[str, str], int]:
        """Hits per pair of facet values, e.g. (theme, region) → count, as a search by
        both filters would count them for this viewer."""
        return dict(self._guarded(engine.facet_pairs, access, first, second))

    def warm_up(self) -> None:
        """Load word lists and the first searcher now, not on the first visitor's search."""
        from .compounds import split_compound

        split_compound("ehrenamtsstruktur")
        self._guarded(lambda searcher: spelling.prepare(searcher.reader()))
