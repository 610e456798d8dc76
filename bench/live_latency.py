"""Live latency: speech with pauses replayed at real-time pace through the whole app, timed on the WebSocket.

Replay source (20 ms blocks, real-time pace) → mixer → WAV → Silero VAD →
chunk queue → worker process → SQLite → event hub → the real local server's
/ws → a WebSocket client in this process, which stamps each message on arrival.

Per model: end of speech → final text on the WebSocket (p50, p95), speech
start → first partial (p50), the worker's real-time factor on finals, and the
largest number of chunks ever waiting. The peer is the worker's own time for
the same chunk (what transcription alone costs), so the ratio is the
pipeline's overhead factor; goals are absolute, for the default model
(tiny.en: p50 ≤ 0.5 s, p95 ≤ 1.0 s, first partial ≤ 1.0 s, no growth of the queue).
"""

from __future__ import annotations

import json
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import simple_websocket
from tests.pipeline import SR, Replay, count_trips, speech_with_pauses

from aiwisper.api.server import LocalServer
from aiwisper.asr.worker import EngineWorker
from aiwisper.models.registry import ModelRegistry
from aiwisper.paths import model_search_dirs
from aiwisper.services import Services
from aiwisper.sessions import store
from aiwisper.sessions.recorder import RecordConfig
from aiwisper.settings import Settings

MODELS = os.environ.get("AIWISPER_BENCH_LIVE_MODELS", "tiny.en-q8_0,base-q8_0").split(",")
ENGINES = os.environ.get("AIWISPER_BENCH_ENGINES", "ctranslate2,whisper.cpp").split(",")  # the first is the default
REPEATS = int(os.environ.get("AIWISPER_BENCH_LIVE_REPEATS", "2"))
CLOSE_AFTER_END_MS = 300 - 150  # vad.min_silence_ms − the segmenter's post-roll: a chunk ends 150 ms into its silence


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


class _Timed:
    """Records how long each worker request takes (audio seconds, wall seconds, was it a partial)."""

    def __init__(self, worker: EngineWorker) -> None:
        self.calls: list[tuple[float, float, bool]] = []
        inner: Callable[..., Any] = worker.transcribe

        def timed(model_path: Path, threads: int, audio: Any, options: Any, timeout: float) -> Any:
            t = time.monotonic()
            try:
                return inner(model_path, threads, audio, options, timeout)
            finally:
                self.calls.append((len(audio) / SR, time.monotonic() - t, options.max_tokens > 0))

        worker.transcribe = timed  # type: ignore[method-assign]


def _listen(url: str, messages: list[tuple[float, dict[str, Any]]], stop: threading.Event) -> None:
    ws = simple_websocket.Client.connect(url)
    try:
        while not stop.is_set():
            msg = ws.receive(timeout=0.2)
            if msg is not None:
                messages.append((time.monotonic(), json.loads(msg)))
    finally:
        ws.close()


