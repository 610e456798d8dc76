"""What the library and the settings page show, read from a real SQLite file of real meetings (QMSum's AMI and
ICSI transcripts with people's summaries), and the first run's microphone meter on a real replayed voice."""

from __future__ import annotations

import datetime as dt
import queue
import time
from pathlib import Path

import pytest

from aiwisper.audio.capture import Block
from aiwisper.audio.file_source import FileSource
from aiwisper.audio.wav_read import read_wav_16k
from aiwisper.events import Event, EventBus, MicLevel
from aiwisper.sessions import library
from aiwisper.sessions.level_monitor import LevelMonitor
from aiwisper.sessions.recorder import BusyError
from aiwisper.sessions.sources import RecordConfig, Source
from aiwisper.settings import SETTINGS
from aiwisper.settings_words import GROUPS, shown
from aiwisper.storage.db import Database

from .library_fill import add_meeting, meetings
from .speech import JFK_WAV


def test_a_library_row_says_who_spoke_and_what_the_notes_say(tmp_path: Path) -> None:
    db = Database(tmp_path)
    try:
        found = {str(m["meeting"]): m for m in meetings()}
        now = dt.datetime(2026, 12, 6, 15, 0, tzinfo=dt.UTC)
        kickoff = db.write(lambda c: add_meeting(c, found["IS1006a"], now))
        db.write(lambda c: add_meeting(c, found["Bro005"], now - dt.timedelta(days=1)))
        page = db.read(lambda c: library.list_sessions(c))
        assert [s.title for s in page.sessions] == ["IS1006a", "Bro005"]  # newest first
        row = page.sessions[0]
        assert row.people == ["User Interface", "Project Manager", "Marketing", "Industrial Designer"], row.people
        assert row.notes_line.startswith("The main points of the discussion are the design goal and price"), (
            row.notes_line
        )
        assert "[" not in row.notes_line and "#" not in row.notes_line
        assert row.notes_state == "done" and not row.finding_speakers
        by_name = db.read(lambda c: library.list_sessions(c, "industrial desig"))  # a speaker's name, in part
        assert [s.id for s in by_name.sessions] == [kickoff]
        assert db.read(lambda c: library.list_sessions(c, "Christa Pavlov")).total == 1  # words said in it
        assert db.read(lambda c: library.list_sessions(c, "Nobody Byname")).total == 0
        detail = db.read(lambda c: library.get_session(c, kickoff))
        talk = {s.name: s.talk_ms for s in detail.speakers}
        assert talk["Project Manager"] > talk["User Interface"] > 0, talk  # she leads the kick-off
        assert sum(talk.values()) == sum(g.end_ms - g.start_ms for g in detail.segments)
    finally:
        db.close()


def test_first_lines_of_notes() -> None:
    notes = "## Overview\n\n**Anna**: ship the release on Friday [12:04] [1:02:03]\n- later"
    assert library.first_line(notes) == "Anna: ship the release on Friday"
    assert library.first_line("## Decisions\n- We keep the price at 25 euros [0:42]") == "We keep the price at 25 euros"
    assert library.first_line("## Only a heading") == ""
    long = library.first_line("word " * 100, limit=40)
    assert long.endswith("…") and len(long) <= 40 and not long.endswith(" …")


def test_every_setting_has_words_and_a_group() -> None:
    labels = [shown(s.name).label for s in SETTINGS]
    assert len(set(labels)) == len(labels), labels
    for s in SETTINGS:
        w = shown(s.name)
        assert w.label != s.name and w.label[0].isupper(), s.name
        assert w.group in GROUPS or s.name == "app.welcomed", s.name
        assert not s.name.startswith("vad.") or w.advanced, s.name  # speech detection details: under Advanced


def test_the_meter_hears_the_microphone_and_lets_it_go() -> None:
    """The first run's meter: a real voice (JFK) replayed as the microphone is heard above −30 dBFS within a
    second; closing lets the device go; while a recording is on, the meter is refused."""
    bus = EventBus()
    heard: list[MicLevel] = []
    bus.subscribe(lambda e: heard.append(e) if isinstance(e, MicLevel) else None)
    opened: list[FileSource] = []
    recording = False

    def factory(config: RecordConfig, out: queue.SimpleQueue[Block]) -> list[tuple[str, Source]]:
        assert config.system is None and not config.transcribe
        opened.append(FileSource(read_wav_16k(JFK_WAV), 0, out, loop=True))
        return [("mic", opened[-1])]

    monitor = LevelMonitor(bus, factory, lambda: recording)
    monitor.watch("default")
    monitor.watch("default")  # asked again: the same device goes on
    deadline = time.monotonic() + 3
    while not any(e.peak > -30 for e in heard) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert any(e.peak > -30 and e.rms < e.peak for e in heard), heard[-5:]
    assert len(opened) == 1 and {e.device for e in heard} == {"default"}
    monitor.close()
    monitor.close()
    assert not opened[0]._thread.is_alive()  # the device is let go
    recording = True
    with pytest.raises(BusyError, match="recording"):
        monitor.watch("default")
    assert len(opened) == 1
    assert isinstance(heard[0], Event)
