"""The UI end to end: Debian's Chromium driven by Playwright against a real `aiwisper serve`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import IO

import numpy as np
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

import aiwisper
from aiwisper.audio.wav_read import read_wav_16k

from .pipeline import speech_with_pauses
from .realspeech import at_level
from .speech import JFK_WAV, LJ_DIR, write_wav
from .test_transcribe_files import SRT_TIME, parse_cues

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--autoplay-policy=no-user-gesture-required"]  # fmt: skip
SHOTS = Path(__file__).resolve().parent / "output" / "screenshots"
APP_LOGS: dict[str, Path] = {}  # a served app's URL → its log


def _serve(tmp: Path, audio: object, settings: dict[str, object] | None = None) -> Iterator[str]:
    """`aiwisper serve` with `audio` replayed as the microphone, and `settings` of the user's; yields its URL."""
    replay = write_wav(tmp / "replay.wav", audio)
    env = {**os.environ, "AIWISPER_DATA_DIR": str(tmp / "data")}
    # Small, fast defaults for the test machine.
    (tmp / "data").mkdir()
    (tmp / "data" / "settings.json").write_text(json.dumps({"transcription.model": "tiny.en-q8_0", **(settings or {})}))
    proc = subprocess.Popen([sys.executable, "-m", "aiwisper", "serve", "--replay", str(replay)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # fmt: skip
    assert proc.stdout is not None
    url = ""
    for line in proc.stdout:
        if m := re.search(r"(http://127\.0\.0\.1:\d+/\?token=\S+)", line):
            url = m.group(1)
            break
    assert url, "serve printed no URL"
    # Read the rest as it comes (a pipe nobody reads fills at 64 KiB and stops the app's next write), kept
    # beside the data folder for a failed test's reader.
    log = tmp / "serve.log"
    drain = threading.Thread(target=_copy, args=(proc.stdout, log), daemon=True)
    drain.start()
    APP_LOGS[url] = tmp / "data" / "logs" / "aiwisper.log"
    yield url
    proc.terminate()
    assert proc.wait(30) == 0, log.read_text(encoding="utf-8")[-4000:]
    drain.join(10)


def _why_not(page: Page, url: str) -> str:
    """What a failed wait for the notes saw: the panel, the app's log and the busiest processes."""
    log = APP_LOGS.get(url)
    tail = log.read_text(encoding="utf-8")[-3000:] if log and log.exists() else "(no log)"
    top = subprocess.run(["ps", "-eo", "pid,ni,pcpu,etime,args", "--sort=-pcpu"], capture_output=True, text=True)
    panel = page.get_by_label("Summaries").inner_text()
    return f"no notes done at {url}\npanel: {panel[:1500]}\nlog: {tail}\nprocesses:\n{top.stdout[:3000]}"


def _copy(stream: IO[str], path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        for line in stream:
            out.write(line)
            out.flush()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    audio, _, _ = speech_with_pauses(pause_s=2.0, clips=1)
    yield from _serve(tmp_path_factory.mktemp("ui"), audio)


@pytest.fixture(scope="module")
def quiet_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The microphone hears real speech at about −62 dBFS (a laptop across the table)."""
    audio, _, _ = speech_with_pauses(pause_s=2.0, clips=1)
    yield from _serve(tmp_path_factory.mktemp("ui-quiet"), at_level(audio, -62))


@pytest.fixture(scope="module")
def fresh_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new user's app: nothing recorded, the first run not done, notes written by themselves; the microphone
    hears a minute of a real talk on the history of printing (LJ Speech), in a loop."""
    talk = np.concatenate([np.concatenate([read_wav_16k(c), np.zeros(8000, np.float32)])
                           for c in sorted(LJ_DIR.glob("LJ001-000*.wav"))])  # fmt: skip
    yield from _serve(tmp_path_factory.mktemp("ui-fresh"), talk,
                      {"app.welcomed": False, "summaries.auto": True})  # fmt: skip


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run make setup")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield b
        b.close()


def _page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 820}, accept_downloads=True, color_scheme="light")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert errors == []


@pytest.fixture
def page(browser: Browser, server: str) -> Iterator[Page]:
    yield from _page(browser)


@pytest.fixture
def page_fresh(browser: Browser, fresh_server: str) -> Iterator[Page]:
    yield from _page(browser)


def _go(page: Page, server: str, route: str) -> None:
    page.goto(f"{server}#/{route}")
    expect(page.locator(".connection.open")).to_be_visible(timeout=10_000)


def _menu(page: Page) -> None:
    """Opens the meeting's "Export & more" menu (export, re-transcription, rename, delete)."""
    menu = page.locator("details.menu")
    if menu.get_attribute("open") is None:
        menu.locator("summary").click()


def _imported_session(
    page: Page, server: str, audio: Path = JFK_WAV, said: str = "ask what you can do for your country"
) -> str:
    _go(page, server, "import")
    rows = page.locator(".jobs li", has_text=audio.name)
    loaded = page.locator(".jobs li").or_(page.get_by_text("No imports yet."))
    expect(loaded.first).to_be_visible(timeout=10_000)  # the job list has loaded
    before = rows.count()
    page.locator("[data-testid=file-input]").set_input_files(str(audio))
    expect(rows).to_have_count(before + 1, timeout=30_000)  # earlier imports of the same file are listed too
    row = rows.first  # newest first
    expect(row.get_by_role("link", name="Open")).to_be_visible(timeout=60_000)
    row.get_by_role("link", name="Open").click()
    expect(page.get_by_test_id("transcript")).to_contain_text(said, timeout=30_000)
    return page.url.split("#/sessions/")[1].split("?")[0]


def test_import_jfk_and_read_its_transcript(page: Page, server: str) -> None:
    _imported_session(page, server)
    expect(page.get_by_test_id("transcript")).to_contain_text("my fellow Americans")


def test_live_session_shows_partial_then_final_text(page: Page, server: str) -> None:
    _go(page, server, "record")
    page.get_by_role("button", name="Start recording").click()
    live = page.get_by_test_id("live-transcript")
    expect(live.locator("p.partial").first).to_be_visible(timeout=20_000)
    expect(live.locator("p.final").first).to_be_visible(timeout=20_000)
    expect(live.locator("p.final").first).to_contain_text(re.compile("fellow|Americans", re.I))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "record-live-light.png")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Start recording")).to_be_visible(timeout=30_000)


