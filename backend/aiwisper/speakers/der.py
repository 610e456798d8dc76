"""Diarization error rate, frame-based (10 ms), no collar, overlapping reference speech scored; and RTTM."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from aiwisper.speakers.diarize import Turn

STEP_MS = 10


@dataclass(frozen=True)
class Der:
    """The error and its parts, as fractions of the reference speech time."""

    der: float
    missed: float
    false_alarm: float
    confusion: float
    reference_speakers: int
    hypothesis_speakers: int


def parse_rttm(text: str) -> list[tuple[int, int, str]]:
    """(start ms, end ms, speaker) of each SPEAKER line."""
    out = []
    for line in text.splitlines():
        f = line.split()
        if len(f) >= 8 and f[0] == "SPEAKER":
            start = round(float(f[3]) * 1000)
            out.append((start, start + round(float(f[4]) * 1000), f[7]))
    return out


def rttm(turns: Sequence[Turn], file_id: str, names: dict[int, str] | None = None) -> str:
    """Standard RTTM lines for `turns`."""
    names = names or {}
    return "".join(
        f"SPEAKER {file_id} 1 {t.start_ms / 1000:.3f} {(t.end_ms - t.start_ms) / 1000:.3f} <NA> <NA> "
        f"{names.get(t.speaker, f'speaker{t.speaker + 1}')} <NA> <NA>\n"
        for t in turns
    )


def _grid(turns: Sequence[tuple[int, int, str]], labels: list[str], frames: int) -> np.ndarray:
    grid = np.zeros((len(labels), frames), bool)
    for s, e, who in turns:
        grid[labels.index(who), s // STEP_MS : max(s // STEP_MS + 1, e // STEP_MS)] = True
    return grid


def der(reference: Sequence[tuple[int, int, str]], hypothesis: Sequence[Turn]) -> Der:
    """DER of `hypothesis` against `reference`, with the speaker mapping that maximizes agreement."""
    hyp = [(t.start_ms, t.end_ms, str(t.speaker)) for t in hypothesis]
    end = max([e for _, e, _ in reference] + [e for _, e, _ in hyp] + [0])
    frames = end // STEP_MS + 1
    ref_labels = sorted({w for _, _, w in reference})
    hyp_labels = sorted({w for _, _, w in hyp})
    r, h = _grid(reference, ref_labels, frames), _grid(hyp, hyp_labels, frames)
    n_ref, n_hyp = r.sum(0), h.sum(0)
    total = float(n_ref.sum())
    overlap = (r[:, None, :] & h[None, :, :]).sum(-1)  # ref × hyp frames together
    best = 0
    small, large = (overlap, False) if len(ref_labels) <= len(hyp_labels) else (overlap.T, True)
    for perm in itertools.permutations(range(small.shape[1]), small.shape[0]):
        best = max(best, int(sum(small[i, j] for i, j in enumerate(perm))))
    del large
    missed = float(np.maximum(n_ref - n_hyp, 0).sum())
    false_alarm = float(np.maximum(n_hyp - n_ref, 0).sum())
    confusion = float(np.minimum(n_ref, n_hyp).sum()) - best
    if total == 0:
        return Der(0.0, 0.0, 0.0, 0.0, len(ref_labels), len(hyp_labels))
    return Der((missed + false_alarm + confusion) / total, missed / total, false_alarm / total, confusion / total,
               len(ref_labels), len(hyp_labels))  # fmt: skip
