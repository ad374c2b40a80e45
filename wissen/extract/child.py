"""One extraction under hard limits, in its own process.

Run by ``extract_isolated`` as ``python -m wissen.extract.child PATH MEDIA_TYPE LIMITS``
(LIMITS as JSON); prints one JSON object on stdout. The limits are set here, by the child
itself, because ``preexec_fn`` is unsafe in a threaded worker.
"""

from __future__ import annotations

import json
import logging
import math
import resource
import sys
from pathlib import Path

from . import wire
from .base import ExtractionError, Failure, Limits
from .run import extract


def main(argv: list[str]) -> int:
    path, media_type, limits_json = argv
    limits = Limits(**json.loads(limits_json))
    apply_limits(limits)
    _configure_logging()
    sys.stdout.buffer.write(_result(Path(path), media_type, limits))
    sys.stdout.flush()
    return 0


def apply_limits(limits: Limits) -> None:
    _lower(resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024, extra=0)
    # A backstop should the parent die: the CPU limit ends the child even then (SIGXCPU,
    # then SIGKILL at the hard limit).
    _lower(resource.RLIMIT_CPU, math.ceil(limits.timeout_seconds) + 1, extra=2)
    _lower(resource.RLIMIT_CORE, 0, extra=0)  # a crash must not litter the disk


def _lower(which: int, value: int, extra: int) -> None:
    _soft, hard = resource.getrlimit(which)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
        extra = min(extra, hard - value)
    resource.setrlimit(which, (value, value + extra))


def _configure_logging() -> None:
    # stderr goes back to the parent's log; pypdf's own warnings about every repaired
    # object would drown what matters (and could fill the pipe by the megabyte).
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s: %(message)s")
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    logging.captureWarnings(True)
    logging.getLogger("py.warnings").setLevel(logging.ERROR)


def _result(path: Path, media_type: str, limits: Limits) -> bytes:
    try:
        return wire.encode(wire.success(extract(path, media_type, limits)))
    except ExtractionError as error:
        return wire.encode(wire.failure(error))
    except MemoryError:
        # Raised while encoding a huge result; the memory is free again once unwound.
        return wire.encode(wire.failure(ExtractionError(Failure.MEMORY, limits)))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
