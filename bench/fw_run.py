"""One faster-whisper transcription in its own process (the peer of `aiwisper transcribe`).

Usage: python -m bench.fw_run MODEL_DIR COMPUTE_TYPE THREADS AUDIO  → the text on stdout.
A beam of 5 (faster-whisper's default), then the usual fallback, no VAD filter: the same decoding as ours
(`transcription.beam_size`).
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    folder, compute_type, threads, audio = sys.argv[1:5]
    model = WhisperModel(folder, device="cpu", compute_type=compute_type, cpu_threads=int(threads))
    segments, _ = model.transcribe(audio, language="en", beam_size=5, best_of=5, vad_filter=False)
    print(" ".join(s.text.strip() for s in segments))


if __name__ == "__main__":
    main()
