"""Documents in the library: added (text extracted, the file copied into the data folder), listed, read by
passage, searched, deleted."""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from aiwisper.documents.extract import Passage, kind_of, passages
from aiwisper.errors import NotFoundError
from aiwisper.sessions.library import check_uuid
from aiwisper.sessions.store import now_iso
from aiwisper.storage.db import Database

FOLDER = "documents"


@dataclass(frozen=True)
class DocumentInfo:
    """A document as listed."""

    id: str
    title: str
    kind: str
    bytes: int
    pages: int | None  # PDFs only
    passages: int
    added_at: str


@dataclass(frozen=True)
class PassageInfo:
    position: int
    page: int | None
    text: str


@dataclass(frozen=True)
class DocumentDetail(DocumentInfo):
    """A document with its text, passage by passage."""

    passage_list: list[PassageInfo]


def add_file(db: Database, data_dir: Path, path: Path) -> DocumentInfo:
    """Read `path` (a clear DocumentError if it gives no text) before the write transaction (a long PDF takes a
    while), then keep a copy and index its passages."""
    found = passages(path)
    return db.write(lambda c: add(c, data_dir, path, found))


def add(conn: sqlite3.Connection, data_dir: Path, path: Path, found: list[Passage]) -> DocumentInfo:
    """Keep a copy of `path` and index the passages read from it."""
    kind = kind_of(path)
    doc_id = str(uuid.uuid4())
    rel = f"{FOLDER}/{doc_id}{path.suffix.lower()}"
    (data_dir / FOLDER).mkdir(parents=True, exist_ok=True)
    part = data_dir / f"{rel}.part"
    shutil.copyfile(path, part)
    part.replace(data_dir / rel)
    pages = max((p.page or 0 for p in found), default=0) or None
    conn.execute("INSERT INTO documents (id, title, kind, file, bytes, pages, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 (doc_id, path.name, kind, rel, path.stat().st_size, pages, now_iso()))  # fmt: skip
    conn.executemany("INSERT INTO passages (document_id, position, page, text) VALUES (?, ?, ?, ?)",
                     [(doc_id, i, p.page, p.text) for i, p in enumerate(found)])  # fmt: skip
    return _info(conn, doc_id)


def _info(conn: sqlite3.Connection, doc_id: str) -> DocumentInfo:
    row = conn.execute(
        "SELECT d.*, (SELECT COUNT(*) FROM passages p WHERE p.document_id = d.id) AS n FROM documents d WHERE id = ?",
        (doc_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"no document {doc_id}")
    return DocumentInfo(row["id"], row["title"], row["kind"], row["bytes"], row["pages"], row["n"], row["added_at"])


def list_documents(conn: sqlite3.Connection) -> list[DocumentInfo]:
    ids = [r[0] for r in conn.execute("SELECT id FROM documents ORDER BY added_at DESC").fetchall()]
    return [_info(conn, i) for i in ids]


def get_document(conn: sqlite3.Connection, document_id: str) -> DocumentDetail:
    info = _info(conn, check_uuid(document_id, "document"))
    rows = conn.execute("SELECT position, page, text FROM passages WHERE document_id = ? ORDER BY position",
                        (info.id,)).fetchall()  # fmt: skip
    return DocumentDetail(**vars(info), passage_list=[PassageInfo(r["position"], r["page"], r["text"]) for r in rows])


def delete(conn: sqlite3.Connection, data_dir: Path, document_id: str) -> None:
    doc_id = check_uuid(document_id, "document")
    row = conn.execute("SELECT file FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no document {doc_id}")
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    (data_dir / row["file"]).unlink(missing_ok=True)
