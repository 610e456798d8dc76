"""Who spoke when in a recording: speech regions (pyannote segmentation) → 1.5 s windows → CAM++ embeddings →
clusters → turns; where the segmentation hears two people at once, the second one gets a turn too."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiwisper.speakers import segmentation
from aiwisper.speakers.activity import CELL, Activity, local_speaker, second_speakers, segment, speech_regions
from aiwisper.speakers.campplus import Embedder, fbank
from aiwisper.speakers.cluster import cluster
from aiwisper.speakers.segmentation import FRAME_SIZE, FRAME_STEP, Segmenter

F32 = npt.NDArray[np.float32]
RATE = 16000
HOP = 160  # fbank frame shift (10 ms)
FRAMES = 150  # frames per embedding window (1.5 s)
WINDOW = 400 + (FRAMES - 1) * HOP  # samples that give exactly FRAMES fbank frames
STEP = WINDOW // 3  # each moment is in about three windows
MIN_GAP = 0.25  # seconds; a speaker's turns closer than this are one turn


@dataclass(frozen=True)
class Turn:
    """One speaker talking, in milliseconds; speakers are numbered from 0 in order of first appearance."""

    start_ms: int
    end_ms: int
    speaker: int


def windows(regions: list[tuple[int, int]], total: int) -> list[tuple[int, int, int]]:
    """(region index, first sample, centre sample) of each embedding window: a region shorter than a window gets
    one window around its middle, a longer one windows every STEP with the last one ending at its end."""
    out = []
    for r, (s, e) in enumerate(regions):
        if e - s <= WINDOW:
            first = min(max(0, (s + e) // 2 - WINDOW // 2), max(0, total - WINDOW))
            out.append((r, first, (s + e) // 2))
            continue
        starts = list(range(s, e - WINDOW + 1, STEP))
        if starts[-1] + WINDOW < e:
            starts.append(e - WINDOW)
        out += [(r, st, st + WINDOW // 2) for st in starts]
    return out


def embed_windows(audio: F32, wins: list[tuple[int, int, int]], embedder: Embedder) -> F32:
    feats = fbank(np.pad(audio, (0, max(0, WINDOW - len(audio)))))
    batch = np.zeros((len(wins), FRAMES, 80), np.float32)
    for i, (_, first, _) in enumerate(wins):
        f0 = min(first // HOP, len(feats) - FRAMES)
        w = feats[f0 : f0 + FRAMES]
        batch[i] = w - w.mean(0, keepdims=True)
    return embedder.embed(batch)


def turns_of(
    regions: list[tuple[int, int]], wins: list[tuple[int, int, int]], labels: npt.NDArray[np.int64]
) -> list[Turn]:
    """Each 10 ms of a region goes to the window of that region whose centre is nearest; runs become turns."""
    turns: list[Turn] = []
    for r, (s, e) in enumerate(regions):
        mine = [(c, int(labels[i])) for i, (wr, _, c) in enumerate(wins) if wr == r]
        if not mine:
            continue
        centres = [c for c, _ in mine]
        bounds = [s] + [(int(a) + int(b)) // 2 for a, b in itertools.pairwise(centres)] + [e]
        for (lo, hi), (_, speaker) in zip(itertools.pairwise(bounds), mine, strict=True):
            lo_ms, hi_ms = lo * 1000 // RATE, hi * 1000 // RATE
            if hi_ms <= lo_ms:
                continue
            if turns and turns[-1].speaker == speaker and lo_ms - turns[-1].end_ms <= MIN_GAP * 1000:
                turns[-1] = Turn(turns[-1].start_ms, hi_ms, speaker)
            else:
                turns.append(Turn(lo_ms, hi_ms, speaker))
    return turns


def tiled(feats: F32) -> F32:
    """Embedding windows (n, FRAMES, 80) of `feats`: one, repeated, when shorter; every half window when longer."""
    if len(feats) < FRAMES:
        feats = np.tile(feats, (-(-FRAMES // len(feats)), 1))
    starts = list(range(0, len(feats) - FRAMES + 1, FRAMES // 2))
    if starts[-1] + FRAMES < len(feats):
        starts.append(len(feats) - FRAMES)
    out: F32 = np.stack([w - w.mean(0, keepdims=True) for w in (feats[s : s + FRAMES] for s in starts)])
    return out.astype(np.float32)


def namer(
    audio: F32, act: Activity, emb: F32, labels: npt.NDArray[np.int64], embedder: Embedder
) -> Callable[[int, int, set[int]], int | None]:
    """Names a chunk's local speaker heard only in overlap: the embedding of the fbank frames where the
    segmentation hears them, matched to the nearest clustered speaker not already taken in that chunk."""
    centroids = np.stack([unit_mean(emb[labels == k]) for k in range(int(labels.max()) + 1)])
    feats: list[F32] = []

    def name(chunk: int, speaker: int, taken: set[int]) -> int | None:
        if not feats:
            feats.append(fbank(np.pad(audio, (0, max(0, WINDOW - len(audio))))))
        start = act.starts[chunk]
        mine = feats[0][start // HOP : start // HOP + 1000]
        frame = np.clip(
            np.rint((np.arange(len(mine)) * HOP + 200 - FRAME_SIZE // 2) / FRAME_STEP), 0, segmentation.FRAMES - 1
        )
        heard = local_speaker(act, chunk, speaker)[frame.astype(np.int64)]
        free = [k for k in range(len(centroids)) if k not in taken]
        if heard.sum() < 10 or not free:  # under 0.1 s: nothing to go on
            return None
        vector = unit_mean(embedder.embed(tiled(mine[heard])))
        return max(free, key=lambda k: float(centroids[k] @ vector))

    return name


def with_overlaps(act: Activity, turns: list[Turn], name: Callable[[int, int, set[int]], int | None]) -> list[Turn]:
    """`turns` and, after them, the turns of the second speaker where two talk at once."""
    ms = CELL * 1000 // RATE
    labels = np.full(act.n_cells, -1, np.int64)
    for t in turns:
        labels[t.start_ms // ms : t.end_ms // ms] = t.speaker
    other = second_speakers(act, labels, name)
    out = list(turns)
    edges = np.flatnonzero(np.diff(np.concatenate([[-1], other, [-1]])))
    for a, b in itertools.pairwise(edges):
        if other[a] >= 0:
            out.append(Turn(int(a) * ms, int(b) * ms, int(other[a])))
    return out


def diarize(
    audio: F32, segmenter: Segmenter, embedder: Embedder, speakers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> list[Turn]:  # fmt: skip
    """Speaker turns of 16 kHz mono `audio`; `speakers` fixes the count, None finds it. Overlapped speech has
    two turns at once: the one-speaker turns come first, the second speakers' after them."""
    return diarize_voices(audio, segmenter, embedder, speakers, progress)[0]


