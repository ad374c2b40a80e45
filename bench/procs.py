"""Child processes of the benchmark: servers in their own process group, peak memory.

Every server starts in a new session (its own process group), so that stopping it also
stops what it started (wikmd's indexer process, wissen's extraction children), by the
group id of a process this benchmark started — never by name.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

_started: list[subprocess.Popen] = []


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen:
    """Start a long-running child in its own process group, output into ``log``."""
    with open(log, "ab") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _started.append(process)
    return process


def stop(process: subprocess.Popen, grace: float = 10.0) -> None:
    """SIGTERM to the child's process group, SIGKILL after ``grace`` seconds."""
    if process.poll() is None:
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait(5)
    # Children of the group (e.g. an indexer) may outlive the leader for a moment.
    _signal_group(process, signal.SIGKILL)
    if process in _started:
        _started.remove(process)


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the group id is the child's pid (new session)


def stop_all() -> None:
    for process in list(_started):
        stop(process, grace=5.0)


def wait_http(url: str, process: subprocess.Popen, timeout: float) -> float:
    """Seconds until ``url`` answers 200; raise if the process dies or time runs out."""
    start_time = time.perf_counter()
    while time.perf_counter() - start_time < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: Prozess beendet mit Code {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=5) as answer:
                if answer.status == 200:
                    return time.perf_counter() - start_time
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise TimeoutError(f"{url} antwortet nicht nach {timeout:.0f} s")


# --- memory ----------------------------------------------------------------------------


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def children(pid: int) -> list[int]:
    """All descendants of ``pid`` (from /proc/<pid>/task/*/children)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            for child in (task / "children").read_text().split():
                found.append(int(child))
                found.extend(children(int(child)))
    return found


class MemoryWatch:
    """Samples VmHWM of a process and its descendants twice a second, in a thread.

    VmHWM is the kernel's own peak resident size of a process, so the parent's figure is
    exact; short-lived children are caught only if they live through a sample. The tree
    figure is the largest sum of current resident sizes (VmRSS) seen in one sample.
    """

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        self.pid = pid
        self.interval = interval
        self.main_kb = 0
        self.child_kb: dict[int, int] = {}
        self.tree_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def sample(self) -> None:
        self.main_kb = max(self.main_kb, _status_kb(self.pid, "VmHWM"))
        resident = _status_kb(self.pid, "VmRSS")
        for child in children(self.pid):
            peak = _status_kb(child, "VmHWM")
            self.child_kb[child] = max(self.child_kb.get(child, 0), peak)
            resident += _status_kb(child, "VmRSS")
        self.tree_kb = max(self.tree_kb, resident)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def close(self) -> dict[str, float]:
        self.sample()
        self._stop.set()
        self._thread.join()
        return self.figures()

    def figures(self) -> dict[str, float]:
        peaks = list(self.child_kb.values())
        return {
            "main_mb": round(self.main_kb / 1024, 1),
            "children_max_mb": round(max(peaks, default=0) / 1024, 1),
            "children_seen": len(peaks),
            "tree_rss_max_mb": round(self.tree_kb / 1024, 1),
        }


# --- idleness ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its live descendants."""
    total = 0
    for each in (pid, *children(pid)):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14, 15)
    return total / os.sysconf("SC_CLK_TCK")


def wait_quiet(pid: int, timeout: float, share: float = 0.05, calm: int = 3) -> float:
    """Seconds until the process tree used under ``share`` of a core for ``calm`` seconds.

    Background work (an index merge, a queue of index updates, a git commit) would
    otherwise run during the measurement and count against the searches.
    """
    started = time.perf_counter()
    quiet, before = 0, cpu_seconds(pid)
    while quiet < calm and time.perf_counter() - started < timeout:
        time.sleep(1.0)
        now = cpu_seconds(pid)
        quiet = quiet + 1 if now - before < share else 0
        before = now
    return time.perf_counter() - started


def folder_mb(folder: Path) -> float:
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return round(size / 2**20, 1)


def lock_work(work: Path, program: str) -> IO[str]:
    """One run per work folder: a second one would delete the first one's data folder.
    Keep the returned handle for the whole run; the lock goes with the process."""
    work.mkdir(parents=True, exist_ok=True)
    handle = open(work / f".{program}.lock", "w")  # noqa: SIM115 - held for the whole run
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(f"Another {program}.py run uses {work}; choose another --work.")
    return handle
