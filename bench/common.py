"""Shared helpers for benchmarks: results are dicts collected into bench/results/latest.{json,md}."""

from __future__ import annotations

import contextlib
import json
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def rss_mb(pid: int | None = None) -> float:
    """Resident set size in MB, from /proc."""
    with open(f"/proc/{pid or os.getpid()}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def median_time(fn: Callable[[], object], runs: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError), open("/proc/cpuinfo") as f:
        cpu = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "system": platform.platform()}


def save(results: list[dict[str, Any]]) -> None:
    RESULTS.mkdir(exist_ok=True)
    doc = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "results": results}
    (RESULTS / "latest.json").write_text(json.dumps(doc, indent=2) + "\n")
    lines = [
        f"# Benchmarks ({doc['date']})",
        "",
        f"Saved on: {doc['machine']['cpu']}, {doc['machine']['cores']} cores (each row says when, at which commit and"
        " on which CPU it was measured)",
        "",
    ]
    lines += ["| benchmark | ours | peer | ratio | goal | met | measured |", "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['ours']} | {r.get('peer', '—')} | {r.get('ratio', '—')} | {r.get('goal', '—')} |"
            f" {'yes' if r.get('met') else 'no' if r.get('met') is False else '—'} | {r.get('measured', '—')} |"
        )
    notes = [f"- {r['name']}: {r['note']}" for r in results if r.get("note")]
    if notes:
        lines += ["", *notes]
    (RESULTS / "latest.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
