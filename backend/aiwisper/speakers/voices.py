"""The voice library: people's voices remembered across meetings, as vectors (never audio).

A voice is the unit mean of the speaker embeddings that taught it. Naming a diarized speaker teaches the voice of
that name (creating it); a later session's speakers whose voice is close enough to a known one are named by it
("recognized"), each voice at most one speaker per session. The user's own voice, "Me", is taught by the
microphone channel of calls. Forgetting a voice deletes its vector and the session vectors that taught it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from aiwisper.errors import InvalidArgumentError, NotFoundError

F32 = npt.NDArray[np.float32]
ME = "Me"
# cosine between a session speaker's voice and a stored one that names the speaker; bench/voices.py measures
# false accepts and rejects across recordings of real people (set so that unknown voices are named ≤ 2%)
RECOGNIZE = 0.55


@dataclass(frozen=True)
class Voice:
    """A remembered voice: its name, how many speakers taught it, and the sessions it names a speaker in."""

    id: int
    name: str
    taught: int
    sessions: int
    updated: float


def pack(vector: Sequence[float] | F32) -> bytes:
    return np.asarray(vector, dtype=np.float32).tobytes()


def unpack(blob: bytes) -> F32:
    return np.frombuffer(blob, dtype=np.float32).copy()


def _unit(v: F32) -> F32:
    out: F32 = (v / max(float(np.linalg.norm(v)), 1e-9)).astype(np.float32)
    return out


def clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= 80:
        raise InvalidArgumentError("a voice's name is 1 to 80 characters")
    return name


def voices(conn: sqlite3.Connection) -> list[Voice]:
    """Every remembered voice, by name."""
    rows = conn.execute(
        "SELECT v.id, v.name, v.taught, v.updated, COUNT(DISTINCT s.session_id) FROM voices v "
        "LEFT JOIN speakers s ON s.voice_id = v.id GROUP BY v.id ORDER BY v.name COLLATE NOCASE"
    ).fetchall()
    return [Voice(r[0], r[1], r[2], r[4], r[3]) for r in rows]


def find(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT id FROM voices WHERE name = ? COLLATE NOCASE", (" ".join(name.split()),)).fetchone()
    return None if row is None else int(row[0])


def _named(conn: sqlite3.Connection, name: str) -> int:
    found = find(conn, name)
    if found is None:
        raise NotFoundError(f"no voice named {name!r}")
    return found


def teach(conn: sqlite3.Connection, name: str, vector: F32) -> int:
    """Add one speaker's voice to the voice called `name` (created if new); returns its id."""
    name, vector = clean_name(name), _unit(np.asarray(vector, np.float32))
    row = conn.execute("SELECT id, vector, taught FROM voices WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    if row is None:
        cur = conn.execute("INSERT INTO voices (name, vector, taught, updated) VALUES (?,?,1,?)",
                           (name, pack(vector), time.time()))  # fmt: skip
        return int(cur.lastrowid or 0)
    mean = _unit(unpack(row[1]) * row[2] + vector)
    conn.execute("UPDATE voices SET vector = ?, taught = taught + 1, updated = ? WHERE id = ?",
                 (pack(mean), time.time(), row[0]))  # fmt: skip
    return int(row[0])


def teach_once(conn: sqlite3.Connection, name: str, vector: F32, session_id: str) -> int:
    """Teach `name` a voice heard in `session_id`, once per session: found again, the session's earlier lesson is
    replaced (the voice does not drift toward a session diarized twice); returns the voice's id."""
    vector = _unit(np.asarray(vector, np.float32))
    voice = find(conn, name)
    lesson = "SELECT vector FROM voice_lessons WHERE session_id = ? AND voice_id = ?"
    before = None if voice is None else conn.execute(lesson, (session_id, voice)).fetchone()
    if voice is None or before is None:
        voice = teach(conn, name, vector)
    else:
        row = conn.execute("SELECT vector, taught FROM voices WHERE id = ?", (voice,)).fetchone()
        mean = _unit(unpack(row[0]) * row[1] - unpack(before[0]) + vector)
        conn.execute("UPDATE voices SET vector = ?, updated = ? WHERE id = ?", (pack(mean), time.time(), voice))
    conn.execute("INSERT OR REPLACE INTO voice_lessons (session_id, voice_id, vector) VALUES (?,?,?)",
                 (session_id, voice, pack(vector)))  # fmt: skip
    return voice


def rename(conn: sqlite3.Connection, old: str, new: str) -> None:
    """A voice gets another name, and so do the speakers it named."""
    voice, new = _named(conn, old), clean_name(new)
    other = find(conn, new)
    if other is not None and other != voice:
        raise InvalidArgumentError(f"a voice named {new!r} exists: merge the two instead")
    conn.execute("UPDATE voices SET name = ?, updated = ? WHERE id = ?", (new, time.time(), voice))
    conn.execute("UPDATE speakers SET name = ? WHERE voice_id = ?", (new, voice))


def merge(conn: sqlite3.Connection, name: str, into: str) -> None:
    """Two voices are one person: `name`'s vector joins `into`'s (weighted by how many taught each), and the
    speakers it named are named `into`."""
    a, b = _named(conn, name), _named(conn, into)
    if a == b:
        raise InvalidArgumentError("merge needs two different voices")
    (va, ta), (vb, tb) = (
        conn.execute("SELECT vector, taught FROM voices WHERE id = ?", (i,)).fetchone() for i in (a, b)
    )
    mean = _unit(unpack(va) * ta + unpack(vb) * tb)
    conn.execute("UPDATE voices SET vector = ?, taught = ?, updated = ? WHERE id = ?",
                 (pack(mean), ta + tb, time.time(), b))  # fmt: skip
    target = conn.execute("SELECT name FROM voices WHERE id = ?", (b,)).fetchone()[0]
    conn.execute("UPDATE speakers SET voice_id = ?, name = ? WHERE voice_id = ?", (b, target, a))
    conn.execute("DELETE FROM voices WHERE id = ?", (a,))


def forget(conn: sqlite3.Connection, name: str) -> None:
    """Delete a voice's vector and every session vector of the speakers it named or that taught it; the names
    already given in past sessions stay (they are the user's words), unlinked."""
    voice = _named(conn, name)
    conn.execute("DELETE FROM speaker_voices WHERE (session_id, speaker) IN "
                 "(SELECT session_id, speaker FROM speakers WHERE voice_id = ?)", (voice,))  # fmt: skip
    conn.execute("UPDATE speakers SET voice_id = NULL, recognized = 0 WHERE voice_id = ?", (voice,))
    conn.execute("DELETE FROM voices WHERE id = ?", (voice,))


def match(speakers: dict[int, F32], known: dict[int, F32], threshold: float = RECOGNIZE) -> dict[int, int]:
    """Speaker → voice id for the speakers whose voice is at least `threshold` alike a known one; the closest
    pairs first, each voice and each speaker used once."""
    pairs = sorted(((float(_unit(v) @ _unit(k)), s, i) for s, v in speakers.items() for i, k in known.items()),
                   reverse=True)  # fmt: skip
    out: dict[int, int] = {}
    for score, speaker, voice in pairs:
        if score < threshold:
            break
        if speaker not in out and voice not in out.values():
            out[speaker] = voice
    return out


def remember(
    conn: sqlite3.Connection, session_id: str, found: dict[int, F32], exclude: str | None = None
) -> dict[int, str]:
    """Store a diarized session's speaker voices and name the speakers the library recognizes (`exclude`: a
    voice that cannot be among them, such as "Me" on a call's other side); returns the names given."""
    conn.execute("DELETE FROM speaker_voices WHERE session_id = ?", (session_id,))
    conn.executemany("INSERT INTO speaker_voices (session_id, speaker, vector) VALUES (?,?,?)",
                     [(session_id, s, pack(v)) for s, v in found.items()])  # fmt: skip
    return recognize(conn, session_id, found, exclude)


def recognize(conn: sqlite3.Connection, session_id: str, found: dict[int, F32], exclude: str | None) -> dict[int, str]:
    """Name the speakers in `found` (speaker → voice) whose voice the library knows, with a voice not yet naming
    someone in the session (`exclude`: a voice that cannot be among them); returns the names given."""
    taken = {r[0] for r in conn.execute("SELECT voice_id FROM speakers WHERE session_id = ? AND voice_id IS NOT NULL",
                                        (session_id,))}  # fmt: skip
    rows = conn.execute("SELECT id, name, vector FROM voices").fetchall()
    known = {r[0]: unpack(r[2]) for r in rows
             if r[0] not in taken and (exclude is None or r[1].casefold() != exclude.casefold())}  # fmt: skip
    names = {r[0]: r[1] for r in rows}
    given = {}
    for speaker, voice in match(found, known).items():
        conn.execute("INSERT OR REPLACE INTO speakers (session_id, speaker, name, voice_id, recognized) "
                     "VALUES (?,?,?,?,1)", (session_id, speaker, names[voice], voice))  # fmt: skip
        given[speaker] = names[voice]
    return given


def named(conn: sqlite3.Connection, session_id: str, speaker: int, name: str,
          before: tuple[int | None, bool] | None) -> None:  # fmt: skip
    """The user named a session's speaker (`before`: the voice the name came from, and whether the library gave
    it): the voice of that name learns this speaker's voice, once per speaker and voice, and the speaker is linked
    to it. A speaker without a stored voice teaches nothing."""
    row = conn.execute("SELECT vector FROM speaker_voices WHERE session_id = ? AND speaker = ?",
                       (session_id, speaker)).fetchone()  # fmt: skip
    if row is None:
        return
    current = find(conn, name)
    taught_already = before is not None and before[0] is not None and before[0] == current and not before[1]
    voice = current if taught_already and current is not None else teach(conn, name, unpack(row[0]))
    conn.execute("UPDATE speakers SET voice_id = ?, recognized = 0 WHERE session_id = ? AND speaker = ?",
                 (voice, session_id, speaker))  # fmt: skip


def merged(conn: sqlite3.Connection, session_id: str, keep: int, other: int) -> None:
    """Two speakers of a session are one person: `keep`'s stored voice becomes the mean of both."""
    rows = dict(conn.execute("SELECT speaker, vector FROM speaker_voices WHERE session_id = ? AND speaker IN (?, ?)",
                             (session_id, keep, other)).fetchall())  # fmt: skip
    if keep in rows and other in rows:
        mean = _unit(_unit(unpack(rows[keep])) + _unit(unpack(rows[other])))
        conn.execute("UPDATE speaker_voices SET vector = ? WHERE session_id = ? AND speaker = ?",
                     (pack(mean), session_id, keep))  # fmt: skip
    elif other in rows:
        conn.execute("UPDATE speaker_voices SET speaker = ? WHERE session_id = ? AND speaker = ?",
                     (keep, session_id, other))  # fmt: skip
    conn.execute("DELETE FROM speaker_voices WHERE session_id = ? AND speaker = ?", (session_id, other))