def test_memo_typed_during_a_recording_survives_a_reload(page: Page, server: str) -> None:
    _go(page, server, "record")
    page.get_by_role("button", name="Start recording").click()
    notes = page.get_by_label("Your notes")
    expect(notes).to_be_enabled(timeout=20_000)
    notes.fill("Decision: ship the release on Friday")
    expect(page.get_by_test_id("memo-state")).to_have_text("Saved", timeout=10_000)
    page.reload()
    expect(page.get_by_label("Your notes")).to_have_value("Decision: ship the release on Friday", timeout=20_000)
    page.get_by_label("Your notes").press("End")
    page.get_by_label("Your notes").type(" (Ann)")
    page.get_by_role("button", name="Stop").click()  # a pending save is flushed when the editor goes away
    expect(page.get_by_role("button", name="Start recording")).to_be_visible(timeout=30_000)
    _go(page, server, "search")
    page.get_by_label("Search").fill("release Friday")
    hit = page.locator(".hits li.memo a").first
    expect(hit).to_be_visible(timeout=10_000)
    hit.click()
    expect(page.get_by_label("Your notes")).to_have_value("Decision: ship the release on Friday (Ann)", timeout=10_000)


def test_a_pdf_is_found_by_search_and_opens_at_its_page(page: Page, server: str, tmp_path: Path) -> None:
    from .docs import drawing_pdf, text_pdf

    plan = text_pdf(tmp_path / "plan.pdf", ["Agenda\nBudget review", "Risks\nThe van broke down on the motorway"])
    _go(page, server, "documents")
    page.get_by_label("Document path").fill(str(drawing_pdf(tmp_path / "scan.pdf")))
    page.get_by_role("button", name="Add document").click()
    expect(page.get_by_text(re.compile("scan.pdf: no text layer"))).to_be_visible(timeout=10_000)
    page.get_by_label("Document path").fill(str(plan))
    page.get_by_role("button", name="Add document").click()
    expect(page.locator(".documents li", has_text="plan.pdf")).to_be_visible(timeout=10_000)
    _go(page, server, "search")
    page.get_by_label("Search").fill("motorway")
    hit = page.locator(".hits li.document a", has_text="plan.pdf").first
    expect(hit).to_contain_text("page 2", timeout=10_000)
    hit.click()
    current = page.locator(".passage.current")
    expect(current).to_contain_text("The van broke down on the motorway", timeout=10_000)
    expect(page.get_by_test_id("document-text")).to_contain_text("Page 2")


