"""Helpers for the app's worker processes (speech engine, speakers)."""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import Any


def rss_mb(pid: int | None) -> float | None:
    """A process's resident memory in MB (Linux), or None."""
    if pid is None:
        return None
    try:
        with open(f"/proc/{pid}/status") as f:
            return next((int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS:")), None)
    except OSError:
        return None


def kill(proc: Any, conn: Connection | None) -> None:
    """Kill a worker process if it still runs, reap it and close its pipe."""
    if proc is not None:
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if conn is not None:
        conn.close()
