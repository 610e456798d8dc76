"""The text of a document, as passages that know where they are (a PDF's page, else their order): PDF through
pypdf, DOCX from its XML, text and Markdown as they are. A file that cannot give text says why."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from aiwisper.errors import InvalidArgumentError

KINDS = {".pdf": "pdf", ".docx": "docx", ".txt": "txt", ".md": "md", ".markdown": "md"}
PASSAGE_CHARS = 1200  # passages are cut at paragraph ends near this length
MAX_BYTES = 200 * 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class DocumentError(InvalidArgumentError):
    """A document gave no text: not readable, encrypted, only scanned images, or not a supported kind."""


@dataclass(frozen=True)
class Passage:
    """A piece of a document's text; `page` is the PDF page it is on (1-based), None for other kinds."""

    page: int | None
    text: str


def kind_of(path: Path) -> str:
    kind = KINDS.get(path.suffix.lower())
    if kind is None:
        raise DocumentError(f"{path.name}: not a supported document (PDF, DOCX, TXT or Markdown)")
    return kind


def passages(path: Path) -> list[Passage]:
    """The passages of the document at `path`, in order."""
    kind = kind_of(path)
    if not path.is_file():
        raise DocumentError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise DocumentError(f"{path.name}: larger than {MAX_BYTES // 2**20} MB")
    if kind == "pdf":
        out = _pdf(path)
    elif kind == "docx":
        out = [Passage(None, t) for t in _chunks(_docx_paragraphs(path))]
    else:
        out = [Passage(None, t) for t in _chunks(_text(path).split("\n\n"))]
    if not out:
        raise DocumentError(f"{path.name}: no text in it")
    return out


def _pdf(path: Path) -> list[Passage]:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentError(f"{path.name}: the PDF is encrypted (password protected); save an unprotected copy "
                                "and add that")  # fmt: skip
        pages = [page.extract_text() or "" for page in reader.pages]
    except DocumentError:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as e:
        raise DocumentError(f"{path.name}: not a readable PDF ({type(e).__name__}: {str(e)[:120]})") from e
    if not pages:
        raise DocumentError(f"{path.name}: the PDF has no pages")
    if not any(p.strip() for p in pages):
        raise DocumentError(f"{path.name}: no text layer (a scanned image?); run text recognition (OCR) on it "
                            "first")  # fmt: skip
    out = []
    for number, text in enumerate(pages, 1):
        out += [Passage(number, t) for t in _chunks(re.split(r"\n\s*\n", text))]
    return out


def _docx_paragraphs(path: Path) -> list[str]:
    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("word/document.xml"))
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, OSError) as e:
        raise DocumentError(f"{path.name}: not a readable DOCX ({type(e).__name__})") from e
    return ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in root.iter(f"{W}p")]


def _text(path: Path) -> str:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise DocumentError(f"{path.name}: not a text file (binary data)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _chunks(paragraphs: list[str]) -> list[str]:
    """Paragraphs joined into passages of about PASSAGE_CHARS (a longer paragraph is a passage of its own)."""
    out: list[str] = []
    current = ""
    for para in paragraphs:
        para = " ".join(para.split())
        if not para:
            continue
        if current and len(current) + len(para) + 1 > PASSAGE_CHARS:
            out.append(current)
            current = para
        else:
            current = f"{current}\n{para}" if current else para
    if current:
        out.append(current)
    return out