def test_quiet_microphone_shows_a_warning_and_still_gives_text(browser: Browser, quiet_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 820}, color_scheme="light")
    page = context.new_page()
    _go(page, quiet_server, "record")
    page.get_by_role("button", name="Start recording").click()
    banner = page.locator(".banner.warning[data-code=quiet_input]")
    expect(banner).to_be_visible(timeout=30_000)
    expect(banner).to_contain_text(re.compile(r"very quiet \(-[5-7]\d dBFS\)"))
    live = page.get_by_test_id("live-transcript")
    expect(live.locator("p.final").first).to_contain_text(re.compile("fellow|Americans", re.I), timeout=30_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "record-quiet-warning.png")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Start recording")).to_be_visible(timeout=30_000)
    context.close()


def test_search_lands_on_the_session_at_the_time(page: Page, server: str) -> None:
    sid = _imported_session(page, server)
    _go(page, server, "search")
    page.get_by_label("Search").fill("country")
    hit = page.locator(".hits a", has_text="jfk.wav").first
    expect(hit).to_be_visible(timeout=10_000)
    href = hit.get_attribute("href") or ""
    t_ms = int(href.split("t=")[1])
    hit.click()
    expect(page).to_have_url(re.compile(r"#/sessions/[0-9a-f-]+\?t=\d+"))
    player = page.get_by_test_id("player")
    page.wait_for_function("el => el.readyState >= 1", arg=player.element_handle(), timeout=10_000)
    page.wait_for_timeout(300)
    current = player.evaluate("el => el.currentTime")
    assert abs(current - t_ms / 1000) < 0.3, (current, t_ms)
    assert sid  # the hit may be any of the imports of jfk.wav; it opened one of them at the hit's time


def test_a_meeting_is_searched_and_played_from_the_keyboard(page: Page, server: str) -> None:
    """On a meeting: `/` goes to the search in the meeting, which marks the words and counts the segments that
    hold them; space plays and pauses; the arrows go 5 s on and back; the playing segment is highlighted."""
    _imported_session(page, server)
    player = page.get_by_test_id("player")
    page.wait_for_function("el => el.readyState >= 1", arg=player.element_handle(), timeout=10_000)
    page.locator("h1").click()  # nothing focused that takes keys
    page.keyboard.press("/")
    find = page.get_by_label("Search in this meeting")
    expect(find).to_be_focused()
    page.keyboard.type("your country")
    expect(page.locator(".find")).to_contain_text("1 of 1")
    marks = page.get_by_test_id("transcript").locator("mark")
    assert {m.inner_text().lower() for m in marks.all()} == {"your", "country"}, [m.inner_text() for m in marks.all()]
    page.keyboard.type(" moon")
    expect(page.locator(".find")).to_contain_text("not said")
    page.keyboard.press("Escape")
    expect(find).to_have_value("")
    page.keyboard.press("Space")
    page.wait_for_function("el => !el.paused && el.currentTime > 0.5", arg=player.element_handle(), timeout=10_000)
    expect(page.locator(".segment.current")).to_have_count(1)
    page.keyboard.press("Space")
    page.wait_for_function("el => el.paused", arg=player.element_handle(), timeout=5_000)
    at = float(player.evaluate("el => el.currentTime"))
    page.keyboard.press("ArrowRight")
    assert abs(float(player.evaluate("el => el.currentTime")) - (at + 5)) < 0.3
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert abs(float(player.evaluate("el => el.currentTime")) - max(0.0, at - 5)) < 0.3


def test_edit_persists_after_reload(page: Page, server: str) -> None:
    _imported_session(page, server)
    first = page.locator(".segment").first
    first.get_by_role("button", name="Edit segment").click()
    box = first.get_by_label("Segment text")
    box.fill("And so, my fellow citizens of the world")
    box.press("Enter")
    expect(first).to_contain_text("my fellow citizens of the world")
    page.reload()
    expect(page.locator(".segment").first).to_contain_text("my fellow citizens of the world", timeout=10_000)


def test_export_srt_parses(page: Page, server: str) -> None:
    _imported_session(page, server)
    _menu(page)
    with page.expect_download() as dl:
        page.get_by_role("link", name="SRT").click()
    path = dl.value.path()
    cues = parse_cues(Path(path).read_text(encoding="utf-8"), SRT_TIME, None)
    assert cues and "country" in " ".join(c[2] for c in cues)


