"""Speakers while recording: each finished segment's voice joins the closest voice heard so far in the session, or
starts a new speaker; a new speaker whose voice the library knows is named. Labels are a first guess, shown while
the meeting goes on; the diarization of the whole recording after Stop replaces them."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from aiwisper.speakers import voices

F32 = npt.NDArray[np.float32]
SAME = 0.5  # cosine of a segment's voice to a speaker's mean voice that makes it theirs (AMI: others ≤ 0.44)


@dataclass
class Heard:
    """The speakers heard so far in one recording: each one's summed unit voice vectors."""

    sums: list[F32] = field(default_factory=list)

    def assign(self, vector: F32) -> int:
        """The speaker `vector` belongs to (a new one when none is close enough); their mean voice learns it."""
        unit = (vector / max(float(np.linalg.norm(vector)), 1e-9)).astype(np.float32)
        if self.sums:
            means = np.stack([s / max(float(np.linalg.norm(s)), 1e-9) for s in self.sums])
            scores = means @ unit
            best = int(np.argmax(scores))
            if scores[best] >= SAME:
                self.sums[best] = self.sums[best] + unit
                return best
        self.sums.append(unit)
        return len(self.sums) - 1

    def mean(self, speaker: int) -> F32:
        s = self.sums[speaker]
        out: F32 = (s / max(float(np.linalg.norm(s)), 1e-9)).astype(np.float32)
        return out


def label(conn: sqlite3.Connection, session_id: str, heard: Heard, labelled: dict[int, int],
          exclude: str | None) -> dict[int, str]:  # fmt: skip
    """Store each segment's live speaker (`labelled`: segment id → speaker) and name the speakers the voice library
    knows that have no name yet; returns every labelled speaker's name."""
    for segment, speaker in labelled.items():
        conn.execute("UPDATE segments SET speaker = ? WHERE id = ? AND session_id = ?", (speaker, segment, session_id))
    named = dict(conn.execute("SELECT speaker, name FROM speakers WHERE session_id = ?", (session_id,)).fetchall())
    unnamed = {s: heard.mean(s) for s in set(labelled.values()) if s not in named}
    if unnamed:
        named.update(voices.recognize(conn, session_id, unnamed, exclude))
    return {s: named.get(s, f"Speaker {s + 1}") for s in set(labelled.values())}
