"""Segment files opened without copying them.

Whoosh maps a segment's compound file into memory and opens each part (postings, terms,
columns) as a ``BufferFile`` over that map. Its constructor wraps the part in a
``BytesIO`` at once, and ``BytesIO`` copies a memoryview: every searcher copied the whole
postings file into private memory. At 20,000 articles + 20,000 pages that was 0.3–0.5 s
for the first search of every server thread after each index change, and gigabytes of
resident memory (one copy per thread). Here the part is read in place: by offset
(``get``, what searching mostly does) or through a small read-only file object over the
same memory, which copies only the bytes asked for (headers, pickled blocks).

All threads of a process share one searcher (``store.SearcherPool``), so one part is read
by several threads at once. Reading by offset keeps no state; the file object's position
does, and a posting list is read by ``seek`` then ``read``: each thread gets its own file
object over the same memory, else one thread's ``seek`` moves another's ``read``.
"""

from __future__ import annotations

import io
import threading

from whoosh.filedb import compound, structfile


class LazyBufferFile(structfile.BufferFile):
    def __init__(self, buf, name=None, onclose=None) -> None:
        self._buf = buf
        self._name = name
        self._local = threading.local()
        self._readers: list[io.RawIOBase] = []  # every thread's, to close them all
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    @property
    def file(self):
        reader = getattr(self._local, "reader", None)
        if reader is None:
            reader = self.file = MemoryReader(self._buf)
        return reader

    @file.setter
    def file(self, value) -> None:
        self._local.reader = value
        self._readers.append(value)  # list.append is atomic: no lock needed

    def close(self) -> None:
        if self.is_closed:
            raise Exception("This file is already closed")  # as Whoosh raises it
        if self.onclose:
            self.onclose(self)
        for reader in self._readers:
            reader.close()
        self.is_closed = True


class MemoryReader(io.RawIOBase):
    """A read-only, seekable file over a memoryview; reading copies only what is read."""

    def __init__(self, buf) -> None:
        super().__init__()
        self._view = memoryview(buf)
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        chunk = self._view[self._pos : self._pos + len(target)]
        target[: len(chunk)] = chunk
        self._pos += len(chunk)
        return len(chunk)

    def read(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else self._pos + size
        chunk = bytes(self._view[self._pos : end])
        self._pos += len(chunk)
        return chunk

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: len(self._view)}[whence]
        self._pos = max(base + offset, 0)
        return self._pos

    def tell(self) -> int:
        return self._pos


def install() -> None:
    """Let Whoosh's compound storage open its parts as ``LazyBufferFile``."""
    compound.BufferFile = LazyBufferFile