def test_a_first_run_then_a_meeting_read_on_its_notes(page_fresh: Page, fresh_server: str) -> None:
    """A new user's first hour, in one walk. The first run: the microphone's level moves when it hears speech, the
    call's sound is left off, the data folder is named. A recording (a real talk on the history of printing,
    replayed as the microphone) is stopped; the meeting opens on its notes, written by the notes model by
    themselves: an overview of the talk, points with cited times; a cited time plays the recording from there;
    the notes are in the Markdown download and still there after a reload. The speaker is named, and the library
    finds the meeting by that name."""
    page = page_fresh
    page.goto(fresh_server)
    expect(page.get_by_role("heading", name="Welcome to AIWisper")).to_be_visible(timeout=10_000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "first-run-light-wide.png")
    assert _axe(page) == []
    expect(page.get_by_label("Microphone", exact=True)).to_have_value("default")
    expect(page.get_by_text("We hear you.")).to_be_visible(timeout=15_000)  # the replayed talk moves the meter
    level = float(page.get_by_test_id("first-run-level").get_attribute("aria-valuenow") or "-120")
    assert level > -45, level
    expect(page.get_by_text("nothing is sent anywhere")).to_contain_text("data")
    page.get_by_label("Only my microphone").check()
    page.get_by_role("button", name="Start using AIWisper").click()

    expect(page.get_by_role("button", name="Start recording")).to_be_visible(timeout=10_000)
    page.get_by_role("button", name="Start recording").click()
    live = page.get_by_test_id("live-transcript")
    expect(live.locator("p.final").nth(2)).to_be_visible(timeout=90_000)  # three sentences of the talk
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Start recording")).to_be_visible(timeout=30_000)

    _go(page, fresh_server, "sessions")
    page.locator(".sessions li a.title").first.click()
    notes = page.get_by_label("Summaries")
    expect(notes).to_be_in_viewport()  # the meeting opens on its notes
    done = page.get_by_test_id("summary").filter(has_text="· done").first
    try:
        expect(done).to_be_visible(timeout=300_000)  # written by themselves after the transcript
    except AssertionError:
        pytest.fail(_why_not(page, fresh_server))
    expect(done.locator("h4").first).to_have_text("Overview")
    overview = done.locator("p").first.inner_text().strip()
    assert len(overview.split()) >= 5, overview
    assert re.search(r"print", done.inner_text(), re.I), done.inner_text()  # the notes are about the talk
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / "session-notes-light-wide.png")
    cite = done.locator("button.cite").first
    assert cite.count() == 1, done.inner_text()  # each point cites the time it was said
    # every point in sight does; what the model wrote that nobody said is folded away
    assert done.locator("li:visible:not(:has(button.cite))").count() == 0, done.inner_text()
    stamp = cite.inner_text()
    minutes, seconds = stamp.split(":")
    cite.click()
    player = page.get_by_test_id("player")
    page.wait_for_function("el => !el.paused", arg=player.element_handle(), timeout=10_000)
    at = float(player.evaluate("a => a.currentTime"))
    assert abs(at - (int(minutes) * 60 + int(seconds))) < 1.5, (stamp, at)
    expect(page.locator(".segment.current")).to_have_count(1)  # the transcript is at the cited time
    page.locator("h1").click()  # (space on the focused time button would press it again)
    page.keyboard.press("Space")  # the keyboard pauses it
    page.wait_for_function("el => el.paused", arg=player.element_handle(), timeout=5_000)
    _menu(page)
    with page.expect_download() as dl:
        page.get_by_role("link", name="MD").click()
    exported = Path(dl.value.path()).read_text(encoding="utf-8")
    assert "## Summary" in exported and overview in exported and "## Transcript" in exported
    page.reload()  # stored, not only shown
    expect(page.get_by_test_id("summary").filter(has_text="· done").first).to_contain_text(overview[:40],
                                                                                          timeout=10_000)  # fmt: skip
    bar = page.get_by_test_id("speakers")
    expect(bar.get_by_role("button", name="Rename Speaker 1")).to_be_visible(timeout=120_000)  # found by itself
    bar.get_by_role("button", name="Rename Speaker 1").click()
    bar.get_by_label("Name of Speaker 1").fill("Linda Johnson")
    bar.get_by_label("Name of Speaker 1").press("Enter")
    expect(bar.get_by_role("button", name="Rename Linda Johnson")).to_be_visible()
    _go(page, fresh_server, "sessions")
    page.get_by_label("Filter sessions").fill("linda")
    rows = page.locator(".sessions li")
    expect(rows).to_have_count(1, timeout=10_000)
    expect(rows.first).to_contain_text("Linda Johnson")
    expect(rows.first.locator(".first-line")).to_contain_text(overview.split(".")[0][:30])  # its notes' first line


