"""The voice library, as a user meets it on the command line: a speaker named in one meeting is named in the next
meeting of the same person and not on someone else; renaming, merging and forgetting voices; bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from aiwisper.speakers import voices

from .realspeech import DEV, at_level, load, speech_spans
from .recording import db_rows
from .speech import TESTDATA, write_wav
from .test_transcribe_files import transcribe

LJ = TESTDATA / "ljspeech"  # Linda Johnson (LJ Speech)


def _meeting(path: Path, clips: list[Path]) -> Path:
    """The clips one after another, each trimmed to its speech, at one level, 0.6 s apart."""
    parts = []
    for clip in clips:
        audio = at_level(load(clip), -24.0)
        spans = speech_spans(audio)
        parts += [audio[spans[0][0] : spans[-1][1]], np.zeros(9600, np.float32)]
    return write_wav(path, np.concatenate(parts))


def aiwisper(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "aiwisper", *args, "--data-dir", str(data_dir)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, check=False)


def _speakers_of(done: subprocess.CompletedProcess[str]) -> tuple[str, list[tuple[str, str]]]:
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    return doc["id"], [(s["speaker"], s["text"]) for s in doc["segments"]]


def test_a_named_voice_is_named_in_the_next_meeting_and_not_on_someone_else(tmp_path: Path) -> None:
    austen = sorted(DEV.glob("pocketsphinx_*.wav"))  # a LibriVox reader, a man
    first = _meeting(tmp_path / "first.wav", [LJ / "LJ001-0001.wav", austen[0], LJ / "LJ001-0002.wav", austen[2],
                                               LJ / "LJ001-0003.wav"])  # fmt: skip
    sid, said = _speakers_of(transcribe(tmp_path, str(first), "--speakers", "auto", "--format", "json"))
    assert {who for who, _ in said} == {"Speaker 1", "Speaker 2"}, said
    assert "printing" in " ".join(text for who, text in said if who == "Speaker 1").lower()  # LJ001-0001

    named = aiwisper(tmp_path, "speakers", sid, "--rename", "Speaker 1=Linda")
    assert named.returncode == 0, named.stderr
    assert "Linda" in named.stdout and "Speaker 2" in named.stdout
    assert [r["name"] for r in db_rows(tmp_path, "SELECT name FROM voices")] == ["Linda"]
    listed = aiwisper(tmp_path, "voices", "list")
    assert "Linda  learnt from 1 speaker(s)" in listed.stdout, listed.stdout

    # a later meeting: Linda again (other sentences) with someone the library has never heard (FLEURS, a woman)
    later = _meeting(tmp_path / "later.wav", [DEV / "fleurs_en_000.ogg", DEV / "ljspeech_LJ001-0009.wav",
                                               DEV / "fleurs_en_000.ogg", DEV / "ljspeech_LJ001-0012.wav"])  # fmt: skip
    sid2, said2 = _speakers_of(transcribe(tmp_path, str(later), "--speakers", "auto", "--format", "json"))
    lindas = " ".join(text for who, text in said2 if who == "Linda").lower()
    assert lindas and all(who in ("Linda", "Speaker 1") for who, _ in said2), said2
    assert next(who for who, _ in said2) == "Speaker 1"  # FLEURS speaks first and stays unnamed
    shown = aiwisper(tmp_path, "speakers", sid2)
    assert "Linda" in shown.stdout and "(recognized by voice)" in shown.stdout, shown.stdout

    # the user corrects a name in one step; forgetting deletes the vectors, the names in past meetings stay
    assert aiwisper(tmp_path, "voices", "rename", "linda", "Linda Johnson").returncode == 0
    assert "Linda Johnson" in aiwisper(tmp_path, "speakers", sid2).stdout
    gone = aiwisper(tmp_path, "voices", "forget", "Linda Johnson")
    assert gone.returncode == 0, gone.stderr
    assert db_rows(tmp_path, "SELECT name FROM voices") == []
    kept = db_rows(tmp_path, "SELECT k.name FROM speaker_voices v LEFT JOIN speakers k ON "
                             "k.session_id = v.session_id AND k.speaker = v.speaker")  # fmt: skip
    assert [r["name"] for r in kept] == [None, None], kept  # the two unnamed people's voices stay, Linda's are gone
    assert "Linda" in aiwisper(tmp_path, "speakers", sid).stdout
    third = _meeting(tmp_path / "third.wav", [DEV / "ljspeech_LJ001-0010.wav", austen[1]])
    _, said3 = _speakers_of(transcribe(tmp_path, str(third), "--speakers", "auto", "--format", "json"))
    assert not any(who.startswith("Linda") for who, _ in said3), said3


def test_bad_voice_commands_are_refused_with_a_reason(tmp_path: Path) -> None:
    missing = aiwisper(tmp_path, "voices", "forget", "Nobody")
    assert missing.returncode == 2 and "no voice named 'Nobody'" in missing.stderr
    no_session = aiwisper(tmp_path, "speakers", "0b7a3c39-1111-4222-8333-444455556666")
    assert no_session.returncode == 2 and "no session" in no_session.stderr
    assert "no voices yet" in aiwisper(tmp_path, "voices", "list").stdout


def test_voices_are_matched_closest_first_each_once() -> None:
    e = np.eye(4, dtype=np.float32)
    known = {10: e[0], 11: e[1]}
    near0 = (e[0] * 0.9 + e[2] * 0.3).astype(np.float32)
    found = {0: near0, 1: e[0], 2: e[3]}
    assert voices.match(found, known) == {1: 10}  # speaker 1 is closer to voice 10 than speaker 0; 2 is nobody
    assert voices.match({0: near0}, known) == {0: 10}
    assert voices.match({0: near0}, known, threshold=0.99) == {}


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_voice_name_must_be_a_name(name: str) -> None:
    from aiwisper.errors import InvalidArgumentError

    with pytest.raises(InvalidArgumentError):
        voices.clean_name(name)


def test_the_microphone_of_a_call_teaches_me_and_a_room_meeting_then_names_me(tmp_path: Path, models_dir: Path) -> None:
    """A call: the microphone channel is the user (LJ Speech's reader), the other side two people. Diarizing it
    teaches the voice "Me" from the microphone and never names anyone on the other side "Me"; a later meeting
    recorded with the microphone alone (the user and a colleague in a room) names the user "Me"."""
    from aiwisper.sessions import speaker_names, store
    from aiwisper.speakers.session import diarize_session
    from aiwisper.speakers.worker import DiarizationWorker
    from aiwisper.storage.db import Database

    def session(sid: str, sources: list[str], channels: list[np.ndarray]) -> None:
        n = max(len(c) for c in channels)
        audio = np.stack([np.pad(c, (0, n - len(c))) for c in channels], axis=1)
        write_wav(tmp_path / f"{sid}.wav", audio if len(channels) > 1 else audio[:, 0])
        row = store.SessionRow(sid, sid, "2026-12-06T10:00:00Z", "2026-12-06T10:01:00Z", n // 16, "done", "recording",
                               sources, f"{sid}.wav", 16000, "en", None, None)  # fmt: skip
        db.write(lambda c: store.insert_session(c, row))

    def clips(paths: list[Path]) -> np.ndarray:
        return load(_meeting(tmp_path / f"{paths[0].stem}-{len(paths)}.wav", paths))

    austen = sorted(DEV.glob("pocketsphinx_*.wav"))
    mine = clips([LJ / "LJ001-0004.wav", LJ / "LJ001-0005.wav", LJ / "LJ001-0006.wav"])
    theirs = clips([austen[0], DEV / "fleurs_en_000.ogg", austen[1]])
    db = Database(tmp_path)
    worker = DiarizationWorker((models_dir / "segmentation.onnx", models_dir / "campplus.onnx"))
    try:
        call = "0b7a3c39-0000-4000-8000-000000000001"
        session(call, ["mic", "system"], [mine, theirs])
        for i, (a, b) in enumerate([(0, 3000), (3000, 6000), (6000, 9000), (9000, 12000)]):
            db.write(lambda c, i=i, a=a, b=b: store.insert_segment(c, call, None, "system", a, b, f"line {i}", 0.9, []))
        assert diarize_session(db, tmp_path, worker, call) >= 2
        assert db.read(lambda c: [(v.name, v.taught) for v in voices.voices(c)]) == [("Me", 1)]
        me = db.read(lambda c: c.execute("SELECT vector FROM voices").fetchone()[0])
        diarize_session(db, tmp_path, worker, call)  # found again: the call does not teach "Me" a second time
        assert db.read(lambda c: [(v.name, v.taught) for v in voices.voices(c)]) == [("Me", 1)]
        again = db.read(lambda c: c.execute("SELECT vector FROM voices").fetchone()[0])
        assert float(voices.unpack(me) @ voices.unpack(again)) > 0.999  # the same voice, not pulled further
        assert voices.ME not in db.read(lambda c: speaker_names.names(c, call)).values()

        room = "0b7a3c39-0000-4000-8000-000000000002"
        session(room, ["mic"], [clips([LJ / "LJ001-0007.wav", austen[2], LJ / "LJ001-0008.wav", austen[3]])])
        for i, (a, b) in enumerate([(0, 4000), (4000, 8000), (8000, 12000), (12000, 16000)]):
            db.write(lambda c, i=i, a=a, b=b: store.insert_segment(c, room, None, "mic", a, b, f"line {i}", 0.9, []))
        diarize_session(db, tmp_path, worker, room)
        names = db.read(lambda c: speaker_names.names(c, room))
        assert voices.ME in names.values() and len(names) == 2, names
        assert db.read(lambda c: speaker_names.recognized(c, room)) == {n for n, name in names.items() if name == "Me"}
    finally:
        worker.close()
        db.close()


def test_naming_teaches_a_voice_once_and_a_wrong_guess_corrected_teaches_the_right_one(tmp_path: Path) -> None:
    """The library's bookkeeping on a real SQLite file: renaming twice to the same name counts once; correcting
    a name the library gave teaches the corrected voice and leaves the wrong one as it was."""
    from aiwisper.sessions import speaker_names, store
    from aiwisper.speakers import store as speakers
    from aiwisper.storage.db import Database

    db = Database(tmp_path)
    try:
        sid = "0b7a3c39-0000-4000-8000-000000000003"
        row = store.SessionRow(sid, "t", "2026-12-06T10:00:00Z", None, 4000, "done", "recording", ["mic"], "x.wav",
                               16000, "en", None, None)  # fmt: skip
        db.write(lambda c: store.insert_session(c, row))
        for i in range(2):
            db.write(
                lambda c, i=i: store.insert_segment(c, sid, None, "mic", i * 2000, i * 2000 + 1500, "hi", 0.9, [], i)
            )
        anna, bert = np.eye(192, dtype=np.float32)[0], np.eye(192, dtype=np.float32)[1]
        db.write(lambda c: voices.teach(c, "Bert", bert))
        db.write(lambda c: voices.remember(c, sid, {0: anna * 0.3 + bert, 1: bert * 0.2 + anna}))  # 0 sounds like Bert
        assert db.read(lambda c: speaker_names.names(c, sid)) == {0: "Bert", 1: "Speaker 2"}
        assert db.read(lambda c: speaker_names.recognized(c, sid)) == {0}
        db.write(lambda c: speakers.rename(c, sid, 0, "Anna"))  # the library was wrong
        db.write(lambda c: speakers.rename(c, sid, 0, "Anna"))  # the same name again teaches nothing more
        taught = db.read(lambda c: {v.name: v.taught for v in voices.voices(c)})
        assert taught == {"Anna": 1, "Bert": 1}, taught
        bert_now = db.read(
            lambda c: voices.unpack(c.execute("SELECT vector FROM voices WHERE name = 'Bert'").fetchone()[0])
        )
        assert np.allclose(bert_now, bert)  # the wrong voice did not learn Anna
        assert db.read(lambda c: speaker_names.recognized(c, sid)) == set()
        db.write(lambda c: voices.merge(c, "Anna", "Bert"))
        assert db.read(lambda c: speaker_names.names(c, sid))[0] == "Bert"
    finally:
        db.close()
