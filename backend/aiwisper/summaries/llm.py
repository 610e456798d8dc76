"""The language models a summary can use: llama.cpp with a GGUF file (in the summary worker), or an
OpenAI-compatible server (Ollama, LM Studio, llama-server) at a URL the user gave. Both stream tokens."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from aiwisper.errors import AiwisperError, InvalidArgumentError

OnToken = Callable[[str], None]
SYSTEM = (
    "You are a careful assistant who writes factual meeting notes from transcripts, in the transcript's "
    "language. Use only what the transcript says."
)
CONTEXT = 16384  # tokens: an hour of meeting in one call (the notes model takes 32k; the KV cache grows with it)
ANSWER = 900  # tokens an answer may use


def prompt(instruction: str, text: str) -> str:
    """The text first, the instruction after it: small models follow an instruction they read last."""
    return f"{text}\n\n---\n{instruction}"


class LlmError(AiwisperError):
    """The language model failed (could not load, or the server refused)."""


class LlamaCpp:
    """A GGUF model through llama-cpp-python; owned by the summary worker's process."""

    def __init__(self, path: Path, threads: int = 2, context: int = CONTEXT) -> None:
        try:
            from llama_cpp import Llama

            from aiwisper.summaries import llama_backends
        except ImportError as e:
            raise LlmError("this build has no llama.cpp: set summaries.endpoint to a local OpenAI-compatible server "
                           "(Ollama, LM Studio), or run AIWisper from its source") from e  # fmt: skip
        try:
            self.cpu_variant = llama_backends.load()
        except (OSError, llama_backends.LlamaBackendError) as e:
            raise LlmError(f"llama.cpp cannot run on this CPU: {e}") from e
        try:
            self.llm = Llama(model_path=str(path), n_ctx=context, n_threads=threads, verbose=False)
        except (ValueError, RuntimeError) as e:
            raise LlmError(f"could not load {path.name}: {e}") from e
        self.name = path.name
        self.context = min(context, int(self.llm.n_ctx()), int(self.llm._model.n_ctx_train()))  # a small model's own

    def count(self, text: str) -> int:
        return len(self.llm.tokenize(text.encode("utf-8"), add_bos=False))

    def chat(self, instruction: str, text: str, on_token: OnToken, max_tokens: int = ANSWER) -> str:
        from llama_cpp import ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage

        messages: list[Any] = [
            ChatCompletionRequestSystemMessage(role="system", content=SYSTEM),
            ChatCompletionRequestUserMessage(role="user", content=prompt(instruction, text)),
        ]
        out: list[str] = []
        stream = self.llm.create_chat_completion(
            messages=messages,
            max_tokens=max_tokens,
            temperature=0.0,
            repeat_penalty=1.1,
            stream=True,  # greedy: same transcript, same notes
        )
        assert isinstance(stream, Iterator)
        for chunk in stream:
            delta = chunk["choices"][0]["delta"]
            piece = str(delta.get("content") or "") if isinstance(delta, dict) else ""
            if piece:
                out.append(piece)
                on_token(piece)
        return "".join(out)


def check_endpoint(url: str) -> str:
    """An http(s) URL of an OpenAI-compatible server (its /v1 base)."""
    parsed = urlparse(url.strip())
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise InvalidArgumentError(f"{url!r} is not an http(s) URL of an OpenAI-compatible server")
    return url.strip().rstrip("/")


class OpenAICompatible:
    """/v1/chat/completions with streaming (server-sent events); tokens are counted as 4 characters each."""

    def __init__(self, endpoint: str, model: str = "", context: int = CONTEXT, timeout: float = 300) -> None:
        self.base = check_endpoint(endpoint)
        self.model, self.context, self.timeout = model, context, timeout
        self.name = f"{model or 'default'} at {self.base}"

    def count(self, text: str) -> int:
        return len(text) // 4 + 1

    def chat(self, instruction: str, text: str, on_token: OnToken, max_tokens: int = ANSWER) -> str:
        body = {"model": self.model, "stream": True, "max_tokens": max_tokens, "temperature": 0.0,
                "messages": [{"role": "system", "content": SYSTEM},
                             {"role": "user", "content": prompt(instruction, text)}]}  # fmt: skip
        url = self.base if self.base.endswith("/chat/completions") else f"{self.base}/chat/completions"
        request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
        out = []
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                for raw in response:
                    line = raw.decode("utf-8", "replace").strip()
                    if not line.startswith("data:") or line == "data: [DONE]":
                        continue
                    delta = json.loads(line[5:])["choices"][0].get("delta", {}).get("content") or ""
                    if delta:
                        out.append(delta)
                        on_token(delta)
        except (OSError, ValueError, KeyError, IndexError) as e:
            raise LlmError(f"the server at {self.base} failed: {e}") from e
        return "".join(out)
