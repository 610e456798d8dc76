"""Every user setting in one table: name, default, help. Loaded once and passed in."""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiwisper.errors import InvalidArgumentError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    """One setting: its name, default value and the help text the UI shows."""

    name: str
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None


SETTINGS: tuple[Setting, ...] = (
    Setting("vad.threshold", 0.5, "Speech probability at which a chunk starts (Silero VAD).", 0.05, 0.95),
    Setting("vad.neg_threshold", 0.35, "Speech probability below which silence is counted (hysteresis).", 0.01, 0.9),
    Setting("vad.min_silence_ms", 300, "Silence that closes a chunk, in milliseconds.", 50, 5000),
    Setting("vad.pre_roll_ms", 300, "Audio kept before the detected speech start, in milliseconds.", 0, 2000),
    Setting("vad.min_speech_ms", 250, "Shorter speech bursts are dropped, in milliseconds.", 0, 5000),
    Setting("vad.max_chunk_s", 20.0, "Longest chunk; longer speech is split at its quietest point.", 2.0, 30.0),
    Setting("recording.mic", "default", "The microphone recorded ('default': the system's default input)."),
    Setting("recording.system", "", "The computer's sound recorded with it, e.g. a call's other side ('': off)."),
    Setting("app.welcomed", False, "The first-run introduction was seen."),
    Setting(
        "recording.auto_stop_minutes", 15, "Stop a recording after this many minutes of silence (0: never).", 0, 600
    ),
    Setting(
        "recording.system_silence_warning_s",
        10.0,
        "Warn when system audio is silent this long while the mic is not.",
        1.0,
        600.0,
    ),
    Setting("transcription.threads", 0, "Threads for the speech engine (0: one per CPU core).", 0, 64),
    Setting(
        "transcription.beam_size",
        5,
        "Beam search width for imported files and re-transcriptions (1: greedy). Live text is decoded greedily, "
        "for its latency; whisper.cpp always decodes greedily.",
        1,
        10,
    ),
    Setting("transcription.model", "", "Model name; empty chooses one for this machine and language."),
    Setting("transcription.language", "en", "Language code, or 'auto' to detect it once per session."),
    Setting("transcription.translate", False, "Translate speech into English (multilingual models)."),
    Setting(
        "transcription.engine",
        "auto",
        "Speech engine: 'auto' (CTranslate2 where its model folder is installed, else whisper.cpp), 'ctranslate2' "
        "(faster on a CPU: bench/results) or 'whisper.cpp'.",
    ),
    Setting(
        "transcription.fast_encoder",
        "live",
        "Shrink whisper.cpp's encoder (audio_ctx) to the chunk: 'partials'; 'live' (partials, and live finals "
        "with at least 15 s of context); 'all' (everything, tightly); 'off'. Faster, at some cost in accuracy "
        "for tight contexts (bench/results).",
    ),
    Setting(
        "transcription.vocabulary",
        "",
        "Words and names that come up in your recordings, separated by commas (given to the engine as a hint).",
    ),
    Setting(
        "transcription.worker_memory_mb",
        3000,
        "Restart the speech engine's process between requests when it uses more memory than this (MB; 0: never).",
        0,
        65536,
    ),
    Setting("transcription.second_pass_model", "", "After Stop, transcribe again with this model (empty: off)."),
    Setting("speakers.auto", True, "After a recording or import is transcribed, find who spoke when."),
    Setting("speakers.live", True, "While recording, label who speaks (a first guess; refined after Stop)."),
    Setting("summaries.auto", True, "Write a meeting's notes when it is transcribed (while recording, part by part)."),
    Setting(
        "summaries.model",
        "",
        "GGUF language model for notes: a file in the models folder or a path (empty: Qwen2.5-Coder-1.5B).",
    ),
    Setting(
        "summaries.endpoint",
        "",
        "Summaries by an OpenAI-compatible server instead, e.g. "
        "http://127.0.0.1:11434/v1 (Ollama). The transcript is sent there: keep it on this computer.",
    ),
    Setting("guard.no_speech_thold", 0.6, "whisper.cpp drops windows above this no-speech probability.", 0.0, 1.0),
    Setting(
        "guard.logprob_thold", -1.0, "Segments below this average log-probability: words marked uncertain.", -5.0, 0.0
    ),
    Setting("guard.max_compression_ratio", 2.4, "Text compressing better than this is a repetition loop.", 1.0, 10.0),
    Setting("guard.low_word_p", 0.5, "Words below this probability are marked as uncertain.", 0.0, 1.0),
)
CHOICES = {
    "transcription.fast_encoder": ("partials", "live", "all", "off"),
    "transcription.engine": ("auto", "ctranslate2", "whisper.cpp"),
}
_BY_NAME = {s.name: s for s in SETTINGS}


