"""Documents beside the sessions: PDF (page by page), DOCX, TXT and Markdown are searched with the transcripts and
open at the passage that matched; files that give no text say why, and nothing else is lost."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from aiwisper.documents.extract import DocumentError, passages
from aiwisper.models.registry import ModelRegistry

from .api_client import running
from .docs import docx_file, drawing_pdf, encrypted_pdf, text_pdf
from .pipeline import Replay

PAGES = ["Quarterly plan\nThe budget for the pilot is approved.", "Risks\nThe van broke down on the motorway twice."]


def test_each_kind_gives_its_text_with_where_it_is(tmp_path: Path) -> None:
    pdf = passages(text_pdf(tmp_path / "plan.pdf", PAGES))
    assert [(p.page, "motorway" in p.text) for p in pdf] == [(1, False), (2, True)]
    doc = passages(docx_file(tmp_path / "minutes.docx", "Minutes", ["Ann opened the meeting.", "Bo took notes."]))
    assert "Ann opened the meeting." in doc[0].text and doc[0].page is None
    md = tmp_path / "notes.md"
    md.write_text("# Notes\n\nFirst point.\n\n" + "Long paragraph. " * 200, encoding="utf-8")
    parts = passages(md)
    assert len(parts) == 2 and parts[0].text.startswith("# Notes")  # cut at paragraph ends
    latin = tmp_path / "old.txt"
    latin.write_bytes("Café crème für alle".encode("cp1252"))
    assert passages(latin)[0].text == "Café crème für alle"


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        ("scan.pdf", drawing_pdf, "no text layer"),
        ("locked.pdf", lambda p: encrypted_pdf(p, PAGES), "encrypted"),
        ("broken.pdf", lambda p: p.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 20) and p, "not a readable PDF"),
        ("broken.docx", lambda p: p.write_bytes(b"PK\x03\x04 not really a zip") and p, "not a readable DOCX"),
        ("binary.txt", lambda p: p.write_bytes(b"\x00\x01\x02" * 100) and p, "not a text file"),
        ("empty.md", lambda p: p.write_text("\n\n  \n") and p, "no text in it"),
        ("slides.pptx", lambda p: p.write_bytes(b"x") and p, "not a supported document"),
    ],
)
def test_a_file_without_text_says_why(tmp_path: Path, name: str, make: object, message: str) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    with pytest.raises(DocumentError, match=message):
        passages(path)


def test_documents_are_searched_and_open_at_the_page(tmp_path: Path, registry: ModelRegistry) -> None:
    from aiwisper.audio.wav_read import read_wav_16k

    from .speech import JFK_WAV

    plan = text_pdf(tmp_path / "plan.pdf", PAGES)
    scan = drawing_pdf(tmp_path / "scan.pdf")
    with running(tmp_path / "data", registry, Replay(read_wav_16k(JFK_WAV))) as (client, services):
        added = client.ok("documents.add", paths=[str(plan), str(scan), str(tmp_path / "missing.pdf")])
        assert [a["error"] is None for a in added] == [True, False, False]
        assert "no text layer" in added[1]["error"] and "no such file" in added[2]["error"]
        doc = added[0]["document"]
        assert doc["title"] == "plan.pdf" and doc["pages"] == 2 and doc["kind"] == "pdf"
        hits = client.ok("search", query="motorway", mode="exact")
        assert [(h["kind"], h["document_id"], h["page"]) for h in hits] == [("document", doc["id"], 2)]
        assert "[motorway]" in hits[0]["snippet"]
        detail = client.ok("documents.get", document_id=doc["id"])
        assert "motorway" in detail["passage_list"][hits[0]["position"]]["text"]
        assert [d["id"] for d in client.ok("documents.list")] == [doc["id"]]
        kept = services.data_dir / "documents" / f"{doc['id']}.pdf"
        assert kept.read_bytes() == plan.read_bytes()
        client.error("documents.get", "not_found", document_id="../../etc/passwd")
        client.error("documents.add", "invalid_argument", paths=[])
        assert client.ok("documents.delete", document_id=doc["id"]) == {"deleted": doc["id"]}
        assert client.ok("search", query="motorway", mode="exact") == [] and not kept.exists() and plan.exists()


def test_cli_docs_add_and_search(tmp_path: Path) -> None:
    aiwisper = [sys.executable, "-m", "aiwisper"]
    data = ["--data-dir", str(tmp_path / "data")]
    plan = text_pdf(tmp_path / "plan.pdf", PAGES)
    locked = encrypted_pdf(tmp_path / "locked.pdf", PAGES)
    notes = tmp_path / "notes.txt"
    notes.write_text("Bring the motorway toll receipts.", encoding="utf-8")
    done = subprocess.run([*aiwisper, "docs", "add", str(plan), str(locked), str(notes), *data], capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 2, done.stderr  # one file failed, the others were added
    assert "locked.pdf: the PDF is encrypted" in done.stderr
    assert "plan.pdf: 2 passage(s), 2 page(s)" in done.stdout and "notes.txt: 1 passage(s)" in done.stdout
    found = subprocess.run([*aiwisper, "search", "motorway", *data], capture_output=True, text=True, timeout=120)
    assert found.returncode == 0, found.stderr
    assert "plan.pdf [page 2]" in found.stdout and "notes.txt [passage 1]" in found.stdout
    similar = subprocess.run([*aiwisper, "search", "--semantic", "paperwork for road charges", *data],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert "indexing 3 item(s) for search by meaning" in found.stderr  # the first search indexed what was added
    assert similar.returncode == 0 and "indexing" not in similar.stderr, similar.stderr
    assert any(line.startswith("notes.txt [passage 1] (≈ 0.") for line in similar.stdout.splitlines()[:3])
    none = subprocess.run([*aiwisper, "search", "--exact", "zeppelin", *data], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert none.returncode == 1 and "nothing found" in none.stderr
