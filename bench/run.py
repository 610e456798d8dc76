"""`make bench`: every benchmark in one run; writes bench/results/latest.json and latest.md.

Runs after `make package` (the start-up figures need the builds). Each benchmark measures its peer in the
same run; a peer that cannot run is reported as missing, not skipped. `python -m bench.run NAME…` (accuracy,
file_speed, …) runs only those benchmarks and replaces their rows in the latest results.
"""

from __future__ import annotations

import json
import sys
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
    startup,
    summaries,  # fmt: skip
)
from bench.common import RESULTS, save

BENCHMARKS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "accuracy": accuracy.run,
    "file_speed": file_speed.run,
    "live_latency": live_latency.run,
    "capture_load": lambda: [capture_load.run()],
    "memory_session": lambda: [memory_session.run()],
    "startup": startup.run,
    "diarization": diarization.run,
    "summaries": summaries.run,
    "meaning": meaning.run,
}


def main(names: list[str]) -> None:
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}; known: {', '.join(BENCHMARKS)}")
    previous = RESULTS / "latest.json"
    kept = json.loads(previous.read_text())["results"] if names and previous.exists() else []
    fresh: dict[str, list[dict[str, Any]]] = {}
    for name in names or list(BENCHMARKS):
        fresh[name] = [{**row, "bench": name} for row in BENCHMARKS[name]()]
        results: list[dict[str, Any]] = []
        for known in BENCHMARKS:  # table order stays the same; saved after each benchmark
            results += fresh.get(known) or [r for r in kept if r.get("bench") == known]
        save(results)


if __name__ == "__main__":
    main(sys.argv[1:])
