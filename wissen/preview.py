"""A PNG of a PDF's first page, made by poppler's pdftoppm when it is installed.

Rendering runs in its own process with a time limit; without pdftoppm there is simply no
preview image, and every other part of wissen works the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 30
WIDTH = 480


def available() -> bool:
    return shutil.which("pdftoppm") is not None


def render_first_page(pdf: Path, target: Path) -> bool:
    """Write the first page of ``pdf`` as a PNG to ``target``; False when that fails."""
    if not available():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        stem = Path(work) / "seite"
        command = [
            "pdftoppm",
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-scale-to",
            str(WIDTH),
            "-singlefile",
            str(pdf),
            str(stem),
        ]
        try:
            subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=True)
        except (subprocess.SubprocessError, OSError):
            return False
        produced = stem.with_suffix(".png")
        if not produced.is_file():
            return False
        os.replace(produced, target)
    return True
