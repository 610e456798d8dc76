"""Who gets the two cores first, in one table.

Live transcription (capture, VAD, the transcriber and its speech worker) runs at the app's own priority and waits
on nothing. Background work is ordered behind it, most urgent first:

1. notes: what a user reads first after Stop (`Work.NOTES`, the notes worker process);
2. speakers: who said what (`Work.SPEAKERS`, the diarization worker process); a diarization waits until no notes
   are being written (`SummaryService.busy`: after Stop the notes come first, the speakers right after; measured
   in bench notes_after_stop), live speaker labels do not;
3. the search index: it embeds nothing while a recording runs or notes or speakers are being found
   (`waits_for`), and takes whatever CPU is left after that.

The workers' order is the kernel's: each worker process lowers its own priority (nice value) when it starts, so
that its threads share the cores by weight (nice 10 weighs three times nice 15): a notes job that comes while a
diarization runs gets three quarters of the cores.
"""

from __future__ import annotations

import enum
import logging
import os
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class Work(enum.Enum):
    """Background work done in a worker process."""

    NOTES = "notes"
    SPEAKERS = "speakers"


NICE: dict[Work, int] = {Work.NOTES: 10, Work.SPEAKERS: 15}  # the kernel's nice value of each worker process


def lower_to(nice: int) -> None:
    """Run this process at nice value `nice`: every thread it has (on Linux a nice value is a thread's; libraries
    start theirs at import, OpenBLAS for one) and those it starts from now on. Never raises a priority (a user may
    not lower a nice value again). Called first thing in a worker process."""
    threads = [int(t.name) for t in Path("/proc/self/task").iterdir()] if Path("/proc/self/task").is_dir() else [0]
    for tid in threads:
        try:
            now = os.getpriority(os.PRIO_PROCESS, tid)
            if nice > now:
                os.setpriority(os.PRIO_PROCESS, tid, nice)
        except OSError as e:  # a thread that ended meanwhile; a system that refuses
            log.warning("could not lower thread %d of this worker to nice %d: %s", tid, nice, e)


def waits_for(*busy: Callable[[], bool]) -> Callable[[], bool]:
    """Whether work of a lower priority waits now: while any of `busy` (a recording, notes, speakers) has work."""
    return lambda: any(b() for b in busy)