def test_the_library_answers_a_question_and_links_to_the_meeting(page: Page, server: str) -> None:
    """On the search page, a question to all meetings is answered by the notes model from what was said; a source
    names the meeting and opens it at the cited time."""
    _imported_session(page, server)  # (earlier tests may have imported the same file: any of them will do)
    _go(page, server, "search")
    page.get_by_label("Question about all your meetings").fill("What did the speaker tell Americans to ask?")
    page.get_by_role("button", name="Ask").click()
    answer = page.get_by_test_id("answer")
    expect(answer).to_be_visible(timeout=240_000)
    expect(answer.locator("p").first).to_contain_text(re.compile("country", re.I))
    source = answer.locator("a.cite", has_text="jfk.wav").first
    expect(source).to_have_attribute("href", re.compile(r"#/sessions/[0-9a-f-]{36}\?t=\d+$"))
    source.click()
    expect(page.get_by_test_id("transcript")).to_contain_text("my fellow Americans", timeout=10_000)


def test_search_by_meaning_finds_a_paraphrase_and_opens_it(page: Page, server: str) -> None:
    _imported_session(page, server)
    _go(page, server, "search")
    page.get_by_label("Match").select_option("meaning")
    page.get_by_label("Search").fill("serve the nation rather than expect help from it")
    hit = page.locator(".hits li.segment.meaning a", has_text="jfk.wav").first
    expect(hit).to_contain_text("similar meaning", timeout=30_000)  # indexed in the background after the import
    expect(hit).to_contain_text("country")
    hit.click()
    expect(page).to_have_url(re.compile(r"#/sessions/[0-9a-f-]+\?t=\d+"))


