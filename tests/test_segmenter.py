"""The segmenter with the real Silero model: chunks where speech is, none from silence, noise or tones."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.models.registry import ModelRegistry
from aiwisper.segmenter import Chunk, Segmenter, VadOptions
from aiwisper.vad import FRAME, SileroVad

from .speech import JFK_WAV, lj_clips

SR = 16000
Floats = npt.NDArray[np.float32]


@pytest.fixture(scope="module")
def vad_path(registry: ModelRegistry) -> Path:
    return registry.vad_path()


def segment(vad_path: Path, audio: Floats, options: VadOptions | None = None, block: int = 1234) -> list[Chunk]:
    """Feed audio in odd-sized blocks, as capture does."""
    seg = Segmenter(SileroVad(vad_path), options)
    chunks: list[Chunk] = []
    for i in range(0, len(audio), block):
        chunks += seg.push(audio[i : i + block])
    return chunks + seg.finish()


def speech_joined(gap_s: float) -> tuple[Floats, list[tuple[int, int]]]:
    """The LJ clips joined with `gap_s` of silence between them, and where each clip lies."""
    parts: list[Floats] = []
    spans = []
    pos = int(SR * gap_s)
    parts.append(np.zeros(pos, dtype=np.float32))
    for clip in lj_clips():
        audio = read_wav_16k(clip.path)
        spans.append((pos, pos + len(audio)))
        parts += [audio, np.zeros(int(SR * gap_s), dtype=np.float32)]
        pos += len(audio) + int(SR * gap_s)
    return np.concatenate(parts), spans


def covered(chunks: list[Chunk], a: int, b: int) -> float:
    """Fraction of [a, b) inside chunks."""
    mask = np.zeros(b - a, dtype=bool)
    for c in chunks:
        mask[max(c.start, a) - a : max(min(c.end, b) - a, 0)] = True
    return float(mask.mean())


def loud_frames(audio: Floats, db: float = -20.0) -> list[int]:
    """Start samples of 32 ms frames louder than `db` below the clip's peak frame: where the voice is."""
    frames = audio[: len(audio) // FRAME * FRAME].reshape(-1, FRAME)
    rms = np.sqrt(np.mean(frames**2, axis=1)) + 1e-9
    level = 20 * np.log10(rms / rms.max())
    return [i * FRAME for i in np.nonzero(level > db)[0]]


def covered_frames(chunks: list[Chunk], starts: list[int]) -> float:
    return sum(any(c.start <= s and s + FRAME <= c.end for c in chunks) for s in starts) / len(starts)


def test_jfk_speech_is_one_or_more_chunks_covering_it(vad_path: Path) -> None:
    audio = read_wav_16k(JFK_WAV)
    chunks = segment(vad_path, audio)
    assert 1 <= len(chunks) <= 6
    loud = loud_frames(audio)
    assert covered_frames(chunks, loud) > 0.97
    assert all(c.end - c.start <= 20 * SR for c in chunks)
    assert all(a.end <= b.start for a, b in itertools.pairwise(chunks))


def test_lj_clips_with_silences_between(vad_path: Path) -> None:
    audio, spans = speech_joined(gap_s=1.5)
    chunks = segment(vad_path, audio)
    for a, b in spans:
        assert covered(chunks, a, b) > 0.85, (a / SR, b / SR)
    # No chunk lies in a gap, and no chunk bridges two clips (the gaps are longer than min silence).
    for c in chunks:
        mid = (c.start + c.end) // 2
        assert any(a - 0.4 * SR <= mid <= b + 0.4 * SR for a, b in spans), (c.start / SR, c.end / SR)
        assert sum(1 for a, b in spans if c.start < b and c.end > a) == 1
    assert len(spans) <= len(chunks) <= 2 * len(spans)


@pytest.mark.parametrize(
    "name,make",
    [
        ("silence", lambda n: np.zeros(n, dtype=np.float32)),
        ("white noise", lambda n: (np.random.default_rng(7).normal(size=n) * 0.03).astype(np.float32)),
        ("440 Hz tone", lambda n: (0.3 * np.sin(2 * np.pi * 440 * np.arange(n) / SR)).astype(np.float32)),
        ("hum and clicks", lambda n: hum_and_clicks(n)),
    ],
)
def test_no_chunk_without_speech(vad_path: Path, name: str, make: object) -> None:
    assert callable(make)
    audio = make(30 * SR)
    assert segment(vad_path, audio) == [], name


def hum_and_clicks(n: int) -> Floats:
    t = np.arange(n) / SR
    x = 0.05 * np.sin(2 * np.pi * 50 * t) + 0.02 * np.sin(2 * np.pi * 150 * t)
    x[:: SR // 3] += 0.5
    return x.astype(np.float32)


def test_long_speech_is_split_at_pauses_and_kept_whole(vad_path: Path) -> None:
    audio, spans = speech_joined(gap_s=0.15)  # pauses shorter than the minimum silence
    opts = VadOptions(max_chunk_s=12.0)
    chunks = segment(vad_path, audio, opts)
    assert all(c.end - c.start <= 12 * SR + FRAME for c in chunks)
    assert covered(chunks, spans[0][0], spans[-1][1]) > 0.95
    # Every cut falls in a quiet place: inside a pause, or where the level is low.
    for a, b in itertools.pairwise(chunks):
        if a.end == b.start:  # a split, not a close
            cut = a.end
            in_pause = any(spans[i][1] <= cut <= spans[i + 1][0] + FRAME for i in range(len(spans) - 1))
            window = audio[cut - FRAME : cut + FRAME]
            assert in_pause or float(np.sqrt(np.mean(window**2))) < 0.02, cut / SR


def test_silence_counter_and_open_chunk(vad_path: Path) -> None:
    seg = Segmenter(SileroVad(vad_path))
    seg.push(np.zeros(5 * SR, dtype=np.float32))
    assert seg.silence_samples >= 5 * SR - FRAME and seg.open_start is None
    speech = read_wav_16k(JFK_WAV)[: 2 * SR]
    seg.push(speech)
    assert seg.open_start is not None and seg.silence_samples == 0


def test_closing_end_is_known_once_speech_stops_and_matches_the_chunk(vad_path: Path) -> None:
    """While the silence that will close a chunk is still being heard, its end is already known (the live
    transcriber computes the final meanwhile); it is exactly where the chunk then ends."""
    audio = np.concatenate([np.zeros(SR, np.float32), read_wav_16k(JFK_WAV), np.zeros(2 * SR, np.float32)])
    seg = Segmenter(SileroVad(vad_path))
    predicted: list[int] = []
    chunks: list[Chunk] = []
    for i in range(0, len(audio), FRAME):
        closed = seg.push(audio[i : i + FRAME])
        if seg.closing_end is not None and (not predicted or predicted[-1] != seg.closing_end):
            predicted.append(seg.closing_end)
        if closed:
            assert seg.closing_end is None
            chunks += closed
            assert closed[-1].end == predicted[-1]  # the last prediction before the close held
    assert chunks and predicted


def test_the_same_speech_is_cut_the_same_at_any_level(vad_path: Path) -> None:
    """Real clips at −12 and at −65 dBFS RMS, 2 s of digital silence between them: the same chunks, to a frame.

    The quiet copy's lead-in before a word lies below one PCM16 step; the VAD's gain must still hear it as the
    loud copy's is heard, or the word's start is cut (a live recording lost its "And" this way)."""
    from .realspeech import at_level, clip, load

    gap = np.zeros(2 * SR, dtype=np.float32)
    clips = ["fleurs_en_003.ogg", "pocketsphinx_sense_and_sensibility_01_austen_64kb-0870.wav"]
    loud = np.concatenate([part for name in clips for part in (at_level(load(clip(name).path), -12), gap)])
    loud = np.clip(loud, -1, 1)
    for shift in (0, 100, 256):  # the capture starts anywhere against the VAD's 32 ms frames
        audio = np.concatenate([np.zeros(shift, dtype=np.float32), loud])
        cut = {db: segment(vad_path, (audio * np.float32(10 ** (db / 20))).astype(np.float32)) for db in (0, -53)}
        assert len(cut[0]) == len(cut[-53]) == 2, cut
        for a, b in zip(cut[0], cut[-53], strict=True):
            assert abs(a.start - b.start) <= FRAME and abs(a.end - b.end) <= FRAME, cut
