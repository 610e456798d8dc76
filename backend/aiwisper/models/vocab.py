"""Whisper's byte-level BPE vocabulary, decoded back to the raw bytes whisper.cpp wants."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from aiwisper.errors import ModelFormatError

# GPT-2 / Whisper text tokens; the special tokens after them are made by whisper.cpp itself.
N_TEXT_TOKENS = 50257


@cache
def _unicode_to_byte() -> dict[str, int]:
    """Inverse of GPT-2's `bytes_to_unicode` table."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    mapping = {b: chr(b) for b in printable}
    extra = 0
    for b in range(256):
        if b not in mapping:
            mapping[b] = chr(256 + extra)
            extra += 1
    return {ch: b for b, ch in mapping.items()}


def token_bytes(token: str) -> bytes:
    """The raw bytes of one byte-level BPE token (`Ġthe` → b' the')."""
    table = _unicode_to_byte()
    try:
        return bytes(table[ch] for ch in token)
    except KeyError:
        # Special tokens such as <|endoftext|> are plain text.
        return token.encode("utf-8")


def read_vocabulary(model_dir: Path) -> list[str]:
    """Read `vocabulary.txt` (one token a line, blank lines kept) or `vocabulary.json`."""
    txt = model_dir / "vocabulary.txt"
    js = model_dir / "vocabulary.json"
    if txt.is_file():
        with txt.open(encoding="utf-8", newline="") as f:
            tokens = f.read().split("\n")
        if tokens and tokens[-1] == "":
            tokens.pop()
    elif js.is_file():
        data = json.loads(js.read_text(encoding="utf-8"))
        if not isinstance(data, list) or not all(isinstance(t, str) for t in data):
            raise ModelFormatError(f"{js} is not a list of tokens")
        tokens = data
    else:
        raise ModelFormatError(f"{model_dir} has no vocabulary.txt or vocabulary.json")
    if len(tokens) < N_TEXT_TOKENS:
        raise ModelFormatError(f"{model_dir}: vocabulary has {len(tokens)} tokens, fewer than {N_TEXT_TOKENS}")
    return tokens
