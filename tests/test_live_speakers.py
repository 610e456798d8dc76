"""Speakers while recording: two real people taking turns, played into a PulseAudio null sink and recorded from its
monitor with `aiwisper record`; their lines are labelled while the meeting goes on, one label per person."""

from __future__ import annotations

from pathlib import Path

import pytest

from .pulse import pulse  # noqa: F401 - fixture
from .realspeech import DEV
from .recording import start_record
from .speech import normalize
from .test_voices import LJ, _meeting

AUSTEN = sorted(DEV.glob("pocketsphinx_*.wav"))  # a LibriVox reader, a man
TURNS = [LJ / "LJ001-0001.wav", AUSTEN[0], LJ / "LJ001-0002.wav", AUSTEN[2], LJ / "LJ001-0003.wav", AUSTEN[3]]


def _whose(text: str, lj_words: set[str], austen_words: set[str]) -> str | None:
    words = set(normalize(text).split())
    a, b = len(words & lj_words), len(words & austen_words)
    return "lj" if a > b else "austen" if b > a else None


@pytest.mark.usefixtures("pulse")
def test_lines_are_labelled_by_speaker_while_recording(tmp_path: Path) -> None:
    from .pulse import play_at
    from .realspeech import load

    wav = _meeting(tmp_path / "meeting.wav", TURNS)
    seconds = len(load(wav)) / 16000
    rec = start_record(tmp_path / "data", "--seconds", f"{seconds + 4:.0f}", "--device", "pulse:mic_sink.monitor",
                       "--model", "tiny.en-q8_0", "--language", "en",
                       defaults='{"summaries.auto": false, "speakers.live": true}')  # fmt: skip
    play_at("mic_sink", wav, 65536).wait(120)
    assert rec.wait(240) == 0, "".join(rec.lines)

    kinds = [e["type"] for e in rec.events]
    stopped = kinds.index("session_stopped")
    live = [i for i, k in enumerate(kinds) if k == "speakers_live"]
    assert live and live[0] < stopped, kinds  # labels came while the meeting was recorded, not only after Stop
    texts = {s["id"]: s["text"] for e in rec.of_type("chunk_transcribed") for s in e["segments"]}
    from .realspeech import clip
    from .speech import lj_clips

    lj_text = {c.path.stem: c.text for c in lj_clips()}  # the clips' own transcripts
    lj_words = set(normalize(" ".join(lj_text[p.stem] for p in TURNS if p.parent == LJ)).split())
    austen_words = set(normalize(" ".join(clip(p.name).text for p in TURNS if p.parent == DEV)).split())
    labels: dict[str, set[int]] = {"lj": set(), "austen": set()}
    for e in rec.of_type("speakers_live"):
        for label in e["labels"]:
            who = _whose(texts[label["segment_id"]], lj_words - austen_words, austen_words - lj_words)
            if who:
                labels[who].add(label["speaker"])
    print("live labels:", labels, "events:", len(live), "before Stop:", sum(i < stopped for i in live))
    assert labels["lj"] and labels["austen"], labels  # both people's lines were labelled
    assert len(labels["lj"]) == 1 and len(labels["austen"]) == 1 and labels["lj"] != labels["austen"], labels
