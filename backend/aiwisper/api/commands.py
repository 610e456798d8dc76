"""Every command the UI can call. Each is a few lines calling a service."""

from __future__ import annotations

import base64
from dataclasses import asdict
from pathlib import Path

from aiwisper import __version__, paths
from aiwisper.api.dialogs import DOCUMENT_TYPES, Dialogs, DialogsUnavailableError
from aiwisper.api.registry import Registry
from aiwisper.api.results import (
    AppInfo,
    DefaultModel,
    Deleted,
    DocumentAdded,
    ExportedFile,
    ModelInfo,
    SavedFile,
    SettingChanged,
    SettingInfo,
    SettingValue,
    Watching,
)
from aiwisper.audio.capture import Device
from aiwisper.documents import library as documents
from aiwisper.documents.library import DocumentDetail, DocumentInfo
from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.events import DiarizationUpdated, JobUpdated
from aiwisper.export import ExportFormat, render
from aiwisper.languages import check_language
from aiwisper.logs import log_path
from aiwisper.services import Services
from aiwisper.sessions import library, speaker_names, store
from aiwisper.sessions import memo as memos
from aiwisper.sessions.library import SearchHit, SessionDetail, SessionPage
from aiwisper.sessions.memo import Memo
from aiwisper.sessions.recorder import BusyError, RecordConfig, State
from aiwisper.settings import CHOICES, SETTINGS
from aiwisper.settings_words import shown
from aiwisper.speakers import store as speaker_store
from aiwisper.speakers import voices
from aiwisper.speakers.session import check_speakers
from aiwisper.speakers.voices import Voice
from aiwisper.summaries import store as summary_store
from aiwisper.summaries.ask import Answer, check_question
from aiwisper.summaries.service import SummaryService
from aiwisper.summaries.store import SummaryInfo
from aiwisper.transcription.service import TranscriptionService


def export_bytes(services: Services, session_id: str, fmt: str) -> tuple[bytes, str, str]:
    """(content, mime type, file name) of a session's transcript; shared by the command and the file route."""
    sid = library.check_session_id(session_id)
    session = services.db.read(lambda c: store.get_session(c, sid))
    segments = services.db.read(lambda c: store.segments_of(c, sid))
    stem = "".join(ch if ch.isalnum() or ch in " -_." else "_" for ch in session.title).strip() or "transcript"
    names = services.db.read(lambda c: speaker_names.names(c, sid))
    memo = services.db.read(lambda c: memos.get(c, sid))
    summary = services.db.read(lambda c: summary_store.latest_done(c, sid))
    data, mime = render(session, segments, fmt, names, memo.text, summary.text if summary else "")
    return data, mime, f"{stem}.{fmt}"


