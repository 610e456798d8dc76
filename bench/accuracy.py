"""Accuracy on real speech recorded by others: every dev clip through `aiwisper transcribe` and through
faster-whisper (int8 and float32 at its default beam of 5, the beam our files get; and int8 greedy) on the same
CTranslate2 source model, in the same run.

English clips: tiny.en (ours: tiny.en-q8_0, the default); the other languages: base (ours: base-q8_0) with
the language detected, as a user who does not set it. Word error rate per group on fairly normalized text
(lower case, punctuation out, numbers spelled in the clip's language, `[left channel]` tags out), number of
empty transcripts, and the time of each whole batch (one process each, model load included). Also: ours again
with an irrelevant vocabulary (it must not cost words), and translation to English of the non-English clips
(no English references exist: scored by the share of English function words, as in the tests).

Level change: the same clips again at −6 dB and +3 dB (a change a user would not notice; 24-bit WAV copies of
the decoded clip, peaks clipped at full scale), through ours and faster-whisper int8. The app normalizes what
the engine hears, so its engine gets the same chunks and the same samples to within float rounding (≤ 2e-7);
faster-whisper hears the level as given. The spread of each system's group WER over these copies is how far
a group of 5 clips moves on a change that does not matter: the scale against which a group's difference of
a few words is to be read.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
import wave
from collections import defaultdict
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import jiwer
import numpy as np
from num2words import num2words
from tests.realspeech import DevClip, dev_clips
from tests.test_real_world_audio import english_ratio

from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.pcm import SESSION_WIDTH, float_to_steps, steps_to_bytes
from aiwisper.files.decode import decode_16k, probe
from aiwisper.models.sources import SOURCES, model_directory

THREADS = 2
BEAM = 5  # faster-whisper's default, and ours for files (`transcription.beam_size`)
IRRELEVANT = "Rotterdam, Kubernetes, Fisichella, Oravec"
LEVELS_DB = (-6.0, 3.0)  # the level-change copies (0 dB is the clip itself)
ALL_LEVELS_DB = sorted((0.0, *LEVELS_DB))


def normalize(text: str, language: str) -> str:
    """Lower case, tags and punctuation out, numbers spelled in `language`, hyphens and apostrophes as spaces."""
    text = re.sub(r"\[[^\]]*\]", " ", text.lower())
    text = re.sub(r"\d+", lambda m: " " + num2words(int(m.group()), lang=language) + " ", text)
    text = re.sub(r"[-–—'’]", " ", text)
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def _ours(
    files: list[Path], model: str, language: str, out: Path, data: Path, *extra: str
) -> tuple[float, dict[str, str]]:
    aiwisper = str(Path(sys.executable).parent / "aiwisper")
    cmd = [aiwisper, "transcribe", *map(str, files), "--model", model, "--language", language, "--format", "json",
           "-o", str(out), "--data-dir", str(data), *extra]  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"aiwisper transcribe failed: {proc.stderr[-2000:]}")
    docs = {f.name: json.loads((out / f"{f.stem}.json").read_text(encoding="utf-8")) for f in files}
    return elapsed, {name: _by_source(doc) for name, doc in docs.items()}


def _by_source(doc: dict[str, Any]) -> str:
    """The text of each source in turn (a stereo call's left side, then its right: the order of the references'
    `[left channel] … [right channel] …`), as a concatenated-per-speaker WER compares speakers' words."""
    return " ".join(s["text"] for source in doc["sources"] for s in doc["segments"] if s["source"] == source)


def _fw(
    files: list[Path], ct2: Path, compute: str, language: str, task: str = "transcribe", beam: int = BEAM
) -> tuple[float, dict[str, str]]:
    env = {**os.environ, "OMP_NUM_THREADS": str(THREADS), "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    cmd = [sys.executable, "-m", "bench.fw_batch", str(ct2), compute, str(THREADS), language, task, str(beam),
           *map(str, files)]  # fmt: skip
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=3600, env=env)
    elapsed = time.perf_counter() - t
    if proc.returncode != 0:
        raise RuntimeError(f"faster-whisper failed: {proc.stderr[-2000:]}")
    return elapsed, json.loads(proc.stdout.strip().splitlines()[-1])


