"""Re-transcription of a session, a chunk or a time range with another model; the second pass after Stop."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from aiwisper.errors import InvalidArgumentError, NotFoundError
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions import store
from aiwisper.sessions.recorder import RecordConfig
from aiwisper.settings import Settings

from .pipeline import SR, Replay, app, speech_with_pauses
from .speech import JFK_WAV, jfk_text, normalize, wer, write_wav


def _consistent(segments: list[store.SegmentRow], chunks: list[store.ChunkRow], duration_ms: int) -> None:
    bounds = {c.id: (c.start_sample * 1000 // SR, c.end_sample * 1000 // SR) for c in chunks}
    for s in segments:
        a, b = bounds[s.chunk_id or 0]
        assert a <= s.start_ms < s.end_ms <= b <= duration_ms, (s, a, b)
        assert all(a <= w["start_ms"] <= w["end_ms"] <= b for w in s.words), s
    assert [s.start_ms for s in segments] == sorted(s.start_ms for s in segments)


def test_whole_session_with_base_replaces_the_text(tmp_path: Path, registry: ModelRegistry) -> None:
    audio, _, reference = speech_with_pauses(pause_s=3.0, clips=2)
    path = write_wav(tmp_path / "talk.wav", audio)
    with app(tmp_path / "data", registry) as (svc, _):
        assert svc.transcriber is not None
        job = svc.transcriber.import_files([path], model="tiny.en-q8_0", language="en")[0]
        assert svc.transcriber.wait_idle(120) and job.session_id is not None
        sid = job.session_id
        before = svc.db.read(lambda c: store.segments_of(c, sid))
        chunks = svc.db.read(lambda c: store.chunks_of(c, sid))
        session = svc.db.read(lambda c: store.get_session(c, sid))

        # While the job runs, the old text stays readable: it is swapped per chunk, never removed first.
        seen_empty = threading.Event()
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                if not svc.db.read(lambda c: store.segments_of(c, sid)):
                    seen_empty.set()
                time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        re = svc.transcriber.retranscribe(sid, model="base-q8_0")
        assert svc.transcriber.wait_idle(180)
        stop.set()
        watcher.join()
        after = svc.db.read(lambda c: store.segments_of(c, sid))
        chunks = svc.db.read(lambda c: store.chunks_of(c, sid))
    assert re.state == "done" and re.progress == 1.0
    assert not seen_empty.is_set()
    assert {s.id for s in after}.isdisjoint({s.id for s in before})
    assert wer([reference], [" ".join(s.text for s in after)]) <= 0.10
    _consistent(after, chunks, session.duration_ms)


def _texts(segments: list[store.SegmentRow], but: int) -> dict[int | None, str]:
    """Each chunk's words, except chunk `but`'s."""
    out: dict[int | None, str] = {}
    for s in segments:
        if s.chunk_id != but:
            out[s.chunk_id] = normalize(f"{out.get(s.chunk_id, '')} {s.text}")
    return out


def test_one_chunk_or_a_range_changes_only_that_part(tmp_path: Path, registry: ModelRegistry) -> None:
    audio, _spans, _ = speech_with_pauses(pause_s=3.0, clips=2)
    path = write_wav(tmp_path / "talk.wav", audio)
    with app(tmp_path / "data", registry) as (svc, rec):
        assert svc.transcriber is not None
        job = svc.transcriber.import_files([path], model="tiny.en-q8_0", language="en")[0]
        assert svc.transcriber.wait_idle(120) and job.session_id is not None
        sid = job.session_id
        chunks = svc.db.read(lambda c: store.chunks_of(c, sid))
        assert len(chunks) >= 2
        before = svc.db.read(lambda c: store.segments_of(c, sid))
        last, first = chunks[-1], chunks[0]

        def redone_after(mark: int) -> set[int]:
            """Which original chunks got new text: the event's chunk, or those it replaced."""
            done: set[int] = set()
            for _, e in rec.of("chunk_transcribed")[mark:]:
                d = e.to_dict()
                done |= set(d["replaced_chunk_ids"]) or {d["chunk_id"]}
            return done

        mark = len(rec.of("chunk_transcribed"))
        svc.transcriber.retranscribe(sid, start_ms=last.start_sample * 1000 // SR + 100, model="base-q8_0")
        assert svc.transcriber.wait_idle(120)
        assert redone_after(mark) == {last.id}
        after = svc.db.read(lambda c: store.segments_of(c, sid))
        # The other chunks' text is untouched (speakers, found meanwhile after the import, may label or split them).
        assert _texts(after, last.id) == _texts(before, last.id)

        mark = len(rec.of("chunk_transcribed"))
        svc.transcriber.retranscribe(sid, chunk_ids=[first.id])
        assert svc.transcriber.wait_idle(120)
        assert redone_after(mark) == {first.id}
        with pytest.raises(NotFoundError, match="no chunk 999"):
            svc.transcriber.retranscribe(sid, chunk_ids=[999])
        with pytest.raises(InvalidArgumentError, match="no speech"):
            svc.transcriber.retranscribe(sid, start_ms=0, end_ms=500)
        with pytest.raises(NotFoundError, match="no model named"):
            svc.transcriber.retranscribe(sid, model="nope")
        with pytest.raises(NotFoundError):
            svc.transcriber.retranscribe("no-such-session")


def test_second_pass_after_stop(tmp_path: Path, registry: ModelRegistry) -> None:
    from aiwisper.audio.wav_read import read_wav_16k

    factory = Replay(read_wav_16k(JFK_WAV), speed=0)
    settings = Settings({"transcription.second_pass_model": "base-q8_0"})
    with app(tmp_path, registry, factory, settings) as (svc, rec):
        assert svc.transcriber is not None
        session = svc.recorder.start(RecordConfig(language="en", model="tiny.en-q8_0"))
        assert factory.sources[0].finished.wait(30)
        svc.recorder.stop()
        assert svc.transcriber.wait_idle(120)
        jobs = [e.to_dict() for _, e in rec.of("job_updated")]
        text = " ".join(s.text for s in svc.db.read(lambda c: store.segments_of(c, session.id)))
    second = [j for j in jobs if j["kind"] == "retranscribe" and j["session_id"] == session.id]
    assert second and second[-1]["state"] == "done"
    assert normalize(text) == normalize(jfk_text())
