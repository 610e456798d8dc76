"""XLM-RoBERTa's SentencePiece unigram tokenizer, from the vocabulary in the packed e5 model: the per-character
normalization map, spaces collapsed, the metaspace marker, then the most probable split (Viterbi over piece scores);
a character no piece covers is `<unk>`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

META = "\u2581"


@dataclass
class Tokenizer:
    pieces: list[str]
    scores: list[float]
    normalize: dict[str, str]
    bos: int
    eos: int
    unk: int
    skip: frozenset[int] = frozenset()  # control pieces (<s>, <pad>, </s>, <unk>) never match text
    ids: dict[str, int] = field(init=False)
    longest: int = field(init=False)
    unk_score: float = field(init=False)

    def __post_init__(self) -> None:
        self.ids = {p: i for i, p in enumerate(self.pieces) if i not in self.skip and p}
        self.longest = max(len(p) for p in self.ids)
        self.unk_score = min(self.scores) - 10.0

    def content(self, text: str) -> list[int]:
        """The ids of `text` without <s> and </s>."""
        chars = "".join(self.normalize.get(c, c) for c in text)
        chars = re.sub(" {2,}", " ", chars)
        if not chars.startswith(" "):
            chars = " " + chars
        s = chars.replace(" ", META)
        n = len(s)
        best = [float("-inf")] * (n + 1)
        back: list[tuple[int, int]] = [(0, self.unk)] * (n + 1)
        best[0] = 0.0
        ids, scores = self.ids, self.scores
        for i in range(n):
            base = best[i]
            if base == float("-inf"):
                continue
            for e in range(i + 1, min(n, i + self.longest) + 1):
                idx = ids.get(s[i:e])
                if idx is not None and base + scores[idx] > best[e]:
                    best[e], back[e] = base + scores[idx], (i, idx)
            if base + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = base + self.unk_score, (i, self.unk)
        out: list[int] = []
        i = n
        while i > 0:
            i, idx = back[i]
            out.append(idx)
        return out[::-1]

    def encode(self, text: str, limit: int = 512) -> list[int]:
        """<s> text </s>, cut to `limit` tokens (the model's positions)."""
        return [self.bos, *self.content(text)[: limit - 2], self.eos]
