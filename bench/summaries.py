"""Notes of a 2-hour meeting transcript (synthetic, 3 speakers, ~18,000 words: longer than the notes model's
context) by the bundled GGUF through llama.cpp in the summary worker: map → reduce within the context. Prints
the notes, the wall time, the number of model calls, the largest prompt against the context, and the worker's
peak RSS. Peer, same run: the same model called directly (in this process, no worker) on the first part's map
step, against all of ours.
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
from aiwisper.summaries.templates import NOTES, template
from aiwisper.summaries.worker import SummaryWorker, Transcript

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
    registry = ModelRegistry(model_search_dirs())
    path = next(f / FILE for f in registry.folders if (f / FILE).is_file())
    lines = transcript()
    direct = LlamaCpp(path)
    context = direct.context
    parts = pack(lines, Budget(context, ANSWER).text, direct.count)
    largest = max(direct.count(p) for p in parts)
    t = time.perf_counter()
    direct.chat(template(NOTES).map, parts[0], lambda _: None)
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
        meeting = Transcript(lines, None, registry.embedding_models_dir(), "en", ("Ann", "Bo", "Carla"))
        text, _ = worker.summarize({"kind": "gguf", "path": str(path)}, meeting, NOTES, "",
                                   lambda _, stage: calls.add(stage), lambda _: None)  # fmt: skip
        ours = time.perf_counter() - t
    finally:
        stop.set()
        watcher.join()
        worker.close()
    print(f"--- notes of the 2-hour transcript ({len(parts)} parts, {ours:.0f} s):\n{text}\n", flush=True)
    fits = largest + Budget(context, ANSWER).overhead + ANSWER <= context
    return [
        {"name": f"notes of a 2-hour transcript ({sum(len(x.split()) for x in lines):,} words, synthetic, "
                 f"{len(parts)} parts)",
         "ours": f"{ours:.0f} s, {len(calls)} model calls",
         "peer": f"direct llama.cpp call on the first part {peer:.1f} s",
         "ratio": f"{ours / peer:.2f}", "goal": "fits the context (map → reduce)", "met": fits and bool(text.strip())},
        {"name": "summary worker peak RSS (the notes above)", "ours": f"{peak[0]:.0f} MB",
         "peer": f"largest prompt {largest} tokens", "ratio": "—", "goal": f"prompt + answer ≤ context ({context})",
         "met": fits},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
