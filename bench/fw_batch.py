"""faster-whisper over many files in one process (the peer of one `aiwisper transcribe` over the same files).

Usage: python -m bench.fw_batch MODEL_DIR COMPUTE_TYPE THREADS LANGUAGE|auto translate|transcribe BEAM FILE…
→ one JSON object {file name: text} on stdout. A beam of BEAM (1: greedy; 5 is faster-whisper's default) with
the usual temperature fallback (best of 5), no VAD filter.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def main() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from faster_whisper import WhisperModel

    folder, compute_type, threads, language, task, beam, *files = sys.argv[1:]
    model = WhisperModel(folder, device="cpu", compute_type=compute_type, cpu_threads=int(threads))
    out = {}
    for f in files:
        segments, _ = model.transcribe(f, language=None if language == "auto" else language, task=task,
                                       beam_size=int(beam), best_of=5, vad_filter=False)  # fmt: skip
        out[Path(f).name] = " ".join(s.text.strip() for s in segments)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
