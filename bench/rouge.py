"""ROUGE-1/2/L F1 (Lin 2004) of a text against one reference: lower-cased alphanumeric tokens, no stemming, no
stop-word removal; ROUGE-L over the whole text as one sequence. And the two baselines any notes must beat: the
first N words, and the sentences nearest the transcript's tf-idf centroid (N = the reference's length)."""

from __future__ import annotations

import math
import re
from collections import Counter

_TOKEN = re.compile(r"[a-z0-9]+")


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _f1(overlap: int, ours: int, ref: int) -> float:
    if not overlap or not ours or not ref:
        return 0.0
    p, r = overlap / ours, overlap / ref
    return 2 * p * r / (p + r)


def _ngrams(words: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(words[i : i + n]) for i in range(len(words) - n + 1))


def _lcs(a: list[str], b: list[str]) -> int:
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0]
        for j, y in enumerate(b):
            cur.append(prev[j] + 1 if x == y else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


def rouge(text: str, reference: str) -> tuple[float, float, float]:
    """(ROUGE-1, ROUGE-2, ROUGE-L) F1."""
    a, b = tokens(text), tokens(reference)
    out = []
    for n in (1, 2):
        ours, ref = _ngrams(a, n), _ngrams(b, n)
        out.append(_f1(sum((ours & ref).values()), sum(ours.values()), sum(ref.values())))
    out.append(_f1(_lcs(a, b), len(a), len(b)))
    return out[0], out[1], out[2]


def _sentences(lines: list[str]) -> list[str]:
    text = " ".join(line.split(":", 1)[-1] for line in lines)
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if len(s.split()) >= 4]


def first_words(lines: list[str], n: int) -> str:
    return " ".join(" ".join(line.split(":", 1)[-1] for line in lines).split()[:n])


def centroid(lines: list[str], n: int) -> str:
    """Transcript sentences nearest the tf-idf centroid of all sentences, in transcript order, until n words."""
    sents = _sentences(lines)
    counts = [Counter(tokens(s)) for s in sents]
    df = Counter(w for c in counts for w in c)
    idf = {w: math.log(len(sents) / d) for w, d in df.items()}
    vecs = [{w: tf * idf[w] for w, tf in c.items()} for c in counts]
    middle: Counter[str] = Counter()
    for v in vecs:
        middle.update(v)
    norm_mid = math.sqrt(sum(x * x for x in middle.values())) or 1.0

    def cos(v: dict[str, float]) -> float:
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        return sum(x * middle[w] for w, x in v.items()) / (norm * norm_mid)

    chosen, words = [], 0
    for i in sorted(range(len(sents)), key=lambda i: -cos(vecs[i])):
        if words >= n:
            break
        chosen.append(i)
        words += len(sents[i].split())
    return " ".join(sents[i] for i in sorted(chosen))
