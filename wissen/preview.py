"""A PNG of a PDF's first page, made by poppler's pdftoppm when it is installed.

Rendering runs in its own process with limits on time and memory; without pdftoppm there
is simply no preview image, and every other part of wissen works the same.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from wissen.extract.base import Limits

TIMEOUT_SECONDS = 30
WIDTH = 480

# Sets the limits in a fresh interpreter, then becomes pdftoppm (exec keeps them): a
# hostile PDF makes poppler take gigabytes within seconds (pdf.js's bomb_giant.pdf: 2.4 GB
# in 20 s), and that must fail at once instead of pressing on the worker's machine. Not a
# preexec_fn: that is unsafe in a process with threads, as the worker is.
_LIMITED = """
import os, resource, sys
limits = {resource.RLIMIT_AS: int(sys.argv[1]), resource.RLIMIT_CPU: int(sys.argv[2])}
for which, value in limits.items():
    hard = resource.getrlimit(which)[1]
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    resource.setrlimit(which, (value, hard))
os.execvp(sys.argv[3], sys.argv[3:])
"""


def available() -> bool:
    return shutil.which("pdftoppm") is not None


def render_first_page(pdf: Path, target: Path, memory_mb: int = Limits.memory_mb) -> bool:
    """Write the first page of ``pdf`` as a PNG to ``target``; False when that fails.

    pdftoppm may use at most ``memory_mb`` of memory and ``TIMEOUT_SECONDS`` of CPU time.
    """
    if not available():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as work:
        stem = Path(work) / "seite"
        limits = [str(memory_mb * 1024 * 1024), str(TIMEOUT_SECONDS)]
        command = [
            sys.executable,
            "-I",
            "-S",
            "-c",
            _LIMITED,
            *limits,
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
