"""Recording, and the stored sessions: list, read, rename, delete, export, transcribe again, memo, corrections."""

from __future__ import annotations

import base64
from dataclasses import replace

from aiwisper.api.commands.base import Commands, export_bytes
from aiwisper.api.registry import command
from aiwisper.api.results import (
    Deleted,
    ExportedFile,
)
from aiwisper.errors import AiwisperError
from aiwisper.events import DiarizationUpdated, JobUpdated
from aiwisper.export import ExportFormat
from aiwisper.languages import check_language
from aiwisper.sessions import library, store
from aiwisper.sessions import memo as memos
from aiwisper.sessions.library import SessionDetail, SessionPage
from aiwisper.sessions.memo import Memo
from aiwisper.sessions.recorder import BusyError, RecordConfig, State
from aiwisper.speakers import store as speaker_store
from aiwisper.speakers.session import check_speakers


class SessionCommands(Commands):
    """Recording, and the stored sessions: list, read, rename, delete, export, transcribe again, memo, corrections."""

    @command("sessions.start")
    def sessions_start(
        self,
        mic: str | None = "default", system: str | None = None, title: str | None = None,
        transcribe: bool = True, language: str | None = None, model: str | None = None, vocabulary: str = "",
    ) -> SessionDetail:  # fmt: skip
        """Start recording (language and model default to the settings; a model that can't do the language: refused)."""
        lang = check_language(
            language if language is not None else self.services.settings.text("transcription.language")
        )
        model = model or self.services.settings.text("transcription.model") or None
        lang = self.services.registry.resolve(model, lang)[1]
        cfg = RecordConfig(mic=mic, system=system, title=title, transcribe=transcribe, language=lang, model=model,
                           vocabulary=vocabulary.strip())  # fmt: skip
        self.services.levels.close()  # the device is the recording's now
        s = self.services.recorder.start(cfg)
        return self.db.read(lambda c: library.get_session(c, s.id))

    @command("sessions.stop")
    def sessions_stop(self) -> SessionDetail:
        """Stop the recording; every chunk recorded is still transcribed."""
        s = self.services.recorder.stop()
        return self.db.read(lambda c: library.get_session(c, s.id))

    @command("sessions.list")
    def sessions_list(self, query: str = "", limit: int = 50, offset: int = 0) -> SessionPage:
        """Sessions, newest first; `query` matches titles, transcript and memo words, and speakers' names."""
        page = self.db.read(lambda c: library.list_sessions(c, query, limit, offset))
        finding = self.services.speakers.finding if self.services.speakers is not None else set()
        return replace(page, sessions=[replace(s, finding_speakers=s.id in finding) for s in page.sessions])

    @command("sessions.get")
    def sessions_get(self, session_id: str) -> SessionDetail:
        """A session with its transcript segments and chunks."""
        return self.db.read(lambda c: library.get_session(c, session_id))

    @command("sessions.rename")
    def sessions_rename(self, session_id: str, title: str) -> SessionDetail:
        """Give a session a new title."""
        self.db.write(lambda c: library.rename(c, session_id, title))
        return self.db.read(lambda c: library.get_session(c, session_id))

    @command("sessions.delete")
    def sessions_delete(self, session_id: str) -> Deleted:
        """Delete a session with its audio (not while it records)."""
        sid = library.check_session_id(session_id)
        if self.services.recorder.session_id == sid and self.services.recorder.state is not State.IDLE:
            raise BusyError("this session is recording: stop it first")
        self.db.write(lambda c: library.delete(c, self.services.data_dir, sid))
        return Deleted(sid)

    @command("sessions.export")
    def sessions_export(self, session_id: str, format: ExportFormat = "txt") -> ExportedFile:
        """The transcript as a file: name, mime type and content (base64 for docx)."""
        data, mime, name = export_bytes(self.services, session_id, format)
        if format == "docx":
            return ExportedFile(name, mime, base64=base64.b64encode(data).decode())
        return ExportedFile(name, mime, text=data.decode("utf-8"))

    @command("sessions.retranscribe")
    def sessions_retranscribe(
        self,
        session_id: str, chunk_ids: list[int] | None = None, start_ms: int | None = None, end_ms: int | None = None,
        model: str | None = None, language: str | None = None,
    ) -> JobUpdated:  # fmt: skip
        """Transcribe a chunk, a range or the whole session again; the old text stays until done."""
        sid = library.check_session_id(session_id)
        job = self.transcriber().retranscribe(sid, chunk_ids, start_ms, end_ms, model, language or "default")
        return job.event()

    @command("sessions.diarize")
    def sessions_diarize(self, session_id: str, speakers: int | None = None) -> DiarizationUpdated:
        """Find who spoke when (speakers: how many, or null to find out); names given before are forgotten."""
        sid = library.check_session_id(session_id)
        if self.services.speakers is None:
            raise AiwisperError("speaker detection is off in this process")
        return self.services.speakers.diarize(sid, check_speakers(speakers))

    @command("sessions.set_memo")
    def sessions_set_memo(self, session_id: str, text: str) -> Memo:
        """Save a session's memo (the user's notes; also while it records)."""
        sid = library.check_session_id(session_id)
        memo = self.db.write(lambda c: memos.save(c, sid, text))
        self.services.index.wake()
        return memo

    @command("segments.set_speaker")
    def segments_set_speaker(self, segment_id: int, speaker: int) -> SessionDetail:
        """Say that one segment was said by another speaker of its session."""
        sid = self.db.write(lambda c: speaker_store.reassign(c, segment_id, speaker))
        return self.db.read(lambda c: library.get_session(c, sid))

    @command("segments.edit")
    def segments_edit(self, segment_id: int, text: str) -> store.SegmentRow:
        """Correct a segment's text; the engine's text is kept."""
        row = self.db.write(lambda c: library.edit_segment(c, segment_id, text))
        self.services.index.wake()
        return row
