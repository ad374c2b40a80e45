"""Extraction in a child process that can be killed: the way the worker reads files.

A hostile file may loop, allocate without end or crash a parser; in a child process that
costs the child, never the worker. The child limits its own memory and CPU time; this
side enforces the wall-clock timeout and turns every way of dying into a German reason.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from . import wire
from .base import Extraction, ExtractionError, Failure, Limits
from .registry import SUPPORTED_MEDIA_TYPES
from .run import check_size

log = logging.getLogger(__name__)

# The directory that contains the `wissen` package, so the child imports this same code.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class _Outcome:
    returncode: int
    stdout: bytes
    stderr: bytes
    timed_out: bool


def extract_isolated(
    path: Path, media_type: str | None, limits: Limits | None = None
) -> Extraction:
    """Like ``extract``, but in a child process bounded in time and memory."""
    limits = limits or Limits()
    path = Path(path)
    if media_type not in SUPPORTED_MEDIA_TYPES:
        raise ExtractionError(Failure.UNSUPPORTED, limits, detail=str(media_type))
    check_size(path, limits)
    outcome = _run_child(path.resolve(), media_type, limits)
    _log_child_output(path, outcome.stderr)
    return _interpret(outcome, limits)


def _run_child(path: Path, media_type: str, limits: Limits) -> _Outcome:
    command = [sys.executable, "-m", "wissen.extract.child", str(path), media_type]
    command.append(json.dumps(asdict(limits)))
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: a kill reaches helpers it started
        env=_child_environment(),
    )
    try:
        stdout, stderr = process.communicate(timeout=limits.timeout_seconds)
        return _Outcome(process.returncode, stdout, stderr, timed_out=False)
    except subprocess.TimeoutExpired:
        _kill_group(process.pid)
        stdout, stderr = process.communicate()
        return _Outcome(process.returncode, stdout, stderr, timed_out=True)
    except BaseException:
        _kill_group(process.pid)  # never leave a child behind, not even on Ctrl-C
        process.wait()
        raise


def _child_environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(_PROJECT_ROOT), env.get("PYTHONPATH", "")) if part
    )
    return env


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def _interpret(outcome: _Outcome, limits: Limits) -> Extraction:
    if outcome.timed_out or outcome.returncode == -signal.SIGXCPU:
        raise ExtractionError(Failure.TIMEOUT, limits)
    result = wire.decode(outcome.stdout, limits)
    if isinstance(result, Extraction):
        return result
    if isinstance(result, ExtractionError):
        raise result
    # No usable answer: the child died. SIGKILL that we did not send is the kernel's
    # out-of-memory killer; a MemoryError escaping Python's start-up is the rlimit.
    if outcome.returncode == -signal.SIGKILL or b"MemoryError" in outcome.stderr:
        raise ExtractionError(Failure.MEMORY, limits)
    tail = outcome.stderr[-2000:].decode("utf-8", "replace")
    raise ExtractionError(Failure.CRASHED, limits, detail=f"exit {outcome.returncode}: {tail}")


def _log_child_output(path: Path, stderr: bytes, max_lines: int = 50) -> None:
    lines = stderr.decode("utf-8", "replace").splitlines()
    for line in lines[:max_lines]:
        log.info("%s: %s", path.name, line)
    if len(lines) > max_lines:
        log.info("%s: … %d weitere Zeilen", path.name, len(lines) - max_lines)
