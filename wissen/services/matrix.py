"""The transfer matrix: themes × regions, how much exists where, as the search counts it.

The counts come from the search index with the viewer's visibility, so that the link in
each cell lands on a search (``/suche?theme=…&region=…``) with exactly that many results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from wissen.models import Region, Theme
from wissen.search import SearchIndex

from .permissions import Viewer
from .search import access_for

LEVELS = 4  # shades of the heat map besides "nothing"


@dataclass(frozen=True)
class Cell:
    theme: Theme
    region: Region
    count: int
    level: int  # 0 = nothing, 1…LEVELS = a darker shade


@dataclass
class TransferMatrix:
    themes: list[Theme]
    regions: list[Region]
    rows: list[list[Cell]]  # one row per theme, one cell per region
    theme_totals: list[int]  # hits per theme over all regions (a hit counts once)
    highest: int

    @property
    def empty(self) -> bool:
        return self.highest == 0


def transfer_matrix(session: Session, index: SearchIndex, viewer: Viewer) -> TransferMatrix:
    """Raises ``IndexUnavailable`` when the index must be rebuilt first."""
    themes = list(session.scalars(select(Theme).order_by(Theme.position, Theme.name)))
    regions = list(session.scalars(select(Region).order_by(Region.name)))
    access = access_for(viewer)
    pairs = index.facet_pairs(access, "theme", "region") if access.audiences else {}
    per_theme = index.facet_pairs(access, "theme", "type") if access.audiences else {}
    highest = max(pairs.values(), default=0)
    rows = [
        [
            Cell(theme, region, n := pairs.get((theme.slug, region.slug), 0), _level(n, highest))
            for region in regions
        ]
        for theme in themes
    ]
    totals = [sum(n for (t, _), n in per_theme.items() if t == theme.slug) for theme in themes]
    return TransferMatrix(themes, regions, rows, totals, highest)


def _level(count: int, highest: int) -> int:
    """Shade on a log scale: one region with 40 reports should not wash out the rest."""
    if count <= 0 or highest <= 0:
        return 0
    if highest == 1:
        return LEVELS
    return 1 + min(LEVELS - 1, int((LEVELS - 1) * math.log(count) / math.log(highest) + 0.5))
