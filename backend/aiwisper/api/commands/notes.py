"""Meeting notes and questions answered by the notes model."""

from __future__ import annotations

from aiwisper.api.commands.base import Commands
from aiwisper.api.registry import command
from aiwisper.api.results import (
    Deleted,
)
from aiwisper.sessions import library
from aiwisper.summaries import store as summary_store
from aiwisper.summaries.ask import Answer, check_question
from aiwisper.summaries.store import SummaryInfo


class NoteCommands(Commands):
    """Meeting notes and questions answered by the notes model."""

    @command("summaries.create")
    def summaries_create(
        self, session_id: str, template: str = "notes", prompt: str = "", language: str = ""
    ) -> SummaryInfo:
        """Queue a summary of a session: template "notes" (overview, topics, decisions, action items and open
        questions, each point cited by time), "decisions", "action_items" or "custom" (with `prompt`), written in
        `language` (a Whisper code; "": the meeting's own); its tokens stream as summary_token events."""
        return self.summaries().create(library.check_session_id(session_id), template, prompt, language)

    @command("ask")
    def ask(self, question: str, session_id: str = "") -> Answer:
        """Answer a question from a session's transcript (or from every session's, with no id) with the notes model;
        the answer cites the times it comes from, and `sources` lists them to play."""
        sid = library.check_session_id(session_id) if session_id else ""
        asked = check_question(question)
        self.services.index.embedder.require()
        self.services.index.wait_idle(120)  # what was just transcribed or imported is searchable
        return self.summaries().ask(asked, self.services.index.embedder.queries([asked])[0], sid)

    @command("summaries.list")
    def summaries_list(self, session_id: str) -> list[SummaryInfo]:
        """A session's summaries, newest first."""
        sid = library.check_session_id(session_id)
        return self.db.read(lambda c: summary_store.of_session(c, sid))

    @command("summaries.cancel")
    def summaries_cancel(self, summary_id: str) -> SummaryInfo:
        """Stop a queued or running summary (its text so far is kept)."""
        return self.summaries().cancel(summary_id)

    @command("summaries.delete")
    def summaries_delete(self, summary_id: str) -> Deleted:
        self.db.write(lambda c: summary_store.delete(c, summary_id))
        return Deleted(summary_id)
