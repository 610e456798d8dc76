"""Echo: a call heard through the speakers reaches the microphone too. Each sentence must appear once, as the
other side's ("Them"), while what the user says into the mic stays theirs ("Me")."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from aiwisper.sessions.store import Word
from aiwisper.transcription.echo import echoed

from .pulse import play, pulse  # noqa: F401 - fixture
from .realspeech import SR, at_level, clip, load
from .recording import db_rows, start_record
from .speech import normalize, write_wav

# The other side of the call (LJ Speech) and the user (CMU ARCTIC, LibriVox), with words of each to look for.
THEM = {"ljspeech_LJ001-0010.wav": "types composed to form", "ljspeech_LJ001-0013.wav": "the same operations"}
ME = {"cmu_arctic_aew_a0001.wav": "author of the danger", "pocketsphinx_sense_and_sensibility_01_austen_64kb-0870.wav":
      "leisure to consider"}  # fmt: skip


def _w(text: str, start: int) -> Word:
    return Word(text=text, start_ms=start, end_ms=start + 300, p=0.9, low=False)


def test_only_runs_of_the_calls_words_at_its_time_are_echo() -> None:
    system = [_w("ask", 1000), _w("not", 1300), _w("what", 1600), _w("your", 1900)]
    assert echoed([_w("Ask", 1050), _w("not", 1350), _w("what", 1640)], system) == {0, 1, 2}
    assert echoed([_w("ask", 3000), _w("not", 3300)], system) == set()  # too late to be the same sound
    assert echoed([_w("well", 1000), _w("not", 1340), _w("really", 1600)], system) == set()  # one shared word
    assert echoed([_w("yes", 900), _w("ask", 1040), _w("not", 1330), _w("indeed", 2000)], system) == {1, 2}


@pytest.mark.usefixtures("pulse")
def test_a_call_through_the_speakers_is_transcribed_once(tmp_path: Path) -> None:
    """The system sink plays the other side (A); the mic hears A at −10 dB, 40 ms late, plus the user (B) in
    the pauses: A's sentences once, on the system side; B's on the mic."""
    them = [at_level(load(clip(n).path), -20) for n in THEM]
    me = [at_level(load(clip(n).path), -20) for n in ME]
    pause = np.zeros(SR, np.float32)
    system = np.concatenate([pause, them[0], pause, np.zeros(len(me[0]), np.float32), pause, them[1], pause,
                             np.zeros(len(me[1]), np.float32), pause])  # fmt: skip
    user = np.concatenate([pause, np.zeros(len(them[0]), np.float32), pause, me[0], pause,
                           np.zeros(len(them[1]), np.float32), pause, me[1], pause])  # fmt: skip
    delay = SR * 40 // 1000
    bleed = np.concatenate([np.zeros(delay, np.float32), system[:-delay]]) * np.float32(10 ** (-10 / 20))
    sys_wav = write_wav(tmp_path / "system.wav", system)
    mic_wav = write_wav(tmp_path / "mic.wav", np.clip(user + bleed, -1, 1))
    seconds = len(system) / SR + 3
    rec = start_record(
        tmp_path / "data", "--seconds", f"{seconds:.0f}", "--model", "tiny.en-q8_0", "--language", "en",
        "--device", "pulse:mic_sink.monitor", "--system-device", "pulse:sys_sink.monitor",
    )  # fmt: skip
    players = [play("sys_sink", sys_wav), play("mic_sink", mic_wav)]
    for p in players:
        p.wait(60)
    assert rec.wait(240) == 0, "".join(rec.lines)
    rows = db_rows(tmp_path / "data", "SELECT source, text FROM segments ORDER BY start_ms")
    said = {src: normalize(" ".join(r["text"] for r in rows if r["source"] == src)) for src in ("mic", "system")}
    for probe in THEM.values():
        assert said["system"].count(probe) == 1, (probe, said)
        assert probe not in said["mic"], (probe, said)
    for probe in ME.values():
        assert said["mic"].count(probe) == 1 and probe not in said["system"], (probe, said)


def test_echo_is_found_when_word_times_collapse() -> None:
    """whisper.cpp can put every word of a segment at its end; the segment's span still places the words."""
    system = [_w("than", 15722), _w("in", 15752), _w("the", 15922), _w("same", 16162), _w("operations", 16512)]
    mic = [_w("then", 15756), _w("in", 18446), _w("the", 18446), _w("same", 18446), _w("operations", 18446)]
    assert echoed(mic, system, (15756, 18446)) == {1, 2, 3, 4}
    assert echoed(mic, system, (30000, 32000)) == set()  # the same words said long after: the user's
