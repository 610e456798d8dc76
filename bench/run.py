"""`make bench`: every benchmark in one run; writes bench/results/latest.json and latest.md.

Runs after `make package` (the start-up figures need the builds). Each benchmark measures its peer in the
same run; a peer that cannot run is reported as missing, not skipped.
"""

from __future__ import annotations

from typing import Any

from bench import capture_load, file_speed, live_latency, memory_session, startup
from bench.common import save


def main() -> None:
    results: list[dict[str, Any]] = []
    results += file_speed.run()
    results += live_latency.run()
    results.append(capture_load.run())
    results.append(memory_session.run())
    results += startup.run()
    save(results)


if __name__ == "__main__":
    main()
