"""CTranslate2 (the engine inside faster-whisper) on the very model folders our ggml files are converted from.

Per 30 s window: features, one encoder pass, language detection when asked, greedy or beam-search decoding with
timestamps (with OpenAI's fallback to higher temperatures when the text loops or is unlikely), then one
alignment pass that gives every token its time and probability. Audio longer than a window is cut into
windows; the app's chunks never are.
"""

from __future__ import annotations

import math
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from aiwisper.asr.features import WINDOW_FRAMES, WINDOW_SAMPLES, log_mel_window
from aiwisper.asr.types import DecodeOptions, Engine, EngineResult, Segment, Word
from aiwisper.asr.whisper_cpp import EngineError
from aiwisper.asr.whisper_tokens import WhisperTokens, piece_segment
from aiwisper.audio import SAMPLE_RATE
from aiwisper.audio.level import TARGET_DB, normalize, speech_level_db

MAX_LENGTH = 448  # Whisper's text context
ENTROPY_FLOOR = 2.4  # token entropy below which a decoding is a loop (whisper.cpp's default)
BEST_OF = 5  # samples drawn at each fallback temperature
SEED = 0  # of the sampling at fallback temperatures: the same audio gives the same text in a fresh engine
FRAMES_PER_SECOND = 50  # encoder positions
REST_MIN_S = 0.5  # audio left after the last segment worth a second look (1.5 lost two words a beam left out)
REST_BELOW_DB = 25.0  # … when its speech level is within this of the working level


def _token_entropy(tokens: list[int]) -> float:
    """Entropy (nats) of the last 32 tokens' distribution: low when the decoder loops ("yeah yeah yeah …").

    whisper.cpp's test (threshold 2.4), and like whisper.cpp only on a text of more than 32 tokens: 10 tokens
    that are all different have an entropy of ln 10 = 2.30, so every short sentence ("What your country can do
    for you!") counted as a loop, was sampled again at 5 temperatures, and got the words of a worse sample.
    OpenAI's gzip ratio over the whole window also fires on speech that really repeats itself (a sentence said
    twice in 30 s), and sampling then makes the words worse."""
    if len(tokens) <= 32:
        return math.inf
    last = tokens[-32:]
    _, counts = np.unique(np.asarray(last), return_counts=True)
    p = counts / counts.sum()
    return float(-(p * np.log(p)).sum())


