"""CTranslate2 (the engine inside faster-whisper) on the very model folders our ggml files are converted from.

Per 30 s window: features, one encoder pass, language detection when asked, greedy decoding with
timestamps (with OpenAI's fallback to higher temperatures when the text loops or is unlikely), then one
alignment pass that gives every token its time and probability. Audio longer than a window is cut into
windows; the app's chunks never are.
"""

from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.asr.features import WINDOW_FRAMES, WINDOW_SAMPLES, log_mel_window
from aiwisper.asr.types import DecodeOptions, EngineResult, Segment
from aiwisper.asr.whisper_cpp import EngineError
from aiwisper.asr.whisper_tokens import WhisperTokens, piece_segment
from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import normalize

MAX_LENGTH = 448  # Whisper's text context
COMPRESSION_LIMIT = 2.4  # gzip ratio above which a decoding is a loop (OpenAI's default)
BEST_OF = 5  # samples drawn at each fallback temperature
FRAMES_PER_SECOND = 50  # encoder positions


def _compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


class Ct2Engine:
    """Transcribes float32 16 kHz mono audio with a CTranslate2 Whisper model folder (int8 on the CPU)."""

    def __init__(self, model_dir: Path, threads: int | None = None, compute_type: str = "int8") -> None:
        try:
            import ctranslate2
        except ImportError as e:  # pragma: no cover - depends on the install
            raise EngineError("ctranslate2 is not installed: pip install ctranslate2") from e
        if not (model_dir / "model.bin").is_file():
            raise EngineError(f"{model_dir} is not a CTranslate2 model folder (no model.bin)")
        self._ct2: Any = ctranslate2
        self.model_path = model_dir
        self.threads = threads or os.cpu_count() or 1
        try:
            self._model: Any = ctranslate2.models.Whisper(
                str(model_dir), device="cpu", compute_type=compute_type, intra_threads=self.threads
            )
        except (RuntimeError, ValueError) as e:
            raise EngineError(f"cannot load {model_dir}: {e}") from e
        self.multilingual = bool(self._model.is_multilingual)
        self.tokens = WhisperTokens(model_dir, self.multilingual)

    def transcribe(self, audio: npt.NDArray[np.float32], options: DecodeOptions | str | None = None) -> list[Segment]:
        if not isinstance(options, DecodeOptions):
            options = DecodeOptions(language=options)
        return self.run(audio, options).segments

    def run(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> EngineResult:
        if self._model is None:
            raise EngineError("the engine is closed")
        if audio.size == 0:
            return EngineResult([], options.language or "en")
        audio = normalize(np.asarray(audio, dtype=np.float32))
        language = options.language if self.multilingual else "en"
        segments: list[Segment] = []
        for start in range(0, audio.size, WINDOW_SAMPLES):
            window = audio[start : start + WINDOW_SAMPLES]
            if start and window.size < SAMPLE_RATE // 10:
                break  # a tail of under 0.1 s holds no word
            found, language = self._window(window, options, language)
            offset = start * 1000 // SAMPLE_RATE
            segments += [
                Segment(s.start_ms + offset, s.end_ms + offset, s.text, s.avg_logprob,
                        [type(w)(w.text, w.start_ms + offset, w.end_ms + offset, w.p) for w in s.words])
                for s in found
            ]  # fmt: skip
        return EngineResult(segments, language or "en")

    def _window(
        self, audio: npt.NDArray[np.float32], options: DecodeOptions, language: str | None
    ) -> tuple[list[Segment], str | None]:
        ct2 = self._ct2
        mel = log_mel_window(audio)
        if options.audio_ctx:  # a shorter encoder context: whisper.cpp's audio_ctx, in encoder positions
            mel = np.ascontiguousarray(mel[:, : min(WINDOW_FRAMES, 2 * options.audio_ctx)])
        features = ct2.StorageView.from_array(mel[np.newaxis])
        encoded = self._model.encode(features, to_cpu=False)
        if language is None:
            best = self._model.detect_language(encoded)[0][0][0]  # "<|de|>"
            language = best.strip("<|>")
        tokens = self.tokens
        start = tokens.start(language or "en", options.translate)
        prompt = tokens.prompt(options.prompt, start)
        generated, avg_logprob, no_speech = self._decode(encoded, prompt, options)
        if no_speech > options.no_speech_thold and avg_logprob < options.logprob_thold:
            return [], language  # silence: what was decoded is not trusted
        duration = audio.size / SAMPLE_RATE
        pieces = tokens.pieces(generated, duration)
        text_tokens = [t for p in pieces for t in p.tokens]
        if not text_tokens:
            return [], language
        frames = min(audio.size // 160, mel.shape[1])
        aligned = self._model.align(encoded, start, [text_tokens], frames)[0]
        timing = _token_times(aligned.alignments, aligned.text_token_probs, len(text_tokens))
        window_ms = int(duration * 1000)
        out = []
        first = 0
        for piece in pieces:
            words = tokens.words(piece, first, timing, window_ms)
            probs = [p for _, _, p in timing[first : first + len(piece.tokens)]]
            first += len(piece.tokens)
            logp = float(np.mean(np.log(np.maximum(probs, 1e-9)))) if probs else avg_logprob
            segment = piece_segment(tokens, piece, words, logp)
            if segment.text:
                out.append(segment)
        return out, language

    def _decode(self, encoded: Any, prompt: list[int], options: DecodeOptions) -> tuple[list[int], float, float]:
        """Greedy decoding, then sampling at rising temperatures while the text loops or is unlikely; the
        tokens, their mean log-probability and the no-speech probability."""
        max_length = MAX_LENGTH if not options.max_tokens else min(MAX_LENGTH, len(prompt) + options.max_tokens)
        temperatures = [0.0]
        if options.temperature_inc > 0:
            steps = round(1.0 / options.temperature_inc)
            temperatures += [round(options.temperature_inc * i, 2) for i in range(1, steps + 1)]
        best: tuple[list[int], float, float] | None = None
        for temperature in temperatures:
            greedy = temperature == 0
            results = self._model.generate(
                encoded,
                [prompt],
                beam_size=1,
                num_hypotheses=1 if greedy else BEST_OF,
                sampling_topk=1 if greedy else 0,
                sampling_temperature=1.0 if greedy else temperature,
                max_length=max_length,
                return_scores=True,
                return_no_speech_prob=True,
                suppress_blank=True,
                suppress_tokens=[-1],
            )
            result = results[0]
            candidates = []
            for seq, score in zip(result.sequences_ids, result.scores, strict=True):
                # The score is the sum of log-probabilities over the length (length penalty 1).
                avg = score * len(seq) / (len(seq) + 1)
                candidates.append((list(seq), float(avg), float(result.no_speech_prob)))
            tokens, avg, no_speech = max(candidates, key=lambda c: c[1])
            if best is None or avg > best[1]:
                best = (tokens, avg, no_speech)
            too_repetitive = _compression_ratio(self.tokens.text(tokens)) > COMPRESSION_LIMIT
            unlikely = avg < options.logprob_thold
            if no_speech > options.no_speech_thold and unlikely:
                return tokens, avg, no_speech  # silence: no fallback needed
            if not too_repetitive and not unlikely:
                return tokens, avg, no_speech
        assert best is not None
        return best

    def close(self) -> None:
        """Free the model; safe to call twice."""
        self._model = None


def _token_times(alignments: list[Any], probs: list[float], count: int) -> list[tuple[float, float, float]]:
    """(start s, end s, probability) of each text token, from the alignment path: a token starts where the
    path first reaches it and ends where the next one starts."""
    if not alignments:
        return [(0.0, 0.0, float(p)) for p in probs[:count]]
    text_index = np.array([a[0] for a in alignments])
    time_index = np.array([a[1] for a in alignments])
    jumps = np.pad(np.diff(text_index), (1, 0), constant_values=1).astype(bool)
    starts = time_index[jumps] / FRAMES_PER_SECOND
    out = []
    for i in range(count):
        begin = float(starts[min(i, len(starts) - 1)])
        end = float(starts[min(i + 1, len(starts) - 1)])
        out.append((begin, max(begin, end), float(probs[i]) if i < len(probs) else 0.0))
    return out