def _wer(clips: list[DevClip], texts: dict[str, str]) -> float:
    refs = [normalize(c.text, c.language) for c in clips]
    hyps = [normalize(texts.get(c.file, ""), c.language) for c in clips]
    return float(jiwer.wer(refs, hyps))


def run() -> list[dict[str, Any]]:
    clips = dev_clips()
    scored = [c for c in clips if c.text.strip()]
    english = [c for c in clips if c.language == "en"]
    other = [c for c in clips if c.language != "en"]
    systems: dict[str, dict[str, str]] = defaultdict(dict)
    times: dict[str, float] = defaultdict(float)
    with tempfile.TemporaryDirectory(prefix="aiwisper-accuracy-") as tmp:
        root = Path(tmp)
        jobs = [(english, "tiny.en-q8_0", "en", "tiny.en"), (other, "base-q8_0", "auto", "base")]
        for group, model, language, source_name in jobs:
            files = [c.path for c in group]
            source = next(s for s in SOURCES if s.name == source_name)
            with model_directory(source) as ct2:
                runs: dict[str, Callable[[], tuple[float, dict[str, str]]]] = {
                    "ours": partial(_ours, files, model, language, root / f"o-{model}", root / "data"),
                    "faster-whisper int8": partial(_fw, files, ct2, "int8", language),
                    "faster-whisper float32": partial(_fw, files, ct2, "float32", language),
                    "faster-whisper int8 greedy": partial(_fw, files, ct2, "int8", language, beam=1),
                    "ours, irrelevant vocabulary": partial(_ours, files, model, language, root / f"v-{model}",
                                                           root / "data", "--vocabulary", IRRELEVANT),
                }  # fmt: skip
                for gain in LEVELS_DB:
                    copies = _scaled(files, gain, root / f"scaled{gain:+.0f}-{source_name}")
                    runs[f"ours {gain:+.0f} dB"] = partial(
                        _ours, copies, model, language, root / f"o{gain:+.0f}-{model}", root / "data"
                    )
                    runs[f"faster-whisper int8 {gain:+.0f} dB"] = partial(_fw, copies, ct2, "int8", language)
                by_stem = {f.stem: f.name for f in files}  # a level copy is a .wav of the clip's name
                for label, call in runs.items():
                    elapsed, texts = call()
                    systems[label].update({by_stem[Path(k).stem]: v for k, v in texts.items()})
                    times[label] += elapsed
                    print(f"  {label:30} {source_name:8} {len(files)} clips {elapsed:6.1f} s", flush=True)
        translated: dict[str, dict[str, str]] = {}
        files = [c.path for c in other]
        translated["ours"] = _translate_ours(files, root)
        with model_directory(next(s for s in SOURCES if s.name == "base")) as ct2:
            translated["faster-whisper int8"] = _fw(files, ct2, "int8", "auto", "translate")[1]
    return _table(scored, clips, systems, times, other, translated)


def _scaled(files: list[Path], gain_db: float, folder: Path) -> list[Path]:
    """Each file decoded (a stereo file keeps its two channels), scaled by `gain_db` and written as a 16 kHz
    24-bit WAV of the same name (.wav). Not dithered, unlike the app's `WavWriter`: the copies are to differ from
    the clip by the gain alone."""
    folder.mkdir()
    out = []
    for f in files:
        audio = np.concatenate(list(decode_16k(f, channels=min(probe(f).channels, 2))))
        steps = float_to_steps(audio * np.float32(10 ** (gain_db / 20)), SESSION_WIDTH)
        copy = folder / f"{f.stem}.wav"
        with wave.open(str(copy), "wb") as w:
            w.setnchannels(1 if audio.ndim == 1 else audio.shape[1])
            w.setsampwidth(SESSION_WIDTH)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(steps_to_bytes(steps.reshape(-1), SESSION_WIDTH))
        out.append(copy)
    return out


def _translate_ours(files: list[Path], root: Path) -> dict[str, str]:
    data = root / "data-translate"
    data.mkdir()
    (data / "settings.json").write_text('{"transcription.translate": true}')
    return _ours(files, "base-q8_0", "auto", root / "translated", data)[1]