def build_registry(services: Services) -> Registry:
    reg = Registry()
    db = services.db

    def transcriber() -> TranscriptionService:
        if services.transcriber is None:
            raise AiwisperError("transcription is off in this process")
        return services.transcriber

    @reg.command("app.info")
    def app_info() -> AppInfo:
        """Version, data folder, default model and anything the user should fix."""
        warnings = []
        try:
            model: str | None = services.registry.default(services.settings["transcription.language"] or "en").name
        except AiwisperError as e:
            model, warnings = None, [str(e)]
        return AppInfo(__version__, str(services.data_dir), model, warnings, services.recorder.session_id,
                       str(log_path(services.data_dir)))  # fmt: skip

    @reg.command("devices.list")
    def devices_list() -> list[Device]:
        """Audio inputs: microphones and system-audio sources."""
        from aiwisper.audio.capture import list_devices

        return list_devices()

    @reg.command("devices.watch_level")
    def devices_watch_level(mic: str = "default") -> Watching:
        """Publish a microphone's level (`mic_level` events) for the next 30 s, while nothing records; ask again to
        go on."""
        services.levels.watch(mic)
        return Watching(mic)

    @reg.command("devices.stop_level")
    def devices_stop_level() -> Watching:
        """Stop publishing the microphone's level (the device is closed)."""
        services.levels.close()
        return Watching(None)

    @reg.command("sessions.start")
    def sessions_start(
        mic: str | None = "default", system: str | None = None, title: str | None = None,
        transcribe: bool = True, language: str | None = None, model: str | None = None, vocabulary: str = "",
    ) -> SessionDetail:  # fmt: skip
        """Start recording (language and model default to the settings; a model that can't do the language: refused)."""
        lang = check_language(language if language is not None else services.settings["transcription.language"])
        model = model or services.settings["transcription.model"] or None
        lang = services.registry.resolve(model, lang)[1]
        cfg = RecordConfig(mic=mic, system=system, title=title, transcribe=transcribe, language=lang, model=model,
                           vocabulary=vocabulary.strip())  # fmt: skip
        services.levels.close()  # the device is the recording's now
        s = services.recorder.start(cfg)
        return db.read(lambda c: library.get_session(c, s.id))

    @reg.command("sessions.stop")
    def sessions_stop() -> SessionDetail:
        """Stop the recording; every chunk recorded is still transcribed."""
        s = services.recorder.stop()
        return db.read(lambda c: library.get_session(c, s.id))

    @reg.command("sessions.list")
    def sessions_list(query: str = "", limit: int = 50, offset: int = 0) -> SessionPage:
        """Sessions, newest first; `query` matches titles, transcript and memo words, and speakers' names."""
        return db.read(lambda c: library.list_sessions(c, query, limit, offset))

    @reg.command("sessions.get")
    def sessions_get(session_id: str) -> SessionDetail:
        """A session with its transcript segments and chunks."""
        return db.read(lambda c: library.get_session(c, session_id))

    @reg.command("sessions.rename")
    def sessions_rename(session_id: str, title: str) -> SessionDetail:
        """Give a session a new title."""
        db.write(lambda c: library.rename(c, session_id, title))
        return db.read(lambda c: library.get_session(c, session_id))

    @reg.command("sessions.delete")
    def sessions_delete(session_id: str) -> Deleted:
        """Delete a session with its audio (not while it records)."""
        sid = library.check_session_id(session_id)
        if services.recorder.session_id == sid and services.recorder.state is not State.IDLE:
            raise BusyError("this session is recording: stop it first")
        db.write(lambda c: library.delete(c, services.data_dir, sid))
        return Deleted(sid)

    @reg.command("sessions.export")
    def sessions_export(session_id: str, format: ExportFormat = "txt") -> ExportedFile:
        """The transcript as a file: name, mime type and content (base64 for docx)."""
        data, mime, name = export_bytes(services, session_id, format)
        if format == "docx":
            return ExportedFile(name, mime, base64=base64.b64encode(data).decode())
        return ExportedFile(name, mime, text=data.decode("utf-8"))

    @reg.command("sessions.retranscribe")
    def sessions_retranscribe(
        session_id: str, chunk_ids: list[int] | None = None, start_ms: int | None = None, end_ms: int | None = None,
        model: str | None = None, language: str | None = None,
    ) -> JobUpdated:  # fmt: skip
        """Transcribe a chunk, a range or the whole session again; the old text stays until done."""
        sid = library.check_session_id(session_id)
        job = transcriber().retranscribe(sid, chunk_ids, start_ms, end_ms, model, language or "default")
        return job.event()

    @reg.command("sessions.diarize")
    def sessions_diarize(session_id: str, speakers: int | None = None) -> DiarizationUpdated:
        """Find who spoke when (speakers: how many, or null to find out); names given before are forgotten."""
        sid = library.check_session_id(session_id)
        if services.speakers is None:
            raise AiwisperError("speaker detection is off in this process")
        return services.speakers.diarize(sid, check_speakers(speakers))

    @reg.command("speakers.rename")
    def speakers_rename(session_id: str, speaker: int, name: str) -> SessionDetail:
        """Name a speaker once for the whole session."""
        sid = library.check_session_id(session_id)
        db.write(lambda c: speaker_store.rename(c, sid, speaker, name))
        return db.read(lambda c: library.get_session(c, sid))

    @reg.command("speakers.merge")
    def speakers_merge(session_id: str, keep: int, other: int) -> SessionDetail:
        """Two speakers are one person: `other`'s segments become `keep`'s."""
        sid = library.check_session_id(session_id)
        db.write(lambda c: speaker_store.merge(c, sid, keep, other))
        return db.read(lambda c: library.get_session(c, sid))

    @reg.command("speakers.unname")
    def speakers_unname(session_id: str, speaker: int) -> SessionDetail:
        """A name the voice library gave was wrong: the speaker is "Speaker N" again (name them to teach)."""
        sid = library.check_session_id(session_id)
        db.write(lambda c: speaker_store.unname(c, sid, speaker))
        return db.read(lambda c: library.get_session(c, sid))

    @reg.command("voices.list")
    def voices_list() -> list[Voice]:
        """The voice library: voices remembered across meetings (vectors, never audio), by name."""
        return db.read(voices.voices)

    @reg.command("voices.rename")
    def voices_rename(name: str, new_name: str) -> list[Voice]:
        """A voice gets another name, and so do the speakers it named."""
        db.write(lambda c: voices.rename(c, name, new_name))
        return db.read(voices.voices)

    @reg.command("voices.merge")
    def voices_merge(name: str, into: str) -> list[Voice]:
        """Two voices are one person: `name` joins `into`."""
        db.write(lambda c: voices.merge(c, name, into))
        return db.read(voices.voices)

    @reg.command("voices.forget")
    def voices_forget(name: str) -> list[Voice]:
        """Delete a voice and the vectors that taught it; names in past sessions stay."""
        db.write(lambda c: voices.forget(c, name))
        return db.read(voices.voices)

    @reg.command("sessions.set_memo")
    def sessions_set_memo(session_id: str, text: str) -> Memo:
        """Save a session's memo (the user's notes; also while it records)."""
        sid = library.check_session_id(session_id)
        memo = db.write(lambda c: memos.save(c, sid, text))
        services.index.wake()
        return memo

    @reg.command("segments.set_speaker")
    def segments_set_speaker(segment_id: int, speaker: int) -> SessionDetail:
        """Say that one segment was said by another speaker of its session."""
        sid = db.write(lambda c: speaker_store.reassign(c, segment_id, speaker))
        return db.read(lambda c: library.get_session(c, sid))

    @reg.command("segments.edit")
    def segments_edit(segment_id: int, text: str) -> store.SegmentRow:
        """Correct a segment's text; the engine's text is kept."""
        row = db.write(lambda c: library.edit_segment(c, segment_id, text))
        services.index.wake()
        return row

    @reg.command("files.import")
    def files_import(paths: list[str], model: str | None = None, language: str | None = None) -> list[JobUpdated]:
        """Queue files (local paths) for import and transcription, in order."""
        if not paths:
            raise InvalidArgumentError("no files given")
        jobs = transcriber().import_files([Path(p) for p in paths], model, language or "default")
        return [j.event() for j in jobs]

    def check_combination(model: str, language: str) -> None:
        """Refuses a default model that cannot transcribe the default language."""
        services.registry.resolve(model or None, check_language(language))

    def dialogs() -> Dialogs:
        if services.dialogs is None:
            raise DialogsUnavailableError("native file dialogs exist only in the desktop window")
        return services.dialogs

    @reg.command("dialog.import_files")
    def dialog_import_files(model: str | None = None, language: str | None = None) -> list[JobUpdated]:
        """Desktop: choose files in the system's open dialog and import them (nothing when cancelled)."""
        chosen = dialogs().open_files()
        return files_import(chosen, model, language) if chosen else []

    @reg.command("dialog.save_export")
    def dialog_save_export(session_id: str, format: ExportFormat = "txt") -> SavedFile:
        """Desktop: save the transcript where the user chooses in the system's save dialog."""
        data, _, name = export_bytes(services, session_id, format)
        target = dialogs().save_file(name)
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

    def summaries() -> SummaryService:
        if services.summaries is None:
            raise AiwisperError("summaries are not available in this mode")
        return services.summaries

    @reg.command("summaries.create")
    def summaries_create(session_id: str, template: str = "notes", prompt: str = "", language: str = "") -> SummaryInfo:
        """Queue a summary of a session: template "notes" (overview, topics, decisions, action items and open
        questions, each point cited by time), "decisions", "action_items" or "custom" (with `prompt`), written in
        `language` (a Whisper code; "": the meeting's own); its tokens stream as summary_token events."""
        return summaries().create(library.check_session_id(session_id), template, prompt, language)

    @reg.command("ask")
    def ask(question: str, session_id: str = "") -> Answer:
        """Answer a question from a session's transcript (or from every session's, with no id) with the notes model;
        the answer cites the times it comes from, and `sources` lists them to play."""
        sid = library.check_session_id(session_id) if session_id else ""
        asked = check_question(question)
        services.index.embedder.require()
        services.index.wait_idle(120)  # what was just transcribed or imported is searchable
        return summaries().ask(asked, services.index.embedder.queries([asked])[0], sid)

    @reg.command("summaries.list")
    def summaries_list(session_id: str) -> list[SummaryInfo]:
        """A session's summaries, newest first."""
        sid = library.check_session_id(session_id)
        return db.read(lambda c: summary_store.of_session(c, sid))

    @reg.command("summaries.cancel")
    def summaries_cancel(summary_id: str) -> SummaryInfo:
        """Stop a queued or running summary (its text so far is kept)."""
        return summaries().cancel(summary_id)

    @reg.command("summaries.delete")
    def summaries_delete(summary_id: str) -> Deleted:
        db.write(lambda c: summary_store.delete(c, summary_id))
        return Deleted(summary_id)

    @reg.command("documents.add")
    def documents_add(paths: list[str]) -> list[DocumentAdded]:
        """Add documents (PDF, DOCX, TXT, Markdown) beside the sessions; each file gets its document or its error."""
        if not paths:
            raise InvalidArgumentError("no files given")
        out = []
        for p in paths:
            try:
                out.append(DocumentAdded(p, documents.add_file(db, services.data_dir, Path(p)), None))
            except AiwisperError as e:
                out.append(DocumentAdded(p, None, str(e)))
        services.index.wake()
        return out

    @reg.command("dialog.add_documents")
    def dialog_add_documents() -> list[DocumentAdded]:
        """Desktop: choose documents in the system's open dialog and add them (nothing when cancelled)."""
        chosen = dialogs().open_files(DOCUMENT_TYPES)
        return documents_add(chosen) if chosen else []

    @reg.command("documents.list")
    def documents_list() -> list[DocumentInfo]:
        """Every document, newest first."""
        return db.read(documents.list_documents)

    @reg.command("documents.get")
    def documents_get(document_id: str) -> DocumentDetail:
        """A document with its text, passage by passage (with the PDF page of each)."""
        return db.read(lambda c: documents.get_document(c, document_id))

    @reg.command("documents.delete")
    def documents_delete(document_id: str) -> Deleted:
        """Remove a document and its kept copy (the original file is not touched)."""
        db.write(lambda c: documents.delete(c, services.data_dir, document_id))
        return Deleted(document_id)

    @reg.command("jobs.list")
    def jobs_list() -> list[JobUpdated]:
        """Imports and re-transcriptions with their progress."""
        return [j.event() for j in transcriber().jobs()]

    @reg.command("jobs.cancel")
    def jobs_cancel(job_id: str) -> JobUpdated:
        """Cancel a queued or running job."""
        return transcriber().cancel(job_id).event()

    @reg.command("search")
    def search(query: str, limit: int = 50, speaker: str = "", mode: str = "hybrid") -> list[SearchHit]:
        """Search across all sessions (transcripts and memos) and documents, with snippets, times and speakers
        (`speaker`: only theirs). `mode` "hybrid": hits with every word first, then what is nearest in meaning
        (`match` says which); "exact" or "meaning": only one kind."""
        return services.index.search(query, limit, speaker, mode)

    @reg.command("models.list")
    def models_list() -> list[ModelInfo]:
        """Installed models with sizes, languages and which is the default."""
        default = services.settings["transcription.model"]
        return [ModelInfo(**asdict(m.record), path=str(m.path), default=m.name == default)
                for m in services.registry.list()]  # fmt: skip

    @reg.command("models.import")
    def models_import(path: str, name: str | None = None) -> ModelInfo:
        """Import a ggml .bin or a faster-whisper folder."""
        from aiwisper.models.install import import_model

        folder = paths.models_dir()
        record = import_model(Path(path), folder, name)
        default = record.name == services.settings["transcription.model"]
        return ModelInfo(**asdict(record), path=str(folder / record.file), default=default)

    @reg.command("summaries.import_model")
    def summaries_import_model(path: str) -> SettingChanged:
        """Copy a GGUF language model (its header checked) into the models folder and summarize with it."""
        from aiwisper.summaries.gguf import import_gguf

        target = import_gguf(Path(path), paths.models_dir())
        services.settings.set("summaries.model", target.name)
        return SettingChanged("summaries.model", services.settings["summaries.model"])

    @reg.command("models.set_default")
    def models_set_default(name: str) -> DefaultModel:
        """Make a model the default (empty name: choose by machine and language)."""
        check_combination(name, services.settings["transcription.language"])
        services.settings.set("transcription.model", name)
        return DefaultModel(name)

    @reg.command("settings.get")
    def settings_get() -> list[SettingInfo]:
        """Every setting with its value, default and help."""
        return [SettingInfo(s.name, services.settings[s.name], s.default, s.help, s.minimum, s.maximum,
                            shown(s.name).group, shown(s.name).label, shown(s.name).unit, list(CHOICES.get(s.name, ())),
                            shown(s.name).advanced) for s in SETTINGS]  # fmt: skip

    @reg.command("settings.set")
    def settings_set(name: str, value: SettingValue) -> SettingChanged:
        """Change one setting (validated against its table entry, and the model against the language)."""
        if name == "transcription.model" and isinstance(value, str):
            check_combination(value, services.settings["transcription.language"])
        if name == "transcription.language" and isinstance(value, str):
            check_combination(services.settings["transcription.model"], value)
        services.settings.set(name, value)
        return SettingChanged(name, services.settings[name])

    return reg
