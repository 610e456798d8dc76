"""`make bench`: every benchmark in one run; writes bench/results/latest.json and latest.md.

Runs after `make package` (the start-up figures need the builds). Each benchmark measures its peer in the
same run; a peer that cannot run is reported as missing, not skipped. `python -m bench.run NAME…` (accuracy,
file_speed, …) runs only those benchmarks and replaces their rows in the latest results.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from bench import (
    accuracy,
    capture_load,
    diarization,
    file_speed,
    live_latency,
    meaning,
    memory_session,
    notes,
    notes_after_stop,
    startup,
    summaries,
    ui_speed,
    voices,  # fmt: skip
)
from bench.common import RESULTS, machine, save

BENCHMARKS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "accuracy": accuracy.run,
    "file_speed": file_speed.run,
    "live_latency": live_latency.run,
    "capture_load": lambda: [capture_load.run()],
    "memory_session": lambda: [memory_session.run()],
    "startup": startup.run,
    "diarization": diarization.run,
    "voices": voices.run,
    "summaries": summaries.run,
    "notes": notes.run,
    "notes_after_stop": notes_after_stop.run,
    "meaning": meaning.run,
    "ui_speed": ui_speed.run,
}


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}")
    previous = RESULTS / "latest.json"
    # rows of an earlier run stay, with the date they were measured at, until their benchmark runs again (a full
    # run that stops half-way keeps the rows it did not reach)
    doc = json.loads(previous.read_text()) if previous.exists() else {"results": []}
    kept = [{"measured": doc.get("date", "?"), **row} for row in doc["results"]]
    fresh: dict[str, list[dict[str, Any]]] = {}
    for name in names or list(BENCHMARKS):
        stamp = f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} at {_commit()} on {machine()['cpu']}"
        fresh[name] = [{**row, "bench": name, "measured": stamp} for row in BENCHMARKS[name]()]
        results: list[dict[str, Any]] = []
        for known in BENCHMARKS:  # table order stays the same; saved after each benchmark
            results += fresh.get(known) or [r for r in kept if r.get("bench") == known]
        save(results)


def _commit() -> str:
    """The commit measured, with "+changes" when the work tree (results aside) differs from it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=False).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    changed = git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results")
    return head + ("+changes" if changed else "")


if __name__ == "__main__":
    main(sys.argv[1:])
