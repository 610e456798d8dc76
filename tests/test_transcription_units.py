"""Pure logic of transcription: the live policy, chunk windows, exports; and the batch queue's behaviour."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from aiwisper.export import export, to_srt, to_txt
from aiwisper.models.registry import ModelRegistry
from aiwisper.segmenter import Chunk, ChunkMerger
from aiwisper.sessions import store
from aiwisper.transcription.live import LivePolicy, OpenChunk

from .pipeline import app
from .speech import JFK_WAV

SR = 16000


def test_partial_once_a_second_per_chunk() -> None:
    p = LivePolicy()
    c = OpenChunk("s", "mic", 0, int(0.5 * SR))
    assert p.next_partial([c]) is None  # too short yet
    c.end = int(1.0 * SR)
    assert p.next_partial([c]) is c
    c.end = int(1.5 * SR)
    assert p.next_partial([c]) is None  # less than a second since the last
    c.end = int(2.1 * SR)
    assert p.next_partial([c]) is c
    other = OpenChunk("s", "system", int(1.0 * SR), int(2.1 * SR))
    c.end = int(3.2 * SR)
    assert p.next_partial([c, other]) is other  # the one waiting longest


def test_a_partial_without_words_is_retried_after_a_short_wait() -> None:
    p = LivePolicy()
    c = OpenChunk("s", "mic", 0, int(0.8 * SR))
    assert p.next_partial([c]) is c
    p.no_words(c)  # 0.8 s gave nothing: the next try after 0.3 s more, not a whole second
    c.end = int(1.0 * SR)
    assert p.next_partial([c]) is None
    c.end = int(1.15 * SR)
    assert p.next_partial([c]) is c
    c.end = int(1.5 * SR)  # that one had words: a full interval again
    assert p.next_partial([c]) is None


def test_prompt_continues_after_short_pauses_and_resets_after_silence() -> None:
    p = LivePolicy()
    assert p.prompt("ask not", 10 * SR, 11 * SR) == "ask not"
    assert p.prompt("ask not", 10 * SR, 14 * SR) == ""
    assert p.prompt(None, None, 0) == ""
    assert len(p.prompt("x" * 1000, 0, 0)) == 200


def test_a_final_computed_ahead_is_used_only_when_what_it_did_not_hear_was_quiet() -> None:
    """A final computed while the closing silence went on heard zeros for the end of it: it stands for the chunk
    when that end was room noise (here real speech's own pause, and a hum 50 dB down), not when someone spoke."""
    from aiwisper.asr.types import DecodeOptions, EngineResult
    from aiwisper.audio.wav_read import read_wav_16k
    from aiwisper.transcription.speculation import AFTER, Ahead, Speculation, quiet_tail

    speech = read_wav_16k(JFK_WAV)[: 3 * SR]
    hum = (0.003 * np.sin(np.arange(SR // 8) * 2 * np.pi * 50 / SR)).astype(np.float32)  # about −53 dBFS
    assert quiet_tail(np.concatenate([speech, np.zeros(SR // 8, np.float32)]), 0, len(speech))
    assert quiet_tail(np.concatenate([speech, hum]), 0, len(speech))
    assert not quiet_tail(np.concatenate([speech, speech[SR : SR + SR // 8]]), 0, len(speech))  # words came
    ahead = Speculation()
    key = ("s", "mic", 16_000, 16_000 + len(speech) + SR // 8)
    assert not ahead.due(key, AFTER - 1) and ahead.due(key, AFTER)  # a dip of one VAD frame is no pause
    ahead.begin(key)
    assert not ahead.due(key, AFTER * 4)  # once per chunk and closing end
    options, result = DecodeOptions(), EngineResult([], "en")
    ahead.done(key, Ahead(Path("m"), options, result, 16_000 + len(speech)))
    chunk = np.concatenate([speech, hum])
    assert ahead.take(key, Path("other"), options, chunk) is None  # another engine: computed again
    ahead.done(key, Ahead(Path("m"), options, result, 16_000 + len(speech)))
    assert ahead.take(key, Path("m"), options, chunk) is result
    assert ahead.take(key, Path("m"), options, chunk) is None  # taken once


def test_chunk_windows_join_neighbours_up_to_the_limit() -> None:
    m = ChunkMerger(max_s=10, max_gap_s=2)
    chunks = [Chunk(0, SR * 3), Chunk(SR * 4, SR * 8), Chunk(SR * 9, SR * 12), Chunk(SR * 20, SR * 21)]
    assert m.push(chunks) + m.finish() == [Chunk(0, SR * 8), Chunk(SR * 9, SR * 12), Chunk(SR * 20, SR * 21)]


def _session(sources: list[str]) -> store.SessionRow:
    return store.SessionRow("id", "Call", "2026-11-22T10:00:00.000+00:00", None, 65_000, "done", "recording",
                            sources, "a.wav", SR, "en", None, None)  # fmt: skip


def _seg(start: int, end: int, text: str, source: str) -> store.SegmentRow:
    return store.SegmentRow(1, "id", 1, start, end, text, source, 0.9, None, [])


def test_exports_label_me_and_them_when_both_channels_were_recorded() -> None:
    segs = [_seg(0, 1500, "Hello.", "mic"), _seg(1200, 1200, "Hi there.", "system")]
    assert to_txt(_session(["mic", "system"]), segs, {}) == "Me: Hello.\nThem: Hi there.\n"
    assert to_txt(_session(["mic"]), segs[:1], {}) == "Hello.\n"
    srt = to_srt(_session(["mic", "system"]), segs, {})
    # Overlapping or empty cues are made valid for players.
    assert "00:00:00,000 --> 00:00:01,500" in srt and "00:00:01,500 --> 00:00:01,501" in srt
    doc = json.loads(export(_session(["mic"]), segs[:1], "json"))
    assert doc["segments"][0]["text"] == "Hello." and doc["duration_ms"] == 65_000


def test_batch_in_order_each_cancellable(tmp_path: Path, registry: ModelRegistry) -> None:
    with app(tmp_path, registry) as (svc, rec):
        assert svc.transcriber is not None
        jobs = svc.transcriber.import_files([JFK_WAV, JFK_WAV, JFK_WAV], model="tiny.en-q8_0", language="en")
        svc.transcriber.cancel(jobs[1].id)
        assert svc.transcriber.wait_idle(120)
        states = [j.state for j in jobs]
        sessions = svc.db.read(lambda c: store.list_sessions(c))
    assert states == ["done", "cancelled", "done"]
    assert len(sessions) == 2
    started = [e.to_dict()["job_id"] for _, e in rec.of("job_updated") if e.to_dict()["state"] == "running"]
    assert list(dict.fromkeys(started)) == [jobs[0].id, jobs[2].id]  # in the order queued
    progress = [e.to_dict()["progress"] for _, e in rec.of("job_updated") if e.to_dict()["job_id"] == jobs[0].id]
    assert progress == sorted(progress) and progress[-1] == 1.0


def test_cancel_a_running_import_leaves_no_session(tmp_path: Path, registry: ModelRegistry) -> None:
    from .media import silence_flac

    long = silence_flac(tmp_path / "long.flac", 3600)
    with app(tmp_path / "data", registry) as (svc, _):
        assert svc.transcriber is not None
        job = svc.transcriber.import_files([long], model="tiny.en-q8_0")[0]
        deadline = time.monotonic() + 60
        while job.decoded < 0.05 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert job.state == "running", job.state
        svc.transcriber.cancel(job.id)
        assert svc.transcriber.wait_idle(60)
        assert job.state == "cancelled"
        assert svc.db.read(lambda c: store.list_sessions(c)) == []
    assert not any((tmp_path / "data" / "sessions").iterdir())


def test_language_is_detected_once_per_session(tmp_path: Path, registry: ModelRegistry) -> None:
    with app(tmp_path, registry) as (svc, _):
        assert svc.transcriber is not None
        job = svc.transcriber.import_files([JFK_WAV], model="base-q8_0", language="auto")[0]
        assert svc.transcriber.wait_idle(120) and job.session_id
        session = svc.db.read(lambda c: store.get_session(c, job.session_id or ""))
    assert session.language == "en"
