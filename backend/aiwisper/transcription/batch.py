"""Chunks of one imported file decoded together (CTranslate2 decodes a batch faster than its chunks one by one)."""

from __future__ import annotations

from aiwisper.errors import AiwisperError
from aiwisper.sessions import store
from aiwisper.sessions.audio import read_range
from aiwisper.transcription.chunks import ChunkTranscriber
from aiwisper.transcription.queue import Work


def prepare_batch(t: ChunkTranscriber, works: list[Work]) -> None:
    """Transcribe chunks of one imported file together, ahead of `transcribe` (which then stores each): the
    CTranslate2 engine decodes a batch faster than its chunks one by one. Decoding together needs one prompt,
    so the chunks get the vocabulary without the text before them. Nothing happens for whisper.cpp, for a
    language still to be detected, or on an error (each chunk is then tried on its own)."""
    if len(works) < 2:
        return
    session = t.db.read(lambda c: store.get_session(c, works[0].chunk.session_id))
    try:
        model, language = t.resolve(session.model, session.language)
    except AiwisperError:
        return
    path = t.decoding.engine_path(model)
    if not path.is_dir() or language is None:
        return
    audios = [
        read_range(t.data_dir / session.audio_file, session.sources.index(w.chunk.source),
                   w.chunk.start_sample, w.chunk.end_sample)
        for w in works
    ]  # fmt: skip
    prompt = t.decoding.prompt(session, "")
    options = [
        t.decoding.options(
            language, prompt, t.decoding.final_ctx(path, len(a), live=False), t.decoding.beam(live=False)
        )
        for a in audios
    ]
    try:
        results = t.worker.transcribe_batch(
            path, t.decoding.threads(), audios, options, t.decoding.timeout(sum(len(a) for a in audios))
        )
    except AiwisperError:
        return
    for w, result in zip(works, results, strict=True):
        t.batched[w.chunk.id] = (path, result)
    while len(t.batched) > 32:
        t.batched.pop(next(iter(t.batched)))
