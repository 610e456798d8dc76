"""The engine's prompt: the user's vocabulary, then the text just before. Pure functions.

Whisper reads a prompt of at most half its text context (224 tokens) and keeps its *last* tokens when a
prompt is longer, so the vocabulary, which comes first, would be the first thing lost. The prompt is kept
within a byte budget that stays under 224 tokens even for scripts that take a token per byte or two.
"""

from __future__ import annotations

import re

PROMPT_BYTES = 400  # whole prompt; Whisper's byte-level BPE gives at most one token per byte
VOCABULARY_BYTES = 250  # of which the vocabulary may take this much


def vocabulary_terms(text: str) -> list[str]:
    """The terms of a vocabulary list: separated by commas, semicolons or new lines; blanks and repeats out."""
    terms = [" ".join(t.split()) for t in re.split(r"[,;\n]", text)]
    return list(dict.fromkeys(t for t in terms if t))


def _fit(text: str, budget: int, keep_end: bool) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= budget:
        return text
    cut = raw[-budget:] if keep_end else raw[:budget]
    return cut.decode("utf-8", "ignore").strip()


def engine_prompt(vocabulary: str, previous: str) -> str:
    """ "Rotterdam, Kubernetes. <previous text>", within the budget: whole terms of the vocabulary while
    they fit, then as much of the previous text's end as fits."""
    terms: list[str] = []
    used = 0
    for term in vocabulary_terms(vocabulary):
        size = len(term.encode("utf-8")) + 2
        if used + size > VOCABULARY_BYTES:
            break
        terms.append(term)
        used += size
    head = ", ".join(terms) + "." if terms else ""
    left = PROMPT_BYTES - len(head.encode("utf-8")) - 1
    tail = _fit(previous.strip(), max(0, left), keep_end=True)
    return " ".join(p for p in (head, tail) if p)
