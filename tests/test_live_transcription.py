"""Live: speech replayed at real-time pace through the whole pipeline gives partials, then finals."""

from __future__ import annotations

from pathlib import Path

from aiwisper.events import ChunkTranscribed, PartialTranscript, SessionUpdated
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions import store
from aiwisper.sessions.recorder import RecordConfig

from .pipeline import SR, Replay, app, count_trips, speech_with_pauses
from .speech import normalize, wer, write_wav


def test_partials_then_finals_matching_the_file_transcription(tmp_path: Path, registry: ModelRegistry) -> None:
    audio, spans, reference = speech_with_pauses(clips=2)
    factory = Replay(audio, speed=1.0)
    with app(tmp_path, registry, factory) as (svc, rec):
        assert svc.transcriber is not None
        trips = count_trips(svc.db)
        session = svc.recorder.start(RecordConfig(language="en", model="tiny.en-q8_0"))
        assert factory.sources[0].finished.wait(120)
        during = len(trips)  # the database trips while recording, and the live chunks transcribed meanwhile
        live_finals = sum(1 for _, e in rec.of("chunk_transcribed") if isinstance(e, ChunkTranscribed))
        svc.recorder.stop()  # (in the replay's last pause: its last chunk was done live)
        assert svc.transcriber.wait_idle(120)
        told = [e for _, e in rec.of("session_updated") if isinstance(e, SessionUpdated) and e.session_id == session.id]
        segments = svc.db.read(lambda c: store.segments_of(c, session.id))
        chunks = svc.db.read(lambda c: store.chunks_of(c, session.id))

        # Live finals carry the words a file transcription finds (same model).
        file_job = svc.transcriber.import_files(
            [write_wav(tmp_path / "same-audio.wav", audio)], model="tiny.en-q8_0", language="en"
        )[0]
        assert svc.transcriber.wait_idle(120) and file_job.state == "done"
        assert file_job.session_id is not None
        file_text = " ".join(s.text for s in svc.db.read(lambda c: store.segments_of(c, file_job.session_id)))

    # A live chunk is stored once by the recorder and once with its text: nothing else is read back (a session's
    # row and the first chunk's missing predecessor are read once per recording).
    assert live_finals >= 3 and during <= 2 * live_finals + 3, (during, live_finals, trips[:during])

    # The stopped session is seen finished with nothing left to transcribe: its notes and speakers start on that.
    assert any(e.status in store.FINISHED and e.pending_chunks == 0 for e in told), told[-3:]

    live_text = " ".join(s.text for s in segments)
    assert wer([reference], [live_text]) <= 0.10, live_text
    assert wer([file_text], [live_text]) <= 0.10, (file_text, live_text)
    assert all(c.status == "done" for c in chunks)

    finals = [
        (t, e) for t, e in rec.of("chunk_transcribed") if isinstance(e, ChunkTranscribed) and e.session_id == session.id
    ]
    partials = [(t, e) for t, e in rec.of("partial_transcript") if isinstance(e, PartialTranscript)]
    assert len(finals) == len(chunks) and partials
    # Every chunk spoken for over 4 s showed a partial (same start) before its final text.
    preceded = {f.chunk_id for tf, f in finals if any(p.start_ms == f.start_ms and tp < tf for tp, p in partials)}
    long_chunks = {c.id for c in chunks if c.end_sample - c.start_sample > 4 * SR}
    assert long_chunks and long_chunks <= preceded, (long_chunks, preceded)
    # Partials are provisional, but most already carry words of what was said.
    ref_words = set(normalize(reference).split())
    sharing = [p for _, p in partials if set(normalize(p.text).split()) & ref_words]
    assert len(sharing) >= 0.8 * len(partials), [p.text for _, p in partials]

    # Nothing is transcribed in the pauses: every segment lies on speech.
    for s in segments:
        mid = (s.start_ms + s.end_ms) // 2 * SR // 1000
        assert any(a - SR // 2 <= mid <= b + SR // 2 for a, b in spans), s
