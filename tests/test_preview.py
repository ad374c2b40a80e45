"""First-page previews made by pdftoppm: made for real PDFs, bounded for hostile ones."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from wissen import preview

from .conftest import TESTDATA

BOMB = TESTDATA / "pdf-hostile" / "pdfjs-bomb_giant.pdf"
LETTER = TESTDATA / "pdf-de" / "briefDIN.pdf"

pytestmark = [
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm fehlt (poppler-utils)"),
    pytest.mark.skipif(not BOMB.is_file(), reason="../shared/testdata fehlt"),
]


def test_a_letter_gets_a_preview_within_the_default_limits(tmp_path: Path) -> None:
    target = tmp_path / "vorschau" / "brief.png"
    assert preview.render_first_page(LETTER, target)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_the_memory_limit_reaches_pdftoppm(tmp_path: Path) -> None:
    # Too little memory for poppler to start at all: proves the limit is applied.
    assert not preview.render_first_page(LETTER, tmp_path / "brief.png", memory_mb=8)
    assert not (tmp_path / "brief.png").exists()


def test_a_rendering_bomb_stays_within_its_memory(tmp_path: Path) -> None:
    # Unbounded, poppler takes gigabytes on this file until the 30 s time limit ends it.
    # Measured in a fresh process, whose only child is pdftoppm.
    measure = (
        "import resource, sys; from pathlib import Path; from wissen import preview; "
        "preview.render_first_page(Path(sys.argv[1]), Path(sys.argv[2]), memory_mb=256); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    command = [sys.executable, "-c", measure, str(BOMB), str(tmp_path / "bombe.png")]
    largest_child_kb = int(subprocess.run(command, capture_output=True, check=True).stdout)
    assert 0 < largest_child_kb < 256 * 1024