DEFAULTS_ENV = "AIWISPER_DEFAULTS"  # JSON of other defaults, e.g. {"summaries.auto": false} (an administrator's)


def _defaults() -> dict[str, Any]:
    values = {s.name: s.default for s in SETTINGS}
    raw = os.environ.get(DEFAULTS_ENV, "")
    try:
        given = json.loads(raw) if raw else {}
    except ValueError:
        log.warning("%s is not JSON: ignored", DEFAULTS_ENV)
        return values
    for name, value in given.items() if isinstance(given, dict) else ():
        try:
            values[name] = validate(name, value)
        except InvalidArgumentError as e:
            log.warning("%s: %s: ignored", DEFAULTS_ENV, e)
    return values


class Settings:
    """Current values: defaults (and those of $AIWISPER_DEFAULTS) overlaid with the user's `settings.json`."""

    def __init__(self, values: dict[str, Any] | None = None, path: Path | None = None) -> None:
        self._path = path
        self._values = _defaults()
        for name, value in (values or {}).items():
            self._values[name] = validate(name, value)

    @classmethod
    def load(cls, path: Path) -> Settings:
        """Read `path` if it exists; unknown names are ignored, bad values reset to defaults."""
        raw: dict[str, Any] = {}
        if path.is_file():
            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                raw = loaded if isinstance(loaded, dict) else {}
            except ValueError:
                raw = {}
        good = {}
        for name, value in raw.items():
            try:
                good[name] = validate(name, value)
            except InvalidArgumentError:
                continue
        return cls(good, path)

    def _read(self, name: str, *kinds: type) -> Any:
        kind = type(_BY_NAME[name].default)  # an unknown name: KeyError, a bug
        if kind not in kinds:
            raise TypeError(f"setting {name} is {kind.__name__}, read as {' or '.join(k.__name__ for k in kinds)}")
        return self._values[name]

    def flag(self, name: str) -> bool:
        """A switch's value."""
        on: bool = self._read(name, bool)
        return on

    def whole(self, name: str) -> int:
        """A whole number's value."""
        n: int = self._read(name, int)
        return n

    def number(self, name: str) -> float:
        """A number's value (whole or not)."""
        return float(self._read(name, int, float))

    def text(self, name: str) -> str:
        """A text's (or a choice's) value."""
        said: str = self._read(name, str)
        return said

    def value(self, name: str) -> bool | int | float | str:
        """Any setting's value, as it is stored (for the settings list)."""
        found: bool | int | float | str = self._values[name]
        return found

    def use(self, name: str, value: Any) -> None:
        """Change one setting for this process only (a command-line option), without saving it."""
        self._values[name] = validate(name, value)

    def set(self, name: str, value: Any) -> None:
        """Change one setting and save the file, if there is one."""
        self._values[name] = validate(name, value)
        if self._path is not None:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self._path.with_suffix(".tmp")
            changed = {k: v for k, v in self._values.items() if v != _BY_NAME[k].default}
            tmp.write_text(json.dumps(changed, indent=2), encoding="utf-8")
            tmp.replace(self._path)


def validate(name: str, value: Any) -> Any:
    """`value` converted to the setting's type, or InvalidArgumentError naming the problem."""
    setting = _BY_NAME.get(name)
    if setting is None:
        raise InvalidArgumentError(f"unknown setting {name!r}")
    kind = type(setting.default)
    if kind is bool:
        if not isinstance(value, bool):
            raise InvalidArgumentError(f"{name} must be true or false")
        return value
    if kind in (int, float):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidArgumentError(f"{name} must be a number")
        if (setting.minimum is not None and value < setting.minimum) or (
            setting.maximum is not None and value > setting.maximum
        ):
            raise InvalidArgumentError(f"{name} must be between {setting.minimum:g} and {setting.maximum:g}")
        return kind(value)
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be text")
    if name in CHOICES and value not in CHOICES[name]:
        raise InvalidArgumentError(f"{name} must be one of {', '.join(CHOICES[name])}")
    return value
