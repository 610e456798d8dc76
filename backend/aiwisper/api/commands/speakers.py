"""A session's speakers and the voice library."""

from __future__ import annotations

from aiwisper.api.commands.base import Commands
from aiwisper.api.registry import command
from aiwisper.sessions import library
from aiwisper.sessions.library import SessionDetail
from aiwisper.speakers import store as speaker_store
from aiwisper.speakers import voices
from aiwisper.speakers.voices import Voice


class SpeakerCommands(Commands):
    """A session's speakers and the voice library."""

    @command("speakers.rename")
    def speakers_rename(self, session_id: str, speaker: int, name: str) -> SessionDetail:
        """Name a speaker once for the whole session."""
        sid = library.check_session_id(session_id)
        self.db.write(lambda c: speaker_store.rename(c, sid, speaker, name))
        return self.db.read(lambda c: library.get_session(c, sid))

    @command("speakers.merge")
    def speakers_merge(self, session_id: str, keep: int, other: int) -> SessionDetail:
        """Two speakers are one person: `other`'s segments become `keep`'s."""
        sid = library.check_session_id(session_id)
        self.db.write(lambda c: speaker_store.merge(c, sid, keep, other))
        return self.db.read(lambda c: library.get_session(c, sid))

    @command("speakers.unname")
    def speakers_unname(self, session_id: str, speaker: int) -> SessionDetail:
        """A name the voice library gave was wrong: the speaker is "Speaker N" again (name them to teach)."""
        sid = library.check_session_id(session_id)
        self.db.write(lambda c: speaker_store.unname(c, sid, speaker))
        return self.db.read(lambda c: library.get_session(c, sid))

    @command("voices.list")
    def voices_list(self) -> list[Voice]:
        """The voice library: voices remembered across meetings (vectors, never audio), by name."""
        return self.db.read(voices.voices)

    @command("voices.rename")
    def voices_rename(self, name: str, new_name: str) -> list[Voice]:
        """A voice gets another name, and so do the speakers it named."""
        self.db.write(lambda c: voices.rename(c, name, new_name))
        return self.db.read(voices.voices)

    @command("voices.merge")
    def voices_merge(self, name: str, into: str) -> list[Voice]:
        """Two voices are one person: `name` joins `into`."""
        self.db.write(lambda c: voices.merge(c, name, into))
        return self.db.read(voices.voices)

    @command("voices.forget")
    def voices_forget(self, name: str) -> list[Voice]:
        """Delete a voice and the vectors that taught it; names in past sessions stay."""
        self.db.write(lambda c: voices.forget(c, name))
        return self.db.read(voices.voices)