def test_rename_a_speaker_everywhere(page: Page, server: str) -> None:
    """A real two-person recording is imported; its speakers are found after transcription; a name given once
    shows on every segment of that speaker and in the SRT download. The name taught the voice library: found
    again, the speaker is named by voice, and a wrong name is undone in one click. On the Voices page the voice
    is renamed and forgotten."""
    from .realspeech import DEV

    _go(page, server, "import")
    expect(page.locator(".jobs li").or_(page.get_by_text("No imports yet.")).first).to_be_visible(timeout=10_000)
    page.locator("[data-testid=file-input]").set_input_files(str(DEV / "pyannote_sample.wav"))
    row = page.locator(".jobs li", has_text="pyannote_sample.wav").first
    expect(row.get_by_role("link", name="Open")).to_be_visible(timeout=120_000)
    row.get_by_role("link", name="Open").click()
    bar = page.get_by_test_id("speakers")
    expect(bar.get_by_role("button", name="Rename Speaker 2")).to_be_visible(timeout=60_000)  # diarized
    speakers = page.get_by_test_id("transcript").get_by_label("Speaker")
    first = speakers.first.locator("option:checked").inner_text()
    bar.get_by_role("button", name=f"Rename {first}").click()
    bar.get_by_label(f"Name of {first}").fill("Ann Perkins")
    bar.get_by_label(f"Name of {first}").press("Enter")
    expect(bar.get_by_role("button", name="Rename Ann Perkins")).to_be_visible()
    labels = [speakers.nth(i).locator("option:checked").inner_text() for i in range(speakers.count())]
    assert "Ann Perkins" in labels and first not in labels, labels
    _menu(page)
    with page.expect_download() as dl:
        page.get_by_role("link", name="SRT").click()
    cues = parse_cues(Path(dl.value.path()).read_text(encoding="utf-8"), SRT_TIME, None)
    said = [c[2].split(": ", 1)[0] for c in cues]
    assert said.count("Ann Perkins") == labels.count("Ann Perkins") and first not in said, said
    sid = page.url.split("#/sessions/")[1].split("?")[0]
    chip = bar.locator(".speaker-chip", has=page.get_by_role("button", name="Rename Ann Perkins"))
    talk = chip.locator(".talk").inner_text()
    assert re.fullmatch(r"0:\d\d", talk) and talk != "0:00", talk  # how long she spoke

    _go(page, server, "sessions")  # the library finds the meeting by her name, and lists her in its row
    page.get_by_label("Filter sessions").fill("ann perk")
    rows = page.locator(".sessions li")
    expect(rows.first).to_contain_text("Ann Perkins", timeout=10_000)
    expect(rows).to_have_count(1)
    expect(rows.first.get_by_role("link")).to_have_attribute("href", f"#/sessions/{sid}")
    page.get_by_label("Filter sessions").fill("nobody by this name")
    expect(page.get_by_text("Nothing matches")).to_be_visible()
    page.goto(f"{server}#/sessions/{sid}")
    expect(bar.get_by_role("button", name="Rename Ann Perkins")).to_be_visible(timeout=10_000)

    bar.get_by_role("button", name="Find speakers again").click()
    chip = bar.locator(".speaker-chip", has_text="Ann Perkins")
    expect(chip.get_by_text("by voice")).to_be_visible(timeout=60_000)  # the library named her by herself
    chips = bar.locator(".speaker-chip").count()
    others = [n for n in bar.locator(".speaker-chip button[title=Rename]").all_inner_texts() if n != "Ann Perkins"]
    chip.get_by_role("button", name="Not Ann Perkins?").click()
    expect(bar.get_by_role("button", name="Rename Ann Perkins")).to_have_count(0)
    expect(bar.locator(".speaker-chip", has_text="Speaker ")).to_have_count(chips)  # back to "Speaker N"
    _go(page, server, "voices")
    voices = page.get_by_role("list", name="Voices")
    expect(voices).to_contain_text("Ann Perkins · learnt from 1 speaker · names speakers in 0 sessions")  # undone

    page.goto(f"{server}#/sessions/{sid}")  # the same speaker given her voice back from the library, in one pick
    expect(bar.locator(".speaker-chip", has_text="Speaker ")).to_have_count(chips, timeout=10_000)
    back = next(n for n in bar.locator(".speaker-chip button[title=Rename]").all_inner_texts() if n not in others)
    bar.get_by_label(f"Who is {back}?").select_option("Ann Perkins")
    expect(bar.get_by_role("button", name="Rename Ann Perkins")).to_be_visible()
    expect(bar.get_by_label(re.compile("^Who is"))).to_have_count(0)  # no voice of the library is left to pick
    assert "Ann Perkins" in [speakers.nth(i).locator("option:checked").inner_text() for i in range(speakers.count())]
    _go(page, server, "voices")
    expect(voices).to_contain_text(re.compile(r"Ann Perkins · learnt from \d speakers? · names speakers in 1 session"))
    page.get_by_role("button", name="Rename Ann Perkins").click()
    page.get_by_label("New name for Ann Perkins").fill("Ann P.")
    page.get_by_label("New name for Ann Perkins").press("Enter")
    expect(voices.get_by_text("Ann P.", exact=True)).to_be_visible()
    page.on("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Forget Ann P.").click()
    expect(page.get_by_text("No voices yet.")).to_be_visible()


def test_delete_a_session(page: Page, server: str) -> None:
    sid = _imported_session(page, server)
    page.on("dialog", lambda d: d.accept())
    _menu(page)
    page.get_by_role("button", name="Delete").first.click()
    expect(page).to_have_url(re.compile(r"#/sessions$"), timeout=10_000)
    expect(page.locator(f'a[href="#/sessions/{sid}"]')).to_have_count(0)
    gone = [_imported_session(page, server) for _ in range(2)]  # two more: selected in the library, deleted at once
    _go(page, server, "sessions")
    rows = page.locator(".sessions li")
    expect(rows.first).to_have_attribute("data-session", gone[-1], timeout=10_000)  # the list is fresh
    before = rows.count()
    for gone_id in gone:
        page.locator(f'li[data-session="{gone_id}"]').get_by_role("checkbox").check()
    expect(page.get_by_role("toolbar", name="Selected sessions")).to_contain_text("2 selected")
    page.get_by_role("toolbar", name="Selected sessions").get_by_role("button", name="Delete").click()
    expect(rows).to_have_count(before - 2, timeout=10_000)
    for gone_id in gone:
        expect(page.locator(f'li[data-session="{gone_id}"]')).to_have_count(0)


