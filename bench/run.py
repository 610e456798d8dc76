"""`make bench`: every benchmark in one run; writes bench/results/latest.json and latest.md."""

from __future__ import annotations

from typing import Any

from bench import memory_session
from bench.common import save


def main() -> None:
    results: list[dict[str, Any]] = []
    results.append(memory_session.run())
    save(results)


if __name__ == "__main__":
    main()
