"""What every group of commands shares: the services they call, and the few checks several of them make."""

from __future__ import annotations

from aiwisper.api.dialogs import Dialogs, DialogsUnavailableError
from aiwisper.errors import AiwisperError
from aiwisper.export import render
from aiwisper.languages import check_language
from aiwisper.services import Services
from aiwisper.sessions import library, speaker_names, store
from aiwisper.sessions import memo as memos
from aiwisper.summaries import store as summary_store
from aiwisper.summaries.service import SummaryService
from aiwisper.transcription.service import TranscriptionService


class Commands:
    """A group of commands of one domain: methods marked `@command(name)`, each a few lines calling a service."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db

    def transcriber(self) -> TranscriptionService:
        if self.services.transcriber is None:
            raise AiwisperError("transcription is off in this process")
        return self.services.transcriber

    def summaries(self) -> SummaryService:
        if self.services.summaries is None:
            raise AiwisperError("summaries are not available in this mode")
        return self.services.summaries

    def dialogs(self) -> Dialogs:
        if self.services.dialogs is None:
            raise DialogsUnavailableError("native file dialogs exist only in the desktop window")
        return self.services.dialogs

    def check_combination(self, model: str, language: str) -> None:
        """Refuses a default model that cannot transcribe the default language."""
        self.services.registry.resolve(model or None, check_language(language))


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