SIZES = {"wide": {"width": 1280, "height": 820}, "small": {"width": 900, "height": 640}}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_main_screens(browser: Browser, server: str, scheme: str) -> None:
    """Every page in light and dark, in a large and a small window, saved for a person to look at; on the small
    window the meeting's notes and transcript are tabs, and nothing is wider than the window."""
    context = browser.new_context(viewport=SIZES["wide"], color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(name: str) -> None:
        for size, box in SIZES.items():
            page.set_viewport_size(box)  # type: ignore[arg-type]
            page.wait_for_timeout(250)
            page.screenshot(path=SHOTS / f"{name}-{scheme}-{size}.png")
            wide = page.evaluate("document.documentElement.scrollWidth")
            assert wide <= box["width"], (name, size, wide)
        page.set_viewport_size(SIZES["wide"])  # type: ignore[arg-type]

    sid = _imported_session(page, server)
    shoot("session")
    page.set_viewport_size(SIZES["small"])  # type: ignore[arg-type]
    expect(page.get_by_role("tab", name="Transcript")).to_be_visible()
    page.get_by_role("tab", name="Transcript").click()
    expect(page.get_by_test_id("transcript")).to_be_visible()
    expect(page.get_by_label("Summaries")).to_be_hidden()
    page.screenshot(path=SHOTS / f"session-transcript-{scheme}-small.png")
    page.set_viewport_size(SIZES["wide"])  # type: ignore[arg-type]
    expect(page.get_by_role("tab", name="Transcript")).to_be_hidden()  # side by side: no tabs
    expect(page.get_by_label("Summaries")).to_be_visible()
    for route in ("record", "sessions", "import", "documents", "voices", "settings"):
        _go(page, server, route)
        page.wait_for_timeout(400)
        shoot(route)
    expect(page.get_by_test_id("app-version")).to_have_text(f"AIWisper {aiwisper.__version__}")
    _go(page, server, "search")
    page.get_by_label("Search").fill("fellow")
    expect(page.locator(".hits li").first).to_be_visible(timeout=10_000)
    for kind in ("segment", "memo", "document"):  # a hit is a full-width row, whatever it found
        for box in [h.bounding_box() for h in page.locator(f".hits li.{kind} a").all()]:
            assert box is not None and box["width"] > 600, (kind, box)
    shoot("search")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (bg == "rgb(22, 22, 24)") == (scheme == "dark"), bg
    assert sid
    context.close()


AXE = Path(__file__).resolve().parents[1] / "ui" / "node_modules" / "axe-core" / "axe.min.js"


def _axe(page: Page) -> list[str]:
    """What axe-core finds serious or critical on the page as it is (WCAG 2 A/AA rules and best practices)."""
    page.add_script_tag(path=str(AXE))
    script = (
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => ['serious', 'critical'].includes(v.impact)).map(v => `${v.id} (${v.impact}): ${v.help}: `"
        " + v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' ' + (n.any[0]?.message ?? '')).join(' | '))"
    )
    found = page.evaluate(script)
    return [str(v) for v in found]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_passes_axe_core(browser: Browser, server: str, scheme: str) -> None:
    """Each page (a session with its transcript, the library, search with hits, import, documents, settings,
    record) in light and dark has no serious or critical accessibility violation by axe-core."""
    context = browser.new_context(viewport={"width": 1280, "height": 820}, color_scheme=scheme)  # type: ignore[arg-type]
    page = context.new_page()
    problems: dict[str, list[str]] = {}
    _imported_session(page, server)
    problems["session"] = _axe(page)
    _menu(page)
    problems["session menu"] = _axe(page)
    page.set_viewport_size(SIZES["small"])  # type: ignore[arg-type]
    page.keyboard.press("Escape")
    problems["session, small window"] = _axe(page)
    page.set_viewport_size(SIZES["wide"])  # type: ignore[arg-type]
    for route in ("record", "sessions", "import", "documents", "voices", "settings"):
        _go(page, server, route)
        page.wait_for_timeout(400)
        for more in page.locator("details.advanced").all():  # the advanced settings too
            more.locator("summary").click()
        problems[route] = _axe(page)
    _go(page, server, "search")
    page.get_by_label("Search").fill("fellow")
    expect(page.locator(".hits li").first).to_be_visible(timeout=10_000)
    problems["search"] = _axe(page)
    context.close()
    found = {route: p for route, p in problems.items() if p}
    assert not found, "\n".join(f"{route}: {line}" for route, p in found.items() for line in p)
