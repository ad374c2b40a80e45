"""PowerPoint decks (PPTX): one page per slide, the speaker notes included."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from pptx import Presentation
from pptx.enum.shapes import MSO_SHAPE_TYPE

from .base import SLIDE, Deadline, Extraction, Limits
from .clean import clean_title
from .pages import build_extraction
from .zipguard import check_archive


def extract_pptx(path: Path, limits: Limits) -> Extraction:
    check_archive(path, limits)
    deck = Presentation(str(path))
    slides = list(deck.slides)
    title = clean_title(deck.core_properties.title) or _first_slide_title(slides)
    deadline = Deadline(limits)
    return build_extraction(_slide_texts(slides, deadline), title, SLIDE, limits)


def _slide_texts(slides: list, deadline: Deadline) -> Iterator[str]:
    for slide in slides:
        deadline.check()
        parts = list(_shape_texts(slide.shapes))
        # Speaker notes often carry what the slide only hints at; search should find it.
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            parts.append(slide.notes_slide.notes_text_frame.text)
        yield "\n".join(part for part in parts if part.strip())


def _shape_texts(shapes: Iterable) -> Iterator[str]:
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from _shape_texts(shape.shapes)
        elif shape.has_text_frame:
            yield shape.text_frame.text
        elif getattr(shape, "has_table", False):
            for row in shape.table.rows:
                yield " | ".join(cell.text for cell in row.cells)


def _first_slide_title(slides: list) -> str | None:
    if not slides or slides[0].shapes.title is None:
        return None
    return clean_title(slides[0].shapes.title.text_frame.text)
