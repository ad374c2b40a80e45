"""Benchmark: PDF text extraction with pypdf (through wissen.extract) against pdftotext.

For every PDF in ../shared/testdata/pdf-de: pages per second and peak memory (maximum
resident set size) of the process doing the work, measured in the same run for

- pypdf: the child process the worker uses (``python -m wissen.extract.child``),
  including its start-up, the text cleaning and the JSON hand-over;
- pdftotext (poppler-utils) as the speed reference, text to a pipe.

Each child is reaped with ``os.wait4``, which returns that one child's resource usage
(``ru_maxrss``); ``getrusage(RUSAGE_CHILDREN)`` only knows the maximum over all children
so far. Linux counts the parent's resident size at fork/exec into a child's maximum, so
this script imports nothing beyond the standard library and keeps itself small: its own
~10 MB are the floor of every figure, for both tools alike. Run from the repository root:

    .venv/bin/python bench/extract.py [--dir PATH] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO.parent / "shared" / "testdata" / "pdf-de"
PDF = "application/pdf"
# No limit may cut a measurement short; the worker's defaults are not what is measured.
BENCH_LIMITS = {"timeout_seconds": 3600, "memory_mb": 4096}


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    output: Path  # read only after all measuring, so that this process stays small


@dataclass(frozen=True)
class Result:
    name: str
    pages: int  # pypdf's count
    pdftotext_pages: int  # form feeds in pdftotext's output: a cross-check
    pypdf: Run
    pdftotext: Run


def measure(command: list[str], output: Path) -> Run:
    """Wall seconds and peak RSS in MB of one child process writing to ``output``."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    started = time.perf_counter()
    with output.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
    return Run(seconds, usage.ru_maxrss / 1024, output)  # Linux reports kilobytes


def run_pypdf(path: Path, output: Path) -> Run:
    limits = json.dumps(BENCH_LIMITS)
    return measure([sys.executable, "-m", "wissen.extract.child", str(path), PDF, limits], output)


def run_pdftotext(path: Path, output: Path) -> Run:
    return measure(["pdftotext", "-q", "-enc", "UTF-8", str(path), "-"], output)


def median_run(runs: list[Run]) -> Run:
    """The median run by time: steadier than one run, honest about memory."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def pypdf_pages(output: Path) -> int:
    result = json.loads(output.read_bytes())
    return len(result["pages"]) if result.get("ok") else 0


def pdftotext_pages(output: Path) -> int:
    return output.read_bytes().count(b"\f")  # one form feed after every page


def startup_seconds() -> float:
    """What the child costs before it reads anything: interpreter plus imports."""
    command = [sys.executable, "-c", "import wissen.extract.child, wissen.extract.pdf"]
    started = time.perf_counter()
    subprocess.run(command, check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    return time.perf_counter() - started


def rate(pages: int, run: Run) -> float:
    return pages / run.seconds if run.seconds else 0.0


def print_row(result: Result) -> None:
    pypdf, poppler, pages = result.pypdf, result.pdftotext, result.pages
    ratio = pypdf.seconds / poppler.seconds if poppler.seconds else float("nan")
    print(
        f"{result.name[:44]:44} {pages:5} {result.pdftotext_pages:5} "
        f"{pypdf.seconds:8.2f} {rate(pages, pypdf):8.1f} {pypdf.peak_mb:7.0f} "
        f"{poppler.seconds:8.3f} {rate(pages, poppler):8.1f} {poppler.peak_mb:7.0f} {ratio:7.1f}"
    )


def print_summary(results: list[Result]) -> None:
    import statistics  # imported late: this process must stay small while measuring

    med = statistics.median
    pypdf = [r.pypdf for r in results]
    poppler = [r.pdftotext for r in results]
    ratios = [r.pypdf.seconds / r.pdftotext.seconds for r in results]
    pages = sum(r.pages for r in results)
    total_pypdf = sum(run.seconds for run in pypdf)
    total_poppler = sum(run.seconds for run in poppler)
    print()
    print(f"{'median':44} {'':11} {med(r.seconds for r in pypdf):8.2f} "
          f"{med(rate(r.pages, r.pypdf) for r in results):8.1f} "
          f"{med(r.peak_mb for r in pypdf):7.0f} {med(r.seconds for r in poppler):8.3f} "
          f"{med(rate(r.pages, r.pdftotext) for r in results):8.1f} "
          f"{med(r.peak_mb for r in poppler):7.0f} {med(ratios):7.1f}")  # fmt: skip
    print(f"{'total (peak: maximum)':44} {pages:5} {'':5} {total_pypdf:8.1f} "
          f"{pages / total_pypdf:8.1f} {max(r.peak_mb for r in pypdf):7.0f} "
          f"{total_poppler:8.2f} {pages / total_poppler:8.1f} "
          f"{max(r.peak_mb for r in poppler):7.0f} {total_pypdf / total_poppler:7.1f}")  # fmt: skip
    print(
        f"\nratio pypdf/pdftotext (time): median per file {med(ratios):.1f}, "
        f"over all {pages} pages {total_pypdf / total_poppler:.1f}"
    )


def measure_all(files: list[Path], repeat: int, workdir: Path) -> list[tuple[Run, Run]]:
    runs = []
    for number, path in enumerate(files):
        print(f"  {number + 1}/{len(files)} {path.name}", file=sys.stderr, flush=True)
        pypdf = [run_pypdf(path, workdir / f"{number}-{r}.json") for r in range(repeat)]
        poppler = [run_pdftotext(path, workdir / f"{number}-{r}.txt") for r in range(repeat)]
        runs.append((median_run(pypdf), median_run(poppler)))
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--repeat", type=int, default=1, help="runs per file (median)")
    args = parser.parse_args()
    if shutil.which("pdftotext") is None:
        print("pdftotext fehlt: apt-get install -y poppler-utils", file=sys.stderr)
        return 2
    files = sorted(args.dir.glob("*.pdf"))
    if not files:
        print(f"keine PDFs in {args.dir}", file=sys.stderr)
        return 2
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, child start-up {startup_seconds():.2f} s, "
          f"{len(files)} files, {args.repeat} run(s) each, "
          f"RSS floor (this process) {floor:.0f} MB")  # fmt: skip
    with tempfile.TemporaryDirectory() as workdir:
        runs = measure_all(files, args.repeat, Path(workdir))
        results = [
            Result(path.name, pypdf_pages(a.output), pdftotext_pages(b.output), a, b)
            for path, (a, b) in zip(files, runs, strict=True)
        ]
    print(
        f"\n{'file':44} {'pages':>5} {'p2t':>5} {'pypdf s':>8} {'pages/s':>8} {'MB':>7} "
        f"{'p2t s':>8} {'pages/s':>8} {'MB':>7} {'ratio':>7}"
    )
    for result in results:
        print_row(result)
    print_summary(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
