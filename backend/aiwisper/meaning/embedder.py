"""Sentence embeddings with multilingual-e5-small on onnxruntime: texts → unit vectors (384 float32), "query: " for
what the user types, "passage: " for what is searched. Thread-safe; the model loads on first use."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import numpy as np

from aiwisper.errors import AiwisperError
from aiwisper.meaning.install import MODEL_FILE, VOCAB_FILE
from aiwisper.meaning.tokenizer import Tokenizer
from aiwisper.onnx_session import cpu_session

MODEL_NAME = "multilingual-e5-small-q4"
DIM = 384
BATCH_TOKENS = 4096  # tokens per model call (padding included): bounds memory on long documents


class EmbeddingModelMissingError(AiwisperError):
    """The embedding model is not installed."""


class Embedder:
    def __init__(self, models_dir: Path, threads: int = 2) -> None:
        self.models_dir, self.threads = models_dir, threads
        self._lock = threading.Lock()
        self._session: Any = None
        self._tokenizer: Tokenizer | None = None
        self._max_tokens = 512
        self._pad = 1

    def available(self) -> bool:
        return (self.models_dir / MODEL_FILE).is_file() and (self.models_dir / VOCAB_FILE).is_file()

    def require(self) -> None:
        """A clear error when the model is not installed."""
        if not self.available():
            where = self.models_dir
            raise EmbeddingModelMissingError(f"the embedding model is not in {where}: run `aiwisper models build`")

    def _load(self) -> tuple[Any, Tokenizer]:
        if self._session is None or self._tokenizer is None:
            self.require()
            v = json.loads((self.models_dir / VOCAB_FILE).read_text(encoding="utf-8"))
            control = frozenset({v["bos"], v["eos"], v["pad"], v["unk"]})
            self._tokenizer = Tokenizer(v["pieces"], v["scores"], v["normalize"], v["bos"], v["eos"], v["unk"],
                                        control)  # fmt: skip
            self._max_tokens, self._pad = int(v["max_tokens"]), int(v["pad"])
            self._session = cpu_session(self.models_dir / MODEL_FILE, self.threads)
        return self._session, self._tokenizer

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._embed([f"query: {t}" for t in texts])

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._embed([f"passage: {t}" for t in texts])

    def _embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), DIM), np.float32)
        if not texts:
            return out
        with self._lock:
            session, tok = self._load()
            ids = [tok.encode(t, self._max_tokens) for t in texts]
            order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths together: less padding
            start = 0
            while start < len(order):
                longest = len(ids[order[start]])
                end = start
                while end < len(order) and (end - start + 1) * max(longest, len(ids[order[end]])) <= BATCH_TOKENS:
                    longest = max(longest, len(ids[order[end]]))
                    end += 1
                end = max(end, start + 1)
                batch = order[start:end]
                width = max(len(ids[i]) for i in batch)
                inp = np.full((len(batch), width), self._pad, np.int64)
                mask = np.zeros_like(inp)
                for row, i in enumerate(batch):
                    inp[row, : len(ids[i])] = ids[i]
                    mask[row, : len(ids[i])] = 1
                out[batch] = session.run(None, {"input_ids": inp, "attention_mask": mask})[0]
                start = end
        return out

    def close(self) -> None:
        with self._lock:
            self._session = None
