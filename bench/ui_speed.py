"""The UI on a long meeting and a large library, in Debian's Chromium driven by Playwright against a real
`aiwisper serve` whose SQLite file holds 500 real meetings (QMSum's AMI and ICSI transcripts, people's summaries
as notes) and one two-hour meeting of 2,000 segments (the hour of Bro005, twice).

Measured: navigation to the meeting's transcript visible; frame times while its transcript scrolls 60 px a frame
for 240 frames; navigation to the library's first rows; a filter by a speaker's name to its rows. The same
transcript as plain HTML (every segment a div, no script) is loaded and scrolled in the same run: the baseline of
what the browser alone takes."""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright
from tests.library_fill import add_meeting, fill, meetings

from aiwisper.storage.db import Database

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SEGMENTS, SESSIONS, RUNS = 2000, 500, 3
SCROLL = """async (selector) => {
  const el = document.querySelector(selector);
  const deltas = [];
  let last = performance.now();
  await new Promise((done) => {
    let n = 0;
    const step = (t) => {
      deltas.push(t - last); last = t; el.scrollTop += 60;
      if (++n < 240) requestAnimationFrame(step); else done();
    };
    requestAnimationFrame(step);
  });
  deltas.splice(0, 2);
  const sorted = [...deltas].sort((a, b) => a - b);
  const mean = deltas.reduce((a, b) => a + b, 0) / deltas.length;
  return { fps: 1000 / mean, p95: sorted[Math.floor(sorted.length * 0.95)], worst: sorted[sorted.length - 1],
           rows: document.querySelectorAll(".segment").length, top: el.scrollTop };
}"""


def _serve(data: Path) -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "AIWISPER_DATA_DIR": str(data)}
    proc = subprocess.Popen([sys.executable, "-m", "aiwisper", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)  # fmt: skip
    assert proc.stdout is not None
    for line in proc.stdout:
        if m := re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line):
            return proc, m.group(1)
    raise RuntimeError("aiwisper serve printed no URL")


def _plain(path: Path, segments: list[tuple[int, str, str]]) -> Path:
    rows = "".join(f'<div class="segment"><span>{t // 60000}:{t // 1000 % 60:02d}</span> <b>{html.escape(who)}</b> '
                   f"{html.escape(text)}</div>" for t, who, text in segments)  # fmt: skip
    head = '<!doctype html><meta charset="utf-8"><body style="font:15px system-ui;margin:24px">'
    path.write_text(f'{head}<div id="t" style="height:640px;overflow:auto">{rows}</div></body>', encoding="utf-8")
    return path


def _timed(page: Page, url: str, selector: str) -> float:
    start = time.perf_counter()
    page.goto(url)
    page.locator(selector).first.wait_for(state="visible", timeout=30_000)
    return time.perf_counter() - start


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        db = Database(data)
        hour = next(m for m in meetings() if m["meeting"] == "Bro005")
        now = dt.datetime.now(dt.UTC)
        long_id = db.write(lambda c: add_meeting(c, hour, now, "Bro005, 2,000 segments", SEGMENTS))
        db.write(lambda c: fill(c, SESSIONS - 1, now - dt.timedelta(hours=1)))
        segments = db.read(lambda c: [(r[0], r[1], r[2]) for r in c.execute(
            "SELECT g.start_ms, s.name, g.text FROM segments g JOIN speakers s ON s.session_id = g.session_id AND"
            " s.speaker = g.speaker WHERE g.session_id = ? ORDER BY g.start_ms", (long_id,))])  # fmt: skip
        db.close()
        (data / "settings.json").write_text(json.dumps({"transcription.model": "tiny.en-q8_0", "app.welcomed": True}))
        plain = _plain(Path(tmp) / "plain.html", segments)
        proc, url = _serve(data)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
                opened, plain_opened, scrolls, plain_scrolls, listed, filtered = [], [], [], [], [], []
                first_line = first_row = ""
                for _ in range(RUNS):
                    page = browser.new_page(viewport={"width": 1280, "height": 820})
                    opened.append(_timed(page, f"{url}#/sessions/{long_id}", ".transcript .segment"))
                    first_line = page.locator(".transcript .segment .text").first.inner_text()
                    page.wait_for_timeout(300)
                    scrolls.append(page.evaluate(SCROLL, ".transcript"))
                    listed.append(_timed(page, f"{url}#/sessions", ".sessions li"))
                    first_row = page.locator(".sessions li").first.inner_text()
                    total = page.locator(".library .page-head .muted").inner_text()
                    start = time.perf_counter()
                    page.get_by_label("Filter sessions").fill("industrial designer")
                    count = "document.querySelector('.library .page-head .muted')?.textContent ?? ''"
                    before = json.dumps(total.split()[0] + " ")
                    page.wait_for_function(f"() => /^\\d+ meeting/.test({count}) && !({count}).startsWith({before})",
                                           timeout=30_000)  # fmt: skip
                    filtered.append(time.perf_counter() - start)
                    matched = page.locator(".library .page-head .muted").inner_text()
                    page.close()
                    page = browser.new_page(viewport={"width": 1280, "height": 820})
                    plain_opened.append(_timed(page, plain.as_uri(), "#t .segment"))
                    plain_scrolls.append(page.evaluate(SCROLL, "#t"))
                    page.close()
                browser.close()
        finally:
            proc.terminate()
            proc.wait(30)
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    fps, plain_fps = med([s["fps"] for s in scrolls]), med([s["fps"] for s in plain_scrolls])
    p95, worst = med([s["p95"] for s in scrolls]), max(s["worst"] for s in scrolls)
    print(f"  meeting opened in {[round(x, 2) for x in opened]} s (plain HTML {[round(x, 2) for x in plain_opened]} s);"
          f" first segment shown: {first_line[:100]!r}")  # fmt: skip
    print(
        f"  scrolling: {fps:.1f} fps, p95 frame {p95:.1f} ms, worst {worst:.1f} ms, {scrolls[0]['rows']} of "
        f"{len(segments)} segments in the page (plain HTML: {plain_fps:.1f} fps, all {plain_scrolls[0]['rows']})"
    )
    print(f"  library ({total}) listed in {[round(x, 2) for x in listed]} s; first row: {first_row[:140]!r}")
    print(f"  filter by 'industrial designer': {matched} in {[round(x, 2) for x in filtered]} s")
    return [
        {"name": f"UI: a {len(segments)}-segment meeting, navigation to its transcript visible (median of {RUNS})",
         "ours": f"{med(opened):.2f} s", "peer": f"the same transcript as plain HTML: {med(plain_opened):.2f} s",
         "goal": "≤ 1.0 s", "met": med(opened) <= 1.0},
        {"name": "UI: scrolling that meeting's transcript, 60 px a frame (median of runs)",
         "ours": f"{fps:.1f} fps (p95 frame {p95:.1f} ms; {scrolls[0]['rows']} rows in the page)",
         "peer": f"plain HTML: {plain_fps:.1f} fps ({plain_scrolls[0]['rows']} rows)", "goal": "≥ 50 fps",
         "met": fps >= 50},
        {"name": f"UI: library of {SESSIONS} meetings, navigation to its first rows (median of {RUNS})",
         "ours": f"{med(listed):.2f} s", "peer": "—", "goal": "≤ 1.0 s", "met": med(listed) <= 1.0},
        {"name": "UI: library filtered by a speaker's name, typing to rows (median)",
         "ours": f"{med(filtered):.2f} s ({matched})", "peer": "—", "goal": "≤ 1.0 s", "met": med(filtered) <= 1.0},
    ]  # fmt: skip


if __name__ == "__main__":
    for row in run():
        print(row)
