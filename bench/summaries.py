"""Summary of a 2-hour meeting transcript (synthetic, 3 speakers, ~18,000 words) by the bundled GGUF through
llama.cpp in the summary worker: map → reduce within the model's context. Prints the wall time, the number of
model calls, the largest prompt against the context, and the worker's peak RSS. Peer, same run: the same model
called directly (in this process, no worker) on the first part's map step, per call, against ours per call.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs
from aiwisper.summaries.gguf import FILE
from aiwisper.summaries.llm import ANSWER, LlamaCpp
from aiwisper.summaries.mapreduce import Budget, pack
from aiwisper.summaries.templates import template
from aiwisper.summaries.worker import SummaryWorker

TOPICS = ["the budget for the pilot", "hiring a second support engineer", "the release on Friday",
          "customer complaints about login", "the van that broke down on the motorway", "moving the office",
          "the quarterly report", "security training"]  # fmt: skip
VERBS = ["we agreed to revisit", "Ann will write up", "Bo is worried about", "nobody owns yet", "let us postpone",
         "the team finished", "we still need numbers for", "Carla will call the vendor about"]  # fmt: skip


def transcript(words: int = 18_000) -> list[str]:
    lines, n, i = [], 0, 0
    while n < words:
        who = ["Ann", "Bo", "Carla"][i % 3]
        line = f"{who}: {VERBS[i % len(VERBS)]} {TOPICS[(i * 7) % len(TOPICS)]}, and then {VERBS[(i + 3) % 8]} " \
               f"{TOPICS[(i * 3 + 1) % len(TOPICS)]} before the next meeting."  # fmt: skip
        lines.append(line)
        n += len(line.split())
        i += 1
    return lines


def run() -> list[dict[str, Any]]:
    path = next(f / FILE for f in ModelRegistry(model_search_dirs()).folders if (f / FILE).is_file())
    lines = transcript()
    direct = LlamaCpp(path)
    parts = pack(lines, Budget(direct.context, ANSWER).text, direct.count)
    largest = max(direct.count(p) for p in parts)
    t = time.perf_counter()
    direct.chat(template("summary").map, parts[0], lambda _: None)
    peer = time.perf_counter() - t
    del direct
    worker = SummaryWorker()
    peak, stop = [0.0], threading.Event()

    def watch() -> None:
        while not stop.wait(0.2):
            peak[0] = max(peak[0], worker.rss_mb() or 0.0)

    calls: set[str] = set()
    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        t = time.perf_counter()
        text, _ = worker.summarize({"kind": "gguf", "path": str(path)}, lines, "summary", "",
                                   lambda _, stage: calls.add(stage), lambda _: None)  # fmt: skip
        ours = time.perf_counter() - t
    finally:
        stop.set()
        watcher.join()
        worker.close()
    assert text.strip()
    per_call = ours / max(1, len(calls))
    return [
        {"name": f"summary of a 2-hour transcript ({sum(len(x.split()) for x in lines):,} words, {len(parts)} parts)",
         "ours": f"{ours:.0f} s, {len(calls)} model calls", "peer": f"direct llama.cpp call {peer:.1f} s",
         "ratio": f"{per_call / peer:.2f} per call", "goal": "fits the context (map → reduce)",
         "met": largest + 96 + ANSWER <= 8192},
        {"name": "summary worker peak RSS", "ours": f"{peak[0]:.0f} MB", "peer": f"largest prompt {largest} tokens",
         "ratio": "—", "goal": f"prompt + answer ≤ context ({8192})", "met": largest + 96 + ANSWER <= 8192},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
