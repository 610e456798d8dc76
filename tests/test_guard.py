"""The hallucination guard: no words from silence, noise or music; the filters on their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from aiwisper.asr.types import Segment, Word
from aiwisper.models.registry import ModelRegistry
from aiwisper.sessions import store
from aiwisper.transcription.guard import (
    GuardOptions,
    clean_text,
    compression_ratio,
    filter_segments,
    guard,
    loop_start,
    repeats,
)

from .pipeline import app
from .speech import write_wav

SR = 16000


def music_like(seconds: int) -> np.ndarray:
    """Chords with harmonics, a beat and a melody: what Whisper likes to caption as words."""
    t = np.arange(seconds * SR) / SR
    out = np.zeros_like(t)
    notes = [261.6, 329.6, 392.0, 440.0, 349.2, 293.7]
    for i in range(seconds * 2):
        seg = slice(i * SR // 2, (i + 1) * SR // 2)
        f = notes[i % len(notes)]
        env = np.exp(-3 * (t[seg] - t[seg][0]))
        for h, amp in ((1, 0.3), (2, 0.15), (3, 0.08), (1.5, 0.1)):
            out[seg] += amp * env * np.sin(2 * np.pi * f * h * t[seg])
        out[seg][:400] += np.random.default_rng(i).normal(0, 0.2, 400)  # drum hit
    return (out / np.abs(out).max() * 0.5).astype(np.float32)


SOUNDS = {
    "silence": lambda: np.zeros(60 * SR, dtype=np.float32),
    "white noise": lambda: (np.random.default_rng(5).normal(0, 0.05, 60 * SR)).astype(np.float32),
    "music-like tones": lambda: music_like(60),
}


def test_sixty_seconds_of_non_speech_give_no_words(tmp_path: Path, registry: ModelRegistry) -> None:
    paths = [write_wav(tmp_path / f"{name}.wav", make()) for name, make in SOUNDS.items()]
    with app(tmp_path / "data", registry) as (svc, _):
        assert svc.transcriber is not None
        jobs = svc.transcriber.import_files(paths, model="tiny.en-q8_0", language="en")
        assert svc.transcriber.wait_idle(300)
        for job in jobs:
            assert job.state == "done" and job.session_id, job
            segments = svc.db.read(lambda c, sid=job.session_id: store.segments_of(c, sid))
            assert segments == [], (job.title, [s.text for s in segments])


def _words(text: str, start: int = 0) -> list[Word]:
    return [Word(w, start + i * 300, start + i * 300 + 250, 0.9) for i, w in enumerate(text.split())]


def test_a_loop_is_cut_back_to_the_words_before_it_and_genuine_repetition_stays() -> None:
    loop = "so we met at the station thank you thank you thank you thank you thank you"
    assert loop_start(loop.split()) == len(["so", "we", "met", "at", "the", "station", "thank", "you"])
    assert loop_start(("I'm going to go " * 4).split()) == 4
    # Back-channels inside real conversation are speech, not a loop.
    talk = "I wonder how many meetings we had yeah, yeah, yeah, yeah that was the last one then"
    assert loop_start(talk.split()) is None
    assert not repeats("ask not what your country can do for you ask what you can do")
    assert not repeats("no, no, no, that is not what I said")
    kept = guard(Segment(0, 6000, loop, -0.3, _words(loop)), GuardOptions()).segment
    assert kept is not None and kept.text == "so we met at the station thank you"
    assert [w.text for w in kept.words][-1] == "you" and kept.end_ms == 7 * 300 + 250
    whole = guard(Segment(0, 9000, talk, -0.4, _words(talk)), GuardOptions()).segment
    assert whole is not None and whole.text == talk
    assert compression_ratio("the " * 18) > 2.4 > compression_ratio("And so my fellow Americans, ask not what your")


def test_annotations_are_dropped_and_low_confidence_is_marked_not_deleted() -> None:
    g = GuardOptions()
    segs = [
        Segment(0, 1000, "[BLANK_AUDIO]", -0.2),
        Segment(1000, 2000, "(music)", -0.3),
        Segment(2000, 3000, "♪♪", -0.3),
        Segment(4000, 5000, "[Music] Ask not what your country can do.", -0.3),
    ]
    kept = filter_segments(segs, g)
    assert [s.text for s in kept] == ["Ask not what your country can do."]
    assert guard(segs[0], g).reason == "no words, only a non-speech annotation"
    unsure = guard(Segment(3000, 4000, "the van broke down on the motorway", -1.6), g)
    assert unsure.segment is not None and unsure.uncertain
    assert clean_text("*laughs* so") == "so"
