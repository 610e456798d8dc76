"""Background work runs behind live transcription, in the order of priorities.py: the worker processes' threads
carry their nice values (real workers, read from /proc), and the search index waits for notes and speakers."""

from __future__ import annotations

import time
from pathlib import Path

from aiwisper.models.registry import ModelRegistry
from aiwisper.priorities import NICE, Work, waits_for
from aiwisper.speakers.worker import DiarizationWorker
from aiwisper.summaries.worker import SummaryWorker

JFK = Path(__file__).parent / "data" / "jfk.wav"


def _nices(pid: int) -> list[int]:
    """The nice value of each thread of process `pid`."""
    out = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        fields = stat.read_text().rsplit(")", 1)[1].split()
        out.append(int(fields[16]))  # field 19 of stat; fields here start at field 3
    return out


def test_the_speaker_and_notes_workers_run_behind_live_work_notes_first(registry: ModelRegistry) -> None:
    assert NICE[Work.NOTES] < NICE[Work.SPEAKERS]
    speakers = DiarizationWorker(registry.speaker_models())
    notes = SummaryWorker()
    try:
        assert speakers.voice(JFK, 0) is not None  # a real request: the models are loaded, their threads started
        assert speakers.pid is not None
        threads = _nices(speakers.pid)
        assert len(threads) >= 2 and set(threads) == {NICE[Work.SPEAKERS]}, threads
        notes.connection()  # started; it lowers itself before its first request
        assert notes.pid is not None
        deadline = time.monotonic() + 60
        while _nices(notes.pid) != [NICE[Work.NOTES]] * len(_nices(notes.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert set(_nices(notes.pid)) == {NICE[Work.NOTES]}
    finally:
        speakers.close()
        notes.close()


def test_the_index_waits_for_a_recording_notes_and_speakers() -> None:
    state = {"recording": False, "notes": False, "speakers": False}
    waits = waits_for(lambda: state["recording"], lambda: state["notes"], lambda: state["speakers"])
    assert not waits()
    for key in state:
        state[key] = True
        assert waits(), key
        state[key] = False
    assert not waits()