def diarize_voices(
    audio: F32, segmenter: Segmenter, embedder: Embedder, speakers: int | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[list[Turn], dict[int, F32]]:  # fmt: skip
    """The turns of `diarize` and each speaker's voice: the unit mean of its windows' unit embeddings."""
    act = segment(audio, segmenter)
    regions = speech_regions(act)
    if progress:
        progress(0.2)
    wins = windows(regions, len(audio))
    if not wins:
        return [], {}
    emb = embed_windows(audio, wins, embedder)
    labels = cluster(emb, speakers)
    if progress:
        progress(0.9)
    turns = with_overlaps(act, turns_of(regions, wins, labels), namer(audio, act, emb, labels, embedder))
    return turns, {k: unit_mean(emb[labels == k]) for k in sorted({t.speaker for t in turns})}


def unit_mean(vectors: F32) -> F32:
    """The mean direction of `vectors`: each scaled to unit length, averaged, scaled to unit length."""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-9)
    mean = unit.mean(0)
    out: F32 = (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)
    return out


def voice_of(audio: F32, segmenter: Segmenter, embedder: Embedder) -> F32 | None:
    """The voice of one person's recording (the microphone of a call): the unit mean of the embeddings of
    every window of its speech; None without speech."""
    wins = windows(speech_regions(segment(audio, segmenter)), len(audio))
    return unit_mean(embed_windows(audio, wins, embedder)) if wins else None


MIN_VOICE_S = 0.8  # seconds of audio under which a range's voice is not told


def voice_of_range(audio: F32, embedder: Embedder) -> F32 | None:
    """The voice of a short stretch that one person said (a live segment): the unit mean of the embeddings of its
    windows (one, repeated, when shorter than a window); None under MIN_VOICE_S."""
    if len(audio) < MIN_VOICE_S * RATE:
        return None
    return unit_mean(embedder.embed(tiled(fbank(audio.astype(np.float32)))))
