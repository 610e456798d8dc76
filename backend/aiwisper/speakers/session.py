"""Diarizing a stored session: the worker finds the turns in its audio, the segments get their speakers.

A call records mic and system: the mic is the user ("Me"), so only the system channel's voices are clustered.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from aiwisper.errors import AiwisperError, InvalidArgumentError
from aiwisper.sessions import store
from aiwisper.speakers import store as speakers
from aiwisper.speakers import voices
from aiwisper.speakers.worker import DiarizationWorker
from aiwisper.storage.db import Database

log = logging.getLogger(__name__)
MAX_SPEAKERS = 20


class SessionBusyError(AiwisperError):
    """The session is still being recorded or imported."""

    code = "busy"


def check_speakers(value: str | int | None) -> int | None:
    """ "auto"/None → None (found automatically), else a count of 1 to 20; anything else is refused."""
    if value is None or value == "auto":
        return None
    try:
        n = int(value)
    except ValueError:
        raise InvalidArgumentError(f"speakers must be 'auto' or a number, not {value!r}") from None
    if not 1 <= n <= MAX_SPEAKERS:
        raise InvalidArgumentError(f"speakers must be 1 to {MAX_SPEAKERS}")
    return n


def diarize_session(
    db: Database, data_dir: Path, worker: DiarizationWorker, session_id: str, count: int | None = None
) -> int:
    """Find who spoke when in a finished session and label its segments; returns the number of speakers."""
    session = db.read(lambda c: store.get_session(c, session_id))
    if session.status in (store.Status.RECORDING, store.Status.IMPORTING):
        raise SessionBusyError("the session is still being recorded or imported")
    source = "system" if "system" in session.sources else session.sources[0]
    wav = data_dir / session.audio_file
    turns, found = worker.diarize_voices(wav, session.sources.index(source), count)
    if source == "system" and "mic" in session.sources:  # a call: the microphone is the user, who is "Me"
        mine = worker.voice(wav, session.sources.index("mic"))
        if mine is not None:
            db.write(lambda c: voices.teach_once(c, voices.ME, np.asarray(mine, np.float32), session_id))
    speakers_found = db.write(lambda c: speakers.save_turns(c, session_id, source, turns, found))
    log.info("session %s: %d speaker(s) in %d turn(s)", session_id, speakers_found, len(turns))
    return speakers_found
