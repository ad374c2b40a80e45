"""A minimal PDF writer for benchmark documents: text only, no dependency.

Every page is set in the standard Helvetica font with ``WinAnsiEncoding`` (cp1252), so
pypdf extracts umlauts, ß, „quotes“ and dashes exactly; a character outside cp1252 becomes
``?``. Content streams are Flate-compressed like those of office programs. The layout is
plain: a title line, then the page's lines from the top, one ``T*`` per line.
"""

from __future__ import annotations

import zlib
from pathlib import Path

A4_PORTRAIT = (595, 842)
SLIDE_16_9 = (842, 474)
FONT_SIZE = 10
LEADING = 13
MARGIN = 50


def _pdf_string(text: str) -> bytes:
    raw = text.encode("cp1252", errors="replace")
    return b"(" + raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _content_stream(title: str, lines: list[str], size: tuple[int, int]) -> bytes:
    top = size[1] - MARGIN
    parts = [b"BT", b"/F2 14 Tf", f"{MARGIN} {top} Td".encode(), _pdf_string(title) + b" Tj"]
    parts += [f"/F1 {FONT_SIZE} Tf {LEADING} TL T* T*".encode()]
    parts += [_pdf_string(line) + b" Tj T*" for line in lines]
    parts.append(b"ET")
    return b"\n".join(parts)


class _Objects:
    """PDF objects numbered in the order they are added; ``render`` adds the xref table."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    def add(self, body: bytes) -> int:
        self.bodies.append(body)
        return len(self.bodies)

    def set(self, number: int, body: bytes) -> None:
        self.bodies[number - 1] = body

    def render(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.bodies, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.bodies) + 1}\n0000000000 65535 f \n".encode()
        out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
        trailer = f"trailer\n<< /Size {len(self.bodies) + 1} /Root {root} 0 R /Info {info} 0 R >>"
        out += trailer.encode() + f"\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


def _font(name: str) -> bytes:
    return (
        f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode()
    )


def pdf_bytes(title: str, pages: list[list[str]], size: tuple[int, int] = A4_PORTRAIT) -> bytes:
    """A PDF with one page per entry of ``pages`` (each a list of text lines)."""
    objects = _Objects()
    catalog = objects.add(b"")
    tree = objects.add(b"")
    regular = objects.add(_font("Helvetica"))
    bold = objects.add(_font("Helvetica-Bold"))
    resources = f"<< /Font << /F1 {regular} 0 R /F2 {bold} 0 R >> >>"
    kids = []
    for number, lines in enumerate(pages, start=1):
        stream = zlib.compress(_content_stream(f"{title} – {number}", lines, size))
        head = f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode()
        content = objects.add(head + stream + b"\nendstream")
        page = (
            f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 {size[0]} {size[1]}] "
            f"/Resources {resources} /Contents {content} 0 R >>"
        )
        kids.append(objects.add(page.encode()))
    refs = " ".join(f"{kid} 0 R" for kid in kids)
    objects.set(tree, f"<< /Type /Pages /Kids [{refs}] /Count {len(kids)} >>".encode())
    objects.set(catalog, f"<< /Type /Catalog /Pages {tree} 0 R >>".encode())
    utf16 = ("\ufeff" + title).encode("utf-16-be").hex().upper()
    info = objects.add(f"<< /Title <{utf16}> /Producer (wissen bench) >>".encode())
    return objects.render(catalog, info)


def write_pdf(
    path: Path, title: str, pages: list[list[str]], size: tuple[int, int] = A4_PORTRAIT
) -> None:
    path.write_bytes(pdf_bytes(title, pages, size))
