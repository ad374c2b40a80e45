"""The blob store for uploaded originals: content-addressed files under ``uploads/``.

A file is written to a temporary name while it is hashed, then moved into place with an
atomic rename, so a crash never leaves a half-written original under a real name. Names
come from the SHA-256 of the bytes only; a client's file name never becomes a path.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 1024 * 1024


def sha256_of_file(path: Path) -> str:
    """The SHA-256 of a file's content, read in chunks (uploads may be large)."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as stream:
        while chunk := stream.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


class TooLarge(ValueError):
    """The stream is larger than the allowed size."""


@dataclass(frozen=True)
class StagedFile:
    """A file written to the store's temporary area and hashed, not yet in place."""

    path: Path
    sha256: str
    size: int


class BlobStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.tmp = self.root / ".tmp"

    def ensure(self) -> None:
        self.tmp.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / sha256[:2] / sha256

    def stage(self, stream: BinaryIO, max_size: int | None = None) -> StagedFile:
        """Copy ``stream`` to a temporary file while hashing it; raise TooLarge past max."""
        self.ensure()
        digest = hashlib.sha256()
        size = 0
        fd, name = tempfile.mkstemp(dir=self.tmp, prefix="upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise TooLarge(f"larger than {max_size} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            Path(name).unlink(missing_ok=True)
            raise
        return StagedFile(Path(name), digest.hexdigest(), size)

    def stage_path(self, source: Path, max_size: int | None = None) -> StagedFile:
        with source.open("rb") as stream:
            return self.stage(stream, max_size)

    def commit(self, staged: StagedFile) -> Path:
        """Move a staged file into place; an identical blob already there is kept."""
        target = self.path_for(staged.sha256)
        if target.exists():
            staged.path.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged.path, target)
        return target

    def discard(self, staged: StagedFile) -> None:
        staged.path.unlink(missing_ok=True)

    def copy_to(self, sha256: str, target: Path) -> None:
        shutil.copyfile(self.path_for(sha256), target)

    def delete(self, sha256: str) -> None:
        self.path_for(sha256).unlink(missing_ok=True)
