"""Documents for tests, made here: PDFs with a text layer (one page per string), one with only drawings (as a
scanned page has only an image), an encrypted one, and DOCX through the app's own writer."""

from __future__ import annotations

import io
from pathlib import Path


def _pdf(contents: list[bytes]) -> bytes:
    """A minimal PDF 1.4, one page per content stream, Helvetica for text."""
    n = len(contents)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(f"{4 + 2 * i} 0 R".encode() for i in range(n))
               + f"] /Count {n} >>".encode(),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]  # fmt: skip
    for i, content in enumerate(contents):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >>"
                       f" /Contents {5 + 2 * i} 0 R >>".encode())  # fmt: skip
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def text_pdf(path: Path, pages: list[str]) -> Path:
    def content(text: str) -> bytes:
        lines = [line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") for line in text.splitlines()]
        ops = " ".join(f"({line}) Tj 0 -16 Td" for line in lines)
        return f"BT /F1 12 Tf 72 720 Td {ops} ET".encode("latin-1")

    path.write_bytes(_pdf([content(p) for p in pages]))
    return path


def drawing_pdf(path: Path) -> Path:
    """A page with marks on it and no text, like a scan."""
    path.write_bytes(_pdf([b"0.2 g 72 600 300 100 re f 72 500 m 400 500 l S"]))
    return path


def encrypted_pdf(path: Path, pages: list[str]) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(text_pdf(path, pages)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    with path.open("wb") as f:
        writer.write(f)
    return path


def docx_file(path: Path, title: str, paragraphs: list[str]) -> Path:
    from aiwisper.export_docx import docx

    path.write_bytes(docx(title, [("", p) for p in paragraphs]))
    return path