class Ct2Engine(Engine):
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
        # CTranslate2 seeds each of its threads' generators once, from this, when the thread first samples.
        ctranslate2.set_random_seed(SEED)
        try:
            self._model: Any = ctranslate2.models.Whisper(
                str(model_dir), device="cpu", compute_type=compute_type, intra_threads=self.threads
            )
        except (RuntimeError, ValueError) as e:
            raise EngineError(f"cannot load {model_dir}: {e}") from e
        self.multilingual = bool(self._model.is_multilingual)
        self.tokens = WhisperTokens(model_dir, self.multilingual)

    def run(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> EngineResult:
        return self._run(audio, options, rest=True)

    def _run(self, audio: npt.NDArray[np.float32], options: DecodeOptions, *, rest: bool) -> EngineResult:
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
            if rest:
                found += self._rest(window, found, options, language)
            segments += _shifted(found, start)
        return EngineResult(segments, language or "en")

    def _rest(
        self, audio: npt.NDArray[np.float32], found: list[Segment], options: DecodeOptions, language: str | None
    ) -> list[Segment]:
        """The words after the last segment, when the decoder stopped while speech went on (it may end early
        when a piece ends mid-sentence, and a beam may end a word or two early: "… or printing" without "beautiful
        letters", 1.2 s before the end): the rest is decoded on its own, with the text before as its prompt.
        Once: the rest's own rest is not looked at. Not when translating: the times of translated text do not
        follow the audio, and the same sentence would come back for a rest that was already said."""
        if options.translate or not found:
            return []
        covered = found[-1].end_ms * SAMPLE_RATE // 1000
        rest = audio[max(0, covered - SAMPLE_RATE // 5) :]
        if audio.size - covered < REST_MIN_S * SAMPLE_RATE or speech_level_db(rest) < TARGET_DB - REST_BELOW_DB:
            return []
        text = " ".join(s.text for s in found)
        again = replace(options, prompt=f"{options.prompt} {text}".strip(), language=language)
        return _shifted(self._run(rest, again, rest=False).segments, audio.size - rest.size)

    def run_batch(self, audios: list[npt.NDArray[np.float32]], options: list[DecodeOptions]) -> list[EngineResult]:
        """Several pieces of up to 30 s each in one encoder pass and one decoding: faster on a CPU than one by one
        (Whisper's decoder is small; a batch keeps the cores busy). The pieces must share the prompt, language and
        task (the decoder needs its start at one position in all); otherwise, and for a piece that needs the
        temperature fallback, they are transcribed one by one."""
        if self._model is None:
            raise EngineError("the engine is closed")
        shared = {
            (o.prompt, o.language if self.multilingual else "en", o.translate, o.max_tokens, o.beam_size)
            for o in options
        }
        if (len(audios) < 2 or len(shared) != 1 or next(iter(shared))[1] is None
                or any(a.size == 0 or a.size > WINDOW_SAMPLES for a in audios)):  # fmt: skip
            return [self.run(a, o) for a, o in zip(audios, options, strict=True)]
        audios = [normalize(np.asarray(a, dtype=np.float32)) for a in audios]
        first = options[0]
        language = first.language if self.multilingual else "en"
        assert language is not None
        mels = np.stack([self._mel(a, max(options, key=lambda o: o.audio_ctx or 10**6)) for a in audios])
        encoded = self._model.encode(self._ct2.StorageView.from_array(mels), to_cpu=False)
        start = self.tokens.start(language, first.translate)
        prompt = self.tokens.prompt(first.prompt, start)
        greedy = self._generate(encoded, [prompt] * len(audios), first, 0.0)
        out: list[EngineResult] = []
        rows = np.asarray(encoded)
        for i, (audio, opt) in enumerate(zip(audios, options, strict=True)):
            tokens, avg, no_speech = greedy[i][0]
            if self._needs_fallback(tokens, avg, no_speech, opt):
                out.append(self.run(audio, opt))
                continue
            one = self._ct2.StorageView.from_array(np.ascontiguousarray(rows[i : i + 1]))
            found = self._segments(one, start, audio.size, mels.shape[2], (tokens, avg, no_speech), opt)
            out.append(EngineResult(found + self._rest(audio, found, opt, language), language))
        return out

    def _mel(self, audio: npt.NDArray[np.float32], options: DecodeOptions) -> npt.NDArray[np.float32]:
        mel = log_mel_window(audio)
        if options.audio_ctx:  # a shorter encoder context: whisper.cpp's audio_ctx, in encoder positions
            mel = np.ascontiguousarray(mel[:, : min(WINDOW_FRAMES, 2 * options.audio_ctx)])
        return mel

    def _window(
        self, audio: npt.NDArray[np.float32], options: DecodeOptions, language: str | None
    ) -> tuple[list[Segment], str | None]:
        mel = self._mel(audio, options)
        encoded = self._model.encode(self._ct2.StorageView.from_array(mel[np.newaxis]), to_cpu=False)
        if language is None:
            best = self._model.detect_language(encoded)[0][0][0]  # "<|de|>"
            language = best.strip("<|>")
        start = self.tokens.start(language or "en", options.translate)
        decoded = self._decode(encoded, self.tokens.prompt(options.prompt, start), options)
        return self._segments(encoded, start, audio.size, mel.shape[1], decoded, options), language

    def _segments(
        self, encoded: Any, start: list[int], samples: int, mel_frames: int,
        decoded: tuple[list[int], float, float], options: DecodeOptions,
    ) -> list[Segment]:  # fmt: skip
        """The segments of one decoded window, with word times and probabilities from an alignment pass."""
        generated, avg_logprob, no_speech = decoded
        if no_speech > options.no_speech_thold and avg_logprob < options.logprob_thold:
            return []  # silence: what was decoded is not trusted
        tokens = self.tokens
        duration = samples / SAMPLE_RATE
        pieces = tokens.sentences(tokens.pieces(generated, duration))
        text_tokens = [t for p in pieces for t in p.tokens]
        if not text_tokens:
            return []
        frames = min(samples // 160, mel_frames)
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
        return out

    def _generate(
        self, encoded: Any, prompts: list[list[int]], options: DecodeOptions, temperature: float
    ) -> list[list[tuple[list[int], float, float]]]:
        """For each prompt, its hypotheses: (tokens, mean log-probability, no-speech probability). At temperature 0
        the best of a beam search when `options.beam_size` > 1 (the fallback samples are drawn one token at a time)."""
        greedy = temperature == 0
        max_length = MAX_LENGTH
        if options.max_tokens:
            max_length = min(MAX_LENGTH, len(prompts[0]) + options.max_tokens)
        results = self._model.generate(
            encoded,
            prompts,
            beam_size=max(1, options.beam_size) if greedy else 1,
            num_hypotheses=1 if greedy else BEST_OF,
            sampling_topk=1 if greedy else 0,
            sampling_temperature=1.0 if greedy else temperature,
            max_length=max_length,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )
        # A score is the sum of the log-probabilities over the length (length penalty 1).
        return [
            [(list(seq), float(score * len(seq) / (len(seq) + 1)), float(r.no_speech_prob))
             for seq, score in zip(r.sequences_ids, r.scores, strict=True)]
            for r in results
        ]  # fmt: skip

    def _needs_fallback(self, tokens: list[int], avg: float, no_speech: float, options: DecodeOptions) -> bool:
        """The text loops or is unlikely (and is not silence): decode again at a higher temperature."""
        unlikely = avg < options.logprob_thold
        if no_speech > options.no_speech_thold and unlikely:
            return False
        return unlikely or self._loops(tokens)

    def _loops(self, tokens: list[int]) -> bool:
        return _token_entropy([t for t in tokens if t < self.tokens.eot]) < ENTROPY_FLOOR

    def _decode(self, encoded: Any, prompt: list[int], options: DecodeOptions) -> tuple[list[int], float, float]:
        """Greedy decoding, then sampling at rising temperatures while the text loops or is unlikely; the
        tokens, their mean log-probability and the no-speech probability.

        The first decoding that passes wins (the likeliest of a temperature's samples). When none passes, the
        likeliest that does not loop: a loop is the likeliest text of all, and would otherwise win."""
        temperatures = [0.0]
        if options.temperature_inc > 0:
            steps = round(1.0 / options.temperature_inc)
            temperatures += [round(options.temperature_inc * i, 2) for i in range(1, steps + 1)]
        tried: list[tuple[list[int], float, float]] = []
        for temperature in temperatures:
            candidates = self._generate(encoded, [prompt], options, temperature)[0]
            passed = [c for c in candidates if not self._needs_fallback(*c, options)]
            if passed:
                return max(passed, key=lambda c: c[1])
            tried += candidates
        fluent = [c for c in tried if not self._loops(c[0])]
        return max(fluent or tried, key=lambda c: c[1])

    def close(self) -> None:
        """Free the model; safe to call twice."""
        self._model = None


def _shifted(segments: list[Segment], samples: int) -> list[Segment]:
    """`segments` of audio that starts `samples` into the piece, in the piece's time."""
    ms = samples * 1000 // SAMPLE_RATE
    return [
        Segment(s.start_ms + ms, s.end_ms + ms, s.text, s.avg_logprob,
                [Word(w.text, w.start_ms + ms, w.end_ms + ms, w.p) for w in s.words])
        for s in segments
    ]  # fmt: skip


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
