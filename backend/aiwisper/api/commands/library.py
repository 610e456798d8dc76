"""Imports, native file dialogs, documents, background jobs and search."""

from __future__ import annotations

from pathlib import Path

from aiwisper.api.commands.base import Commands, export_bytes
from aiwisper.api.dialogs import DOCUMENT_TYPES
from aiwisper.api.registry import command
from aiwisper.api.results import (
    Deleted,
    DocumentAdded,
    SavedFile,
)
from aiwisper.documents import library as documents
from aiwisper.documents.library import DocumentDetail, DocumentInfo
from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.events import JobUpdated
from aiwisper.export import ExportFormat
from aiwisper.sessions.library import SearchHit


class LibraryCommands(Commands):
    """Imports, native file dialogs, documents, background jobs and search."""

    @command("files.import")
    def files_import(self, paths: list[str], model: str | None = None, language: str | None = None) -> list[JobUpdated]:
        """Queue files (local paths) for import and transcription, in order."""
        if not paths:
            raise InvalidArgumentError("no files given")
        jobs = self.transcriber().import_files([Path(p) for p in paths], model, language or "default")
        return [j.event() for j in jobs]

    @command("dialog.import_files")
    def dialog_import_files(self, model: str | None = None, language: str | None = None) -> list[JobUpdated]:
        """Desktop: choose files in the system's open dialog and import them (nothing when cancelled)."""
        chosen = self.dialogs().open_files()
        return self.files_import(chosen, model, language) if chosen else []

    @command("dialog.save_export")
    def dialog_save_export(self, session_id: str, format: ExportFormat = "txt") -> SavedFile:
        """Desktop: save the transcript where the user chooses in the system's save dialog."""
        data, _, name = export_bytes(self.services, session_id, format)
        target = self.dialogs().save_file(name)
        if not target:
            return SavedFile(None)
        path = Path(target)
        tmp = path.with_name(f".{path.name}.part")
        try:
            tmp.write_bytes(data)
            tmp.replace(path)  # never a half-written file under the chosen name
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise AiwisperError(f"could not save {path.name}: {e.strerror or e}") from e
        return SavedFile(str(path))

    @command("documents.add")
    def documents_add(self, paths: list[str]) -> list[DocumentAdded]:
        """Add documents (PDF, DOCX, TXT, Markdown) beside the sessions; each file gets its document or its error."""
        if not paths:
            raise InvalidArgumentError("no files given")
        out = []
        for p in paths:
            try:
                out.append(DocumentAdded(p, documents.add_file(self.db, self.services.data_dir, Path(p)), None))
            except AiwisperError as e:
                out.append(DocumentAdded(p, None, str(e)))
        self.services.index.wake()
        return out

    @command("dialog.add_documents")
    def dialog_add_documents(self) -> list[DocumentAdded]:
        """Desktop: choose documents in the system's open dialog and add them (nothing when cancelled)."""
        chosen = self.dialogs().open_files(DOCUMENT_TYPES)
        return self.documents_add(chosen) if chosen else []

    @command("documents.list")
    def documents_list(self) -> list[DocumentInfo]:
        """Every document, newest first."""
        return self.db.read(documents.list_documents)

    @command("documents.get")
    def documents_get(self, document_id: str) -> DocumentDetail:
        """A document with its text, passage by passage (with the PDF page of each)."""
        return self.db.read(lambda c: documents.get_document(c, document_id))

    @command("documents.delete")
    def documents_delete(self, document_id: str) -> Deleted:
        """Remove a document and its kept copy (the original file is not touched)."""
        self.db.write(lambda c: documents.delete(c, self.services.data_dir, document_id))
        return Deleted(document_id)

    @command("jobs.list")
    def jobs_list(self) -> list[JobUpdated]:
        """Imports and re-transcriptions with their progress."""
        return [j.event() for j in self.transcriber().jobs()]

    @command("jobs.cancel")
    def jobs_cancel(self, job_id: str) -> JobUpdated:
        """Cancel a queued or running job."""
        return self.transcriber().cancel(job_id).event()

    @command("search")
    def search(self, query: str, limit: int = 50, speaker: str = "", mode: str = "hybrid") -> list[SearchHit]:
        """Search across all sessions (transcripts and memos) and documents, with snippets, times and speakers
        (`speaker`: only theirs). `mode` "hybrid": hits with every word first, then what is nearest in meaning
        (`match` says which); "exact" or "meaning": only one kind."""
        return self.services.index.search(query, limit, speaker, mode)