def run_model(model: str, registry: ModelRegistry, engine: str) -> dict[str, Any]:
    one, spans1, _ = speech_with_pauses(pause_s=2.5, clips=8)
    audio = np.concatenate([one] * REPEATS)
    spans = [(a + k * len(one), b + k * len(one)) for k in range(REPEATS) for a, b in spans1]
    factory = Replay(audio, speed=1.0)
    with tempfile.TemporaryDirectory(prefix="aiwisper-live-") as tmp:
        svc = Services(Path(tmp), Settings({"transcription.engine": engine}), registry=registry, source_factory=factory)
        server = LocalServer(svc)
        assert svc.transcriber is not None
        timed = _Timed(svc.transcriber.worker)
        messages: list[tuple[float, dict[str, Any]]] = []
        stop = threading.Event()
        listener = threading.Thread(
            target=_listen, args=(f"ws://127.0.0.1:{server.port}/ws?token={server.token}", messages, stop)
        )
        listener.start()
        max_pending = 0
        read = svc.db.read  # the bench's own look at the queue is not counted
        trips = count_trips(svc.db)
        try:
            session = svc.recorder.start(RecordConfig(language="en", model=model))
            src = factory.sources[0]
            while not src.finished.wait(0.25):
                pending = read(lambda c: store.count_pending(c, session.id))
                max_pending = max(max_pending, pending)
            during = list(trips)
            live_chunks = sum(1 for _, m in messages if m.get("type") == "chunk_transcribed")
            svc.recorder.stop()
            svc.transcriber.wait_idle(120)
            time.sleep(0.5)
        finally:
            stop.set()
            listener.join(10)
            server.close()
            svc.close()
    assert src.started_at is not None
    t0 = src.started_at
    finals = [(t, m) for t, m in messages if m.get("type") == "chunk_transcribed"]
    partials = [(t, m) for t, m in messages if m.get("type") == "partial_transcript"]
    final_lat, partial_lat, after_close = [], [], []
    for a, b in spans:
        a_ms, b_ms = a * 1000 // SR, b * 1000 // SR
        # The final that covers the end of this utterance (chunks end a little after the speech).
        fin = [t for t, m in finals if m["start_ms"] <= b_ms <= m["end_ms"] + 500 and m["end_ms"] > a_ms]
        if fin:
            final_lat.append(min(fin) - (t0 + b / SR))
            m = next(m for t, m in finals if t == min(fin))
            closed_at = t0 + (m["end_ms"] + CLOSE_AFTER_END_MS) / 1000  # the VAD closes a chunk this long after its end
            after_close.append(min(fin) - closed_at)
        part = [t for t, m in partials if m["start_ms"] <= a_ms + 500 and m["end_ms"] > a_ms]
        if part:
            partial_lat.append(min(part) - (t0 + a / SR))
            if os.environ.get("AIWISPER_BENCH_DEBUG"):
                tp, pm = min((t, m) for t, m in partials if t == min(part))
                print(
                    f"  speech {a_ms} ms: partial [{pm['start_ms']}, {pm['end_ms']}] arrived at "
                    f"{(tp - t0) * 1000:.0f} ms ({(tp - t0) * 1000 - pm['end_ms']:.0f} ms after its audio end)"
                )
        if fin and os.environ.get("AIWISPER_BENCH_DEBUG"):
            tf, fm = min(((t, m) for t, m in finals if t == min(fin)), key=lambda x: x[0])
            print(
                f"  speech end {b_ms} ms: final [{fm['start_ms']}, {fm['end_ms']}] arrived at "
                f"{(tf - t0) * 1000:.0f} ms ({(tf - t0) * 1000 - fm['end_ms']:.0f} ms after chunk end)"
            )
    finals_calls = [(s, w) for s, w, is_partial in timed.calls if not is_partial]
    audio_s = sum(s for s, _ in finals_calls)
    work_s = sum(w for _, w in finals_calls)
    engine_only = statistics.median([w for _, w in finals_calls]) if finals_calls else float("nan")
    p50, p95 = _pct(final_lat, 50), _pct(final_lat, 95)
    first = _pct(partial_lat, 50)
    tiny = model.startswith("tiny") and engine == ENGINES[0]  # the default
    per_chunk = sum(1 for t in during if "_store" in t or "insert" in t) / max(live_chunks, 1)
    other = [t for t in during if "_store" not in t and "insert" not in t]
    print(f"  database trips while recording: {len(during)} for {live_chunks} live chunks ({per_chunk:.2f} per chunk"
          f" on its way; {len(other)} others: {sorted(set(t.split(' at ')[0][:60] for t in other))})")  # fmt: skip
    ahead = svc.transcriber.chunks.ahead
    print(
        f"  finals computed ahead and used: {ahead.taken} of {live_chunks} live chunks ({ahead.refused} refused); "
        f"final after the VAD closed its chunk: p50 {_pct(after_close, 50):.3f} s, p95 {_pct(after_close, 95):.3f} s"
    )
    print(f"{model} {engine}: finals {len(final_lat)}/{len(spans)} p50 {p50:.2f} s p95 {p95:.2f} s; first partial p50 "
          f"{first:.2f} s ({len(partial_lat)}); RTF {work_s / audio_s:.3f}; max pending {max_pending}")  # fmt: skip
    return {
        "name": f"live {model}, {engine}: end of speech → final on the WebSocket (p50 / p95)",
        "ours": f"{p50:.2f} / {p95:.2f} s; first partial p50 {first:.2f} s",
        "peer": f"engine alone {engine_only:.2f} s per chunk (median)",
        "ratio": f"{p50 / engine_only:.2f}",
        "goal": "p50 ≤ 0.5 s, p95 ≤ 1.0 s, first partial ≤ 1.0 s, queue ≤ 1" if tiny else "—",
        "met": (p50 <= 0.5 and p95 <= 1.0 and first <= 1.0 and max_pending <= 1) if tiny else None,
        "note": f"{len(final_lat)}/{len(spans)} utterances timed; p50 − engine {p50 - engine_only:+.2f} s "
        "(goal ≤ 0.10); "
        f"database trips per live chunk {per_chunk:.2f} (goal ≤ 2; {len(other)} others in the recording); "
        f"finals ready when their chunk closed: {ahead.taken}/{live_chunks} ({ahead.refused} computed ahead, "
        f"not used); on the WebSocket {_pct(after_close, 50):.2f} s (p50) after the VAD closed the chunk "
        f"({CLOSE_AFTER_END_MS + 150} ms of silence after the speech); "
        f"worker RTF {work_s / audio_s:.3f} on finals; "
        f"most chunks waiting at once: {max_pending} ({'no growth' if max_pending <= 1 else 'queue grew'})",
        "raw": {"final": final_lat, "first_partial": partial_lat, "worker_calls": timed.calls},
    }


def run() -> list[dict[str, Any]]:
    registry = ModelRegistry(model_search_dirs())
    return [run_model(m, registry, e) for m in MODELS for e in ENGINES]


if __name__ == "__main__":
    from bench.common import save

    save(run())