def _table(
    scored: list[DevClip], clips: list[DevClip], systems: dict[str, dict[str, str]], times: dict[str, float],
    other: list[DevClip], translated: dict[str, dict[str, str]],
) -> list[dict[str, Any]]:  # fmt: skip
    groups: dict[str, list[DevClip]] = defaultdict(list)
    for c in scored:
        groups[c.group].append(c)
    groups["all"] = scored
    rows = []
    names = ("ours", "faster-whisper int8", "faster-whisper float32", "ours, irrelevant vocabulary",
             "faster-whisper int8 greedy")  # fmt: skip
    ours, int8, f32, vocab, greedy = (systems[k] for k in names)
    for name, members in sorted(groups.items()):
        mine, theirs = _wer(members, ours), _wer(members, int8)
        rows.append({
            "name": f"accuracy {name} ({len(members)} clips): WER ours vs faster-whisper int8 (both beam {BEAM})",
            "ours": f"{mine * 100:.1f}% (with an irrelevant vocabulary {_wer(members, vocab) * 100:.1f}%)",
            "peer": f"{theirs * 100:.1f}% (float32 {_wer(members, f32) * 100:.1f}%, int8 greedy "
                    f"{_wer(members, greedy) * 100:.1f}%)",
            "ratio": f"{(mine / theirs):.2f}" if theirs else "—",
            "goal": "≤ faster-whisper int8",
            "met": mine <= theirs + 1e-9,
        })  # fmt: skip
    for name, members in sorted(groups.items()):
        spread = {who: [_wer(members, systems[f"{who} {g:+.0f} dB" if g else who]) for g in ALL_LEVELS_DB]
                  for who in ("ours", "faster-whisper int8")}  # fmt: skip
        ranges = {who: max(w) - min(w) for who, w in spread.items()}
        levels = " / ".join(f"{g:+.0f}" for g in ALL_LEVELS_DB)
        rows.append({
            "name": f"accuracy {name}, the same clips at {levels} dB: WER ours vs faster-whisper int8 (spread: how "
                    "far the group moves on a change that does not matter)",
            "ours": " / ".join(f"{w * 100:.1f}" for w in spread["ours"]) + f"% ({ranges['ours'] * 100:.1f})",
            "peer": " / ".join(f"{w * 100:.1f}" for w in spread["faster-whisper int8"])
                    + f"% ({ranges['faster-whisper int8'] * 100:.1f})",
            "goal": "—",
        })  # fmt: skip
    empty = {k: sum(1 for c in clips if not systems[k].get(c.file, "").strip()) for k in systems}
    rows.append({"name": f"accuracy: empty transcripts of {len(clips)} dev clips", "ours": str(empty["ours"]),
                 "peer": f"int8 {empty['faster-whisper int8']}, float32 {empty['faster-whisper float32']}",
                 "goal": "0", "met": empty["ours"] == 0})  # fmt: skip
    rows.append({"name": "accuracy: time for all dev clips (one process per batch, model load included)",
                 "ours": f"{times['ours']:.1f} s", "peer": f"int8 {times['faster-whisper int8']:.1f} s, "
                 f"float32 {times['faster-whisper float32']:.1f} s",
                 "ratio": f"{times['ours'] / times['faster-whisper int8']:.2f}", "goal": "—"})  # fmt: skip
    ratios = {k: sum(english_ratio(v.get(c.file, "")) for c in other) / len(other) for k, v in translated.items()}
    rows.append({"name": f"accuracy: translation to English of {len(other)} de/fr/es/pt clips (share of English "
                 "function words; English prose ≈ 0.4, the untranslated clips ≈ 0.0)",
                 "ours": f"{ratios['ours']:.2f}", "peer": f"int8 {ratios['faster-whisper int8']:.2f}",
                 "goal": "≥ 0.2", "met": ratios["ours"] >= 0.2})  # fmt: skip
    rows[0]["raw"] = {"texts": dict(systems), "translated": translated, "times": dict(times)}
    return rows


if __name__ == "__main__":
    from bench.common import save

    save(run())
