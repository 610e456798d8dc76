"""What the segmentation model says about a whole recording: where there is speech, and where two people talk
at once and who they are. Chunks of 10 s every 5 s are read on a 10 ms grid; each cell takes the nearest frame
of every chunk that covers it and averages them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiwisper.speakers.segmentation import CHUNK, FRAME_SIZE, FRAME_STEP, FRAMES, POWERSET, Segmenter

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
CELL = 160  # samples per grid cell (10 ms)
STEP = CHUNK // 2  # every moment is in two chunks
BATCH = 4
SPEECH = 0.5  # share of speech probability that makes a cell speech
BRIDGE = 0.1  # seconds; shorter pauses inside speech are bridged
MIN_REGION = 0.2  # seconds; shorter bursts are dropped
PAIR = 0.3  # mean probability of the pair classes that makes a cell overlapped speech
MIN_NAMED = 10  # cells a local speaker talks alone with a clustered label, to be named by it
SIZES = np.array([len(s) for s in POWERSET])


@dataclass(frozen=True)
class Activity:
    """The segmentation of one recording: `probs[c]` is chunk c's (FRAMES, 7) class probabilities, `cells[c]`
    the index of its frame nearest to each grid cell (-1 outside the chunk)."""

    starts: list[int]
    probs: F32
    cells: I64
    total: int  # samples

    @property
    def n_cells(self) -> int:
        return int(self.cells.shape[1])

    def classes(self) -> I64:
        """(chunks, cells) most likely powerset class of each chunk at each cell (-1 outside the chunk)."""
        best: I64 = np.where(self.cells >= 0, self.probs.argmax(2)[np.arange(len(self.starts))[:, None],
                                                                    np.maximum(self.cells, 0)], -1)  # fmt: skip
        return best

    def mean(self, per_frame: F32) -> F32:
        """Average over the chunks covering each cell of a (chunks, FRAMES) quantity."""
        covered = self.cells >= 0
        rows = np.arange(len(self.starts))[:, None]
        values = np.where(covered, per_frame[rows, np.maximum(self.cells, 0)], 0.0)
        out: F32 = (values.sum(0) / np.maximum(covered.sum(0), 1)).astype(np.float32)
        return out


def segment(audio: F32, segmenter: Segmenter) -> Activity:
    total = len(audio)
    starts = list(range(0, max(1, total - CHUNK + 1), STEP))
    if starts[-1] + CHUNK < total:
        starts.append(total - CHUNK)
    chunks = np.zeros((len(starts), CHUNK), np.float32)
    for i, s in enumerate(starts):
        piece = audio[s : s + CHUNK]
        chunks[i, : len(piece)] = piece
    probs = np.exp(np.concatenate([segmenter(chunks[i : i + BATCH]) for i in range(0, len(chunks), BATCH)]))
    centres = np.arange(total // CELL + 1) * CELL + CELL // 2
    frame = np.rint((centres[None, :] - np.array(starts)[:, None] - FRAME_SIZE // 2) / FRAME_STEP).astype(np.int64)
    inside = (frame >= 0) & (frame < FRAMES) & (centres[None, :] < np.array(starts)[:, None] + CHUNK)
    return Activity(starts, probs.astype(np.float32), np.where(inside, frame, -1), total)


def speech_regions(act: Activity) -> list[tuple[int, int]]:
    """Sample ranges where someone speaks."""
    speech = act.mean(1.0 - act.probs[:, :, 0]) >= SPEECH
    regions: list[tuple[int, int]] = []
    edges = np.flatnonzero(np.diff(np.concatenate([[0], speech.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        s, e = int(a) * CELL, min(int(b) * CELL, act.total)
        if regions and s - regions[-1][1] < BRIDGE * 16000:
            regions[-1] = (regions[-1][0], e)
        else:
            regions.append((s, e))
    return [(s, e) for s, e in regions if e - s >= MIN_REGION * 16000]


def local_speaker(act: Activity, chunk: int, speaker: int) -> npt.NDArray[np.bool_]:
    """(FRAMES,) where chunk `chunk`'s local speaker `speaker` talks (alone or with another)."""
    classes = act.probs[chunk].argmax(1)
    members = [k for k, pair in enumerate(POWERSET) if speaker in pair]
    out: npt.NDArray[np.bool_] = np.isin(classes, members)
    return out


def second_speakers(act: Activity, labels: I64, name: Callable[[int, int, set[int]], int | None]) -> I64:
    """For each cell, the other speaker where two talk at once, else -1. `labels` is each cell's speaker from
    clustering (-1: none). A chunk's local speakers are named by the clustered speaker they match most where they
    talk alone; one heard only with another (a "yeah" under someone's sentence) is named by `name(chunk, local
    speaker, names taken in the chunk)`. Where the chunk hears a pair of them, the member that is not the cell's
    label is the other."""
    classes = act.classes()
    pair_p = act.mean(act.probs[:, :, 4:].sum(2))
    out = np.full(act.n_cells, -1, np.int64)
    for c in range(len(act.starts)):
        names: dict[int, int] = {}
        for j in range(3):
            found = labels[(classes[c] == j + 1) & (labels >= 0)]
            if len(found) >= MIN_NAMED:
                names[j] = int(np.bincount(found).argmax())
        pairs = np.flatnonzero((SIZES[np.maximum(classes[c], 0)] == 2) & (classes[c] >= 0) & (pair_p >= PAIR))
        heard = {j for cell in pairs for j in POWERSET[int(classes[c][cell])]}
        for j in sorted(heard - set(names)):
            who = name(c, j, set(names.values()))
            if who is not None:
                names[j] = who
        for cell in pairs:
            if out[cell] >= 0:
                continue
            a, b = POWERSET[int(classes[c][cell])]
            if a in names and b in names and names[a] != names[b]:
                pair = (names[a], names[b])
                if labels[cell] in pair:
                    out[cell] = pair[1] if labels[cell] == pair[0] else pair[0]
    return out
