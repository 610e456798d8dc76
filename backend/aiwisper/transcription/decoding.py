"""How a chunk is decoded, per the settings: the engine's files and threads, the prompt (vocabulary and the
text before), the audio context, the beam, and how long a request may take."""

from __future__ import annotations

from pathlib import Path

from aiwisper.asr.engines import engine_path
from aiwisper.asr.types import DecodeOptions
from aiwisper.asr.whisper_cpp import LIVE_FINAL_FLOOR, audio_ctx_for
from aiwisper.asr.worker import default_threads
from aiwisper.audio import SAMPLE_RATE
from aiwisper.models.registry import InstalledModel
from aiwisper.sessions import store
from aiwisper.settings import Settings
from aiwisper.transcription.guard import GuardOptions
from aiwisper.transcription.prompt import engine_prompt


class Decoding:
    """The decoding choices of one transcriber (read from the settings at each request)."""

    timeout_base = 60.0  # seconds a request may take, plus ten times its audio's length

    def __init__(self, settings: Settings, guard: GuardOptions) -> None:
        self.settings = settings
        self.guard = guard

    def prompt(self, session: store.SessionRow, previous: str) -> str:
        """The engine's prompt: the user's vocabulary (the session's, then the global one) and the text before."""
        vocabulary = ", ".join(v for v in (session.vocabulary, self.settings.text("transcription.vocabulary")) if v)
        return engine_prompt(vocabulary, previous)

    def final_ctx(self, path: Path, samples: int, live: bool) -> int:
        """audio_ctx of a final (0: whisper's full 30 s) for the engine loading `path`, per
        `transcription.fast_encoder`.

        CTranslate2 (a model folder) always gets the piece's own length of context, at least 15 s: fewer word
        errors than the full window on the real-speech dev set (tiny.en 11.2% vs 11.4%, base 11.6% vs 14.4%) and
        on LJ Speech (2.7% vs 5.0%) in less time; words the decoder leaves at the end are decoded again
        (Ct2Engine._rest). whisper.cpp gets it for live finals."""
        mode = self.settings.text("transcription.fast_encoder")
        if mode == "all":
            return audio_ctx_for(samples / SAMPLE_RATE)
        if (mode != "off" and path.is_dir()) or (mode == "live" and live):
            return audio_ctx_for(samples / SAMPLE_RATE, floor=LIVE_FINAL_FLOOR)
        return 0

    def beam(self, live: bool) -> int:
        """The beam of a final: `transcription.beam_size`, but greedy (1) for live text, which waits for no beam."""
        return 1 if live else self.settings.whole("transcription.beam_size")

    def options(self, language: str | None, prompt: str, audio_ctx: int, beam_size: int = 1) -> DecodeOptions:
        return DecodeOptions(
            language=language,
            translate=self.settings.flag("transcription.translate"),
            prompt=prompt,
            audio_ctx=audio_ctx,
            no_speech_thold=self.guard.no_speech_thold,
            logprob_thold=self.guard.logprob_thold,
            beam_size=beam_size,
        )

    def engine_path(self, model: InstalledModel) -> Path:
        """What the worker loads for `model`, per `transcription.engine`."""
        return engine_path(model, self.settings.text("transcription.engine"))

    def threads(self) -> int:
        return default_threads(self.settings.whole("transcription.threads"))

    def timeout(self, samples: int) -> float:
        return self.timeout_base + 10.0 * samples / SAMPLE_RATE
