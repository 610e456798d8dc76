"""Whisper's tokens for a CTranslate2 model: the prompt going in, segments and words coming out. Pure logic
over the model folder's `tokenizer.json` (read with the `tokenizers` package)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from aiwisper.asr.types import Segment, Word
from aiwisper.models.vocab import token_bytes

PROMPT_TOKENS = 223  # Whisper keeps at most half its 448-token context for the previous text, less one
SECONDS_PER_TIMESTAMP = 0.02
SENTENCE_ENDS = (".", "?", "!", "…", "。", "？", "！", '."', '?"', '!"')


@dataclass(frozen=True)
class TextPiece:
    """Text tokens between two timestamps, with their times in the window (seconds)."""

    start: float
    end: float
    tokens: list[int]


class WhisperTokens:
    """The vocabulary of one model: special token ids, prompt encoding, token bytes."""

    def __init__(self, model_dir: Path, multilingual: bool) -> None:
        from tokenizers import Tokenizer

        self._tok: Any = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.multilingual = multilingual
        self.eot = self._id("<|endoftext|>")
        self.sot = self._id("<|startoftranscript|>")
        self.sot_prev = self._id("<|startofprev|>")
        self.transcribe = self._id("<|transcribe|>")
        self.translate = self._id("<|translate|>")
        self.no_timestamps = self._id("<|notimestamps|>")
        self.timestamp_begin = self.no_timestamps + 1
        self._bytes: dict[int, bytes] = {}

    def _id(self, token: str) -> int:
        found = self._tok.token_to_id(token)
        if found is None:
            raise ValueError(f"tokenizer.json has no {token}")
        return int(found)

    def language_id(self, code: str) -> int:
        return self._id(f"<|{code}|>")

    def start(self, language: str, translate: bool) -> list[int]:
        """The start of a transcript: <|startoftranscript|>, then the language and task for a multilingual model."""
        if not self.multilingual:
            return [self.sot]
        return [self.sot, self.language_id(language), self.translate if translate else self.transcribe]

    def prompt(self, text: str, start: list[int]) -> list[int]:
        """What the decoder is given: the previous text (its last tokens) before the start sequence."""
        text = text.strip()
        if not text:
            return start
        ids = self._tok.encode(" " + text, add_special_tokens=False).ids[-PROMPT_TOKENS:]
        return [self.sot_prev, *ids, *start]

    def piece(self, token: int) -> bytes:
        """The raw bytes of a text token."""
        cached = self._bytes.get(token)
        if cached is None:
            cached = self._bytes[token] = token_bytes(self._tok.id_to_token(token) or "")
        return cached

    def text(self, tokens: list[int]) -> str:
        return b"".join(self.piece(t) for t in tokens if t < self.eot).decode("utf-8", "replace").strip()

    def pieces(self, tokens: list[int], duration: float) -> list[TextPiece]:
        """Split generated tokens at timestamp pairs (OpenAI's rule); text after the last pair ends at the last
        timestamp or, without one, at `duration`."""
        out: list[TextPiece] = []
        text: list[int] = []
        start: float | None = None
        last_time = 0.0
        for t in tokens:
            if t == self.eot:
                break
            if t >= self.timestamp_begin:
                time = min(duration, (t - self.timestamp_begin) * SECONDS_PER_TIMESTAMP)  # none past the audio
                if start is None:
                    start = time
                elif text:
                    out.append(TextPiece(start, max(time, start), text))
                    text, start = [], None
                else:
                    start = time  # two timestamps in a row: the second opens the next piece
                last_time = time
            elif t < self.eot:
                text.append(t)
                if start is None:
                    start = last_time
        if text:
            begin = start if start is not None else last_time
            out.append(TextPiece(begin, max(duration, begin), text))
        return out

    def sentences(self, pieces: list[TextPiece]) -> list[TextPiece]:
        """Pieces joined until one ends a sentence: Whisper's timestamps also fall mid-sentence ("… can do for
        you" | "ask what you …"), and a segment is what a reader reads and what search by meaning embeds."""
        out: list[TextPiece] = []
        for piece in pieces:
            if out and not self.text(out[-1].tokens).endswith(SENTENCE_ENDS):
                last = out[-1]
                out[-1] = TextPiece(last.start, max(last.end, piece.end), last.tokens + piece.tokens)
            else:
                out.append(piece)
        return out

    def words(
        self, piece: TextPiece, offset: int, alignment: list[tuple[float, float, float]], window_ms: int
    ) -> list[Word]:
        """Words of a piece: a token starting with a space starts a word. `alignment` holds (start s, end s,
        probability) for each of the piece's tokens, from the alignment pass; `offset` is the piece's first
        token's index in it."""
        words: list[tuple[list[bytes], list[float], float, float]] = []
        for i, token in enumerate(piece.tokens):
            raw = self.piece(token)
            begin, end, p = alignment[offset + i] if offset + i < len(alignment) else (piece.end, piece.end, 0.0)
            if not words or raw.startswith(b" "):
                words.append(([raw], [p], begin, end))
            else:
                words[-1][0].append(raw)
                words[-1][1].append(p)
                words[-1] = (words[-1][0], words[-1][1], words[-1][2], end)
        out = []
        for parts, probs, begin, end in words:
            text = b"".join(parts).decode("utf-8", "replace").strip()
            if text:
                s = min(window_ms, round(begin * 1000))
                out.append(Word(text, s, max(s, min(window_ms, round(end * 1000))), float(np.mean(probs))))
        return out


def piece_segment(tokens: WhisperTokens, piece: TextPiece, words: list[Word], avg_logprob: float) -> Segment:
    return Segment(
        start_ms=round(piece.start * 1000),
        end_ms=round(piece.end * 1000),
        text=tokens.text(piece.tokens),
        avg_logprob=avg_logprob,
        words=words,
    )
