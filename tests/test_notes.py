"""Meeting notes read as a user reads them: on a real meeting (AMI IS1006a, a design team's kick-off, with a
person's summary from QMSum) the notes name what was said, cite the lines they came from, and name only
participants as owners; points that the transcript does not support are marked. Transcripts made elsewhere
(WebVTT, SRT, "Name: text") become sessions."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aiwisper.errors import InvalidArgumentError
from aiwisper.meaning.embedder import Embedder
from aiwisper.sessions.transcript_import import parse_cues, parse_lines, read
from aiwisper.summaries.notes import parse, plain, render
from aiwisper.summaries.trace import known_owner, trace

MEETINGS = Path(__file__).parent / "data" / "meetings" / "qmsum-dev.json"
DEV = Path(__file__).parent / "data" / "realspeech-dev"
AIWISPER = [sys.executable, "-m", "aiwisper"]


def meeting(name: str) -> dict[str, Any]:
    return next(m for m in json.loads(MEETINGS.read_text()) if m["meeting"] == name)


def test_the_models_notes_are_read_in_any_of_the_shapes_small_models_write() -> None:
    draft = """## Overview
The team met to plan a new remote control.

## Topics
### <name of a topic>
- (Project Manager) proposed a selling price of 25 Euros. [12]
### Price
* **Cost**: at most 12.50 Euros per unit [13-14]

### Decisions
- None

**Action items**
1. Marketing: send the user requirements by Friday
- (Industrial Designer) will look at the buttons.

## Conclusion
The meeting went well.
"""
    notes = parse(draft, 20)
    assert notes.overview == "The team met to plan a new remote control."
    assert [t for t, _ in notes.topics] == ["", "Price"]  # the template's placeholder is no title
    price = notes.topics[0][1][0]
    assert price.text == "Project Manager proposed a selling price of 25 Euros." and price.lines == [11]
    assert notes.topics[1][1][0].lines == [12, 13]
    assert notes.decisions == []  # "None" is no decision
    assert [(a.owner, a.text) for a in notes.actions] == [
        ("Marketing", "send the user requirements by Friday"),
        ("Industrial Designer", "will look at the buttons."),
    ]
    assert "went well" not in plain(notes)  # a heading we did not ask for is dropped
    shown = render(notes, lambda i: f"0:{i:02d}")
    assert "- Project Manager proposed a selling price of 25 Euros. [0:11]" in shown
    assert "## Action items\n- **Marketing**: send the user requirements by Friday" in shown
    assert "## Decisions" not in shown
    # the notes of a part of a meeting (qwen2.5 1.5B, on AMI IS1006a): headings written as bullets
    part = parse("## Topics\n- User Interface Design\n- Market Expert: Proposed changes to the navigation system.\n"
                 "- Action Items\n- Marketing: Send instructions to the personal coach.\n- Open Questions\n"
                 "- User Interface Design: No open questions were raised.\n", 10)  # fmt: skip
    assert [(t, [p.text for p in ps]) for t, ps in part.topics] == [
        ("User Interface Design", ["Market Expert: Proposed changes to the navigation system."])
    ]
    assert [(a.owner, a.text) for a in part.actions] == [("Marketing", "Send instructions to the personal coach.")]
    assert part.questions == []


def test_a_point_the_model_repeats_is_kept_once() -> None:
    draft = """## Topics
### Your country
- Americans ask what they can do for their country. [1]
- The group agreed on a sense of community.
### Your Country
- Americans ask what they can do for their country.
- A speech was given. [1]
### Other
- **Americans** ask what they can do for their country!
## Decisions
- A speech was given.
"""
    notes = parse(draft + "## Action items\n- Mike: None\n## Overview\nWe met. We met. Anna: we met! We met.\n", 1)
    assert notes.actions == [] and notes.overview == "We met. Anna: we met!"
    said = ["Americans ask what they can do for their country.", "The group agreed on a sense of community.",
            "A speech was given."]  # fmt: skip
    assert [(t, [p.text for p in ps]) for t, ps in notes.topics] == [("Your country", said)]
    assert notes.decisions == []


def test_labels_the_model_puts_on_points_are_not_taken_for_titles_owners_or_tasks() -> None:
    """Seen in the notes of ICSI Bro005 joined from its parts (qwen2.5 1.5B): the template's words as labels
    ("Found:"), a speaker as a topic's title, a label where the owner goes, a quoted line as a task."""
    draft = """## Topics
### Speaker: Pratibha Sunil
- Found: Benefited from on-line normalization.
### Multi-band features
- Proposed: work on multi-band features.
### Person: Professor D
- Found by Professor D: The combination did not improve accuracy.
  - **Project Manager**: Agreed to this proposal.
  - **Marketing Expert**: Agreed to this requirement.
## Decisions
- Decision: Develop a new set of training targets.
## Action items
- Restart Script: Carmen: "My battery is low. Let's hope it works."
- Restart Script: Carmen: Restart the script before the next take.
- Mike: Update the table: the MSG rows.
## Open questions
- There are no open questions unresolved.
"""
    notes = parse(draft, 10)
    assert [(t, [p.text for p in ps]) for t, ps in notes.topics] == [
        ("", ["Benefited from on-line normalization."]),
        ("Multi-band features", ["Work on multi-band features."]),
        ("", ["The combination did not improve accuracy."]),
    ]
    assert [p.text for p in notes.decisions] == ["Develop a new set of training targets."]
    assert [(a.owner, a.text) for a in notes.actions] == [
        ("Carmen", "Restart the script before the next take."),
        ("Mike", "Update the table: the MSG rows."),
    ]
    assert notes.questions == []


def test_an_owner_that_is_a_label_is_dropped_and_a_name_nobody_said_is_marked(embedder: Embedder) -> None:
    lines = ["Carmen: Let me check the batteries before we connect the system.", "Mike: Fine, and the OGI system?"]
    notes = parse("## Action items\n- Check Batteries: replace the batteries of the microphones.\n"
                  "- Connecting to OGI System: connect the system to OGI.\n"
                  "- Zorro: connect the system to OGI.\n", len(lines))  # fmt: skip
    trace(notes, lines, embedder.queries, embedder.passages)
    assert [(a.owner, a.text) for a in notes.actions] == [
        ("", "replace the batteries of the microphones."),
        ("", "connect the system to OGI."),
        ("", "connect the system to OGI. (owner “Zorro” is not in the transcript)"),
    ]


def test_the_notes_of_parts_are_joined_with_one_short_overview() -> None:
    """The model asked for the overview of the whole meeting may write the parts' overviews out again (measured on
    ICSI Bro005: seven of them, 380 words): the notes keep three sentences. Titled topics come before asides."""
    from aiwisper.summaries.notes import condensed
    from aiwisper.summaries.worker import joined

    parts = [f"## Overview\nThe meeting was about part {i}. The group found fact {i}.\n## Topics\n- Aside {i} was "
             f"made.\n### Subject {i}\n- Point {i} was decided by the group.\n" for i in range(1, 8)]  # fmt: skip
    asked: list[str] = []
    text = joined(parts, lambda said: asked.append(said) or said)  # a model that copies what it is given
    notes = parse(text)
    assert len(asked) == 1 and "Part 1" not in asked[0] and "part 7" in asked[0]
    assert notes.overview == "The meeting was about part 1. The group found fact 1. The meeting was about part 2."
    subjects = [f"Subject {i}" for i in range(1, 8)]
    assert [(t, len(ps)) for t, ps in notes.topics] == [*[(t, 1) for t in subjects], ("Other points", 7)]
    for p in notes.points():
        p.support = 0.5 if p.text.startswith("Aside") else 0.4  # an aside says a transcript line word for word
    kept = condensed(notes)
    assert [t for t, _ in kept.topics] == [*subjects, "Other points"]
    assert [p.text for p in kept.topics[-1][1]] == [f"Aside {i} was made." for i in range(1, 4)]


def test_an_owner_is_a_participant_only_when_all_of_the_name_matches() -> None:
    who = ("Professor A", "PhD B", "Anna Smith")
    lines = ["Professor A: Bo Lind will send it.", "PhD B: fine"]
    assert known_owner("PhD B", lines, who) and known_owner("Anna", lines, who)
    assert known_owner("Bo Lind", lines, who) and known_owner("the team", lines, who) is False
    assert not known_owner("PhD A", lines, who)  # a label of the same shape is not a participant
    assert not known_owner("Bo Smith-Jones", lines, who)


@pytest.fixture(scope="module")
def embedder(models_dir: Path) -> Any:
    e = Embedder(models_dir)
    yield e
    e.close()


def test_points_are_traced_to_what_was_said_and_the_rest_is_marked(embedder: Embedder) -> None:
    lines = meeting("IS1006a")["lines"]
    draft = """## Topics
### Price
- The Project Manager wants to sell the remote control for twenty five Euro.
- The company expects a profit of two million Euro.
- The budget of the Paris office was cut by a third after the audit of the hospital wing.
## Action items
- Christa Pavlov: make the project plan
- Zorro Quintana: book the venue for the launch
- Christa Pavlov: send the project plan to everyone by June 1st
"""
    notes = parse(draft, len(lines))
    trace(notes, lines, embedder.queries, embedder.passages)
    price, profit, invented = notes.topics[0][1]
    said = " ".join(lines[i] for i in price.lines).lower()
    assert price.supported and "twenty five" in said, (price, said)
    assert profit.supported and "million" in " ".join(lines[i] for i in profit.lines).lower()
    assert not invented.supported and invented.lines == []
    assert notes.actions[0].owner == "Christa Pavlov"  # she names herself in the meeting
    assert notes.actions[1].owner == "" and "“Zorro Quintana” is not in the transcript" in notes.actions[1].text
    dated = notes.actions[2]  # its words were said, its deadline was not
    assert not dated.supported and dated.text.endswith("(june not said)"), dated  # ("one" was said, June never)
    shown = render(notes, lambda i: f"line {i + 1}")
    body, apart = shown.split("## Not found in the transcript")
    assert "hospital wing" not in body and "- The budget of the Paris office" in apart  # set apart, not among the notes
    assert "twenty five Euro. [line" in body and "Action: book the venue for the launch (owner “Zorro" in apart


TALK = [  # a short talk (LJ Speech: a real reading on the history of printing), as live transcription wrote it
    "Speaker 1: Printing, in the only sense with which we are at present concerned, differs from most if not from all "
    "the arts and crafts represented in the Exhibition in being comparatively modern.",
    "Speaker 1: For although the Chinese took impressions from wood blocks engraved in relief for centuries before the "
    "woodcutters of the Netherlands, by a similar process produced the block books,",
    "Speaker 1: which were the immediate predecessors of the true printed book, the invention of movable metal letters "
    "in the middle of the fifteenth century may justly be considered as the invention of the art of printing.",
]
INVENTED = """## Overview
The meeting was about discussing the exhibition of printing and its modern representation.

## Decisions
- John Doe: Agreed to the price of $50 for printing.
- Jane Smith: Agreed to the cost of $30 for printing.
- Tom Brown: Agreed to the count of 10 for printing.
"""  # the notes model's own draft of such a talk in a CI run (qwen2.5 1.5B): every point invented


def test_notes_whose_points_were_not_said_are_written_again_from_its_main_points(embedder: Embedder,
                                                                                 models_dir: Path) -> None:  # fmt: skip
    """A short talk whose shaped notes the model filled with decisions and prices nobody named: the notes model is
    asked for the main points, and the notes show those it finds said, each cited; the invented ones are set
    apart. A speaker's label ("Speaker 1") is no figure, and a topic named by the template's words has no title."""
    from aiwisper.summaries.gguf import FILE
    from aiwisper.summaries.llm import LlamaCpp
    from aiwisper.summaries.templates import POINTS
    from aiwisper.summaries.worker import traced

    llm = LlamaCpp(models_dir / FILE, 2)
    asked: list[str] = []

    def again() -> str:
        asked.append(said := llm.chat(POINTS, "\n".join(TALK), lambda _: None))
        return said

    shown = traced(INVENTED, TALK, [0, 9_000, 18_000], embedder, again)
    print(f"main points asked again:\n{asked[0]}\nnotes:\n{shown}")
    body, apart = shown.split("## Not found in the transcript")
    points = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(points) >= 3 and all(re.search(r"\[0:(00|09|18)\]$", p) for p in points), body
    assert re.search(r"print", " ".join(points), re.I) and re.search(r"movable|Chinese|block", body), body
    assert "John Doe" not in body and "Decision: John Doe" in apart
    assert "## Topics" not in traced(INVENTED, TALK, [0, 9_000, 18_000], embedder)  # the draft alone: no point said
    notes = parse("## Topics\n### ### Who proposed?\n- Speaker 1: said that printing is comparatively modern\n", 3)
    assert notes.topics[0][0] == ""
    trace(notes, TALK, embedder.queries, embedder.passages)
    assert notes.topics[0][1][0].supported, notes.topics[0][1][0]


def test_figures_of_a_point_are_compared_with_what_was_said_by_value() -> None:
    """The figures people wrote in their summaries of the real meetings (prices, counts, "12.5 euros" said as
    "twelve fifty Euro") are all found in their transcripts; a date nobody said is not."""
    from aiwisper.summaries.figures import figures, unsaid

    assert figures("sell it for twenty-five Euro, 12.5 percent off, by June 1st") == {25, "12.5", 1, "june"}
    assert figures("one hundred and twenty units, two million Euro") == {120, 2_000_000}
    assert figures("twelve fifty Euro") == {12, 50}  # a spoken price: two numbers, not 62
    flagged, with_figures = [], 0
    for m in [meeting(name) for name in ("IS1006a", "ES2006a", "TS3010b", "TS3010d", "ES2009b", "Bro011")]:
        stated = figures(" ".join(line.split(": ", 1)[-1] for line in m["lines"]))
        for sentence in re.split(r"(?<=[.!?])\s+", m["summary"]):
            with_figures += bool(figures(sentence))
            if unsaid(sentence, stated):
                flagged.append(sentence)
        assert unsaid("The remote is launched on the 14th of February 2031.", stated) >= {2031, "february"}
    assert with_figures >= 7 and flagged == [], flagged


def test_transcripts_from_meeting_apps_are_read(tmp_path: Path) -> None:
    vtt = """WEBVTT

NOTE exported by a meeting app

1
00:00:01.000 --> 00:00:04.500
<v Ann Lee>We set the price at twenty five euros.</v>

00:01:05.250 --> 01:00:07.000
Bo: Fine, I will write the spec
by Friday.
"""
    cues = parse_cues(vtt)
    assert [(c.start_ms, c.end_ms, c.speaker, c.text) for c in cues] == [
        (1000, 4500, "Ann Lee", "We set the price at twenty five euros."),
        (65250, 3607000, "Bo", "Fine, I will write the spec by Friday.")]  # fmt: skip
    srt = (
        "1\r\n00:00:02,000 --> 00:00:03,000\r\nCarla: Agreed.\r\n\r\n2\r\n00:00:03,500 --> 00:00:05,000\r\nNo name.\r\n"
    )
    assert [(c.start_ms, c.speaker, c.text) for c in parse_cues(srt)] == [(2000, "Carla", "Agreed."),
                                                                          (3500, "", "No name.")]  # fmt: skip
    txt = parse_lines("Ann: hello there\nBo: hi\nand a second line from Bo\n")
    assert [(t.speaker, t.text) for t in txt] == [("Ann", "hello there"), ("Bo", "hi and a second line from Bo")]
    for name, data, error in (("a.srt", b"nothing here\n", "no transcript found"),
                              ("a.txt", b"\xff\xfe\x00bad", "not UTF-8"),
                              ("a.docx", b"Ann: hi", "must be .vtt, .srt or .txt")):  # fmt: skip
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InvalidArgumentError, match=error):
            read(tmp_path / name)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[str]]:
    """AMI meeting IS1006a made a session by `aiwisper import-transcript` (a TXT of "Role: text" lines), and found
    by search: (session id, the --data-dir arguments)."""
    tmp = tmp_path_factory.mktemp("imported")
    path = tmp / "IS1006a.txt"
    path.write_text("\n".join(meeting("IS1006a")["lines"]) + "\n")
    data = ["--data-dir", str(tmp / "data")]
    made = subprocess.run([*AIWISPER, "import-transcript", str(path), *data], capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert made.returncode == 0, made.stderr
    found = subprocess.run([*AIWISPER, "search", "twenty five Euro", *data], capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert found.returncode == 0 and "IS1006a" in found.stdout, found.stdout + found.stderr
    return made.stdout.strip(), data


def test_notes_of_a_real_meeting_name_its_facts_and_its_people(imported: tuple[str, list[str]],
                                                               report: list[str]) -> None:  # fmt: skip
    """The app's own path: `aiwisper summary` writes the notes of the imported meeting with the notes model. A
    person's summary of this meeting: a remote control for children, sold at twenty-five Euro, a profit of two
    million, colours and functions."""
    m = meeting("IS1006a")
    sid, data = imported
    out = subprocess.run([*AIWISPER, "summary", sid, *data], capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    notes = out.stdout
    report.append(f"notes of AMI IS1006a ({m['words']} words):\n{notes}")
    assert notes.startswith("## Overview") and "## Topics" in notes
    low = notes.lower()
    assert "remote control" in low
    facts = {"price": r"\b(25|twenty[- ]five)\b|\bprice", "euro": r"\beuros?\b", "children": r"\b(child|kid)",
             "colour": r"\bcolou?r", "functions": r"\bfunction", "design": r"\bdesign\b"}  # fmt: skip
    named = [k for k, rx in facts.items() if re.search(rx, low)]
    assert re.search(r"\b(25|twenty[- ]five) euros?\b", low), notes  # the price the team set
    assert len(named) >= 4, (named, notes)
    bullets = [line for line in notes.splitlines() if line.startswith("- ")]
    cited = [b for b in bullets if re.search(r"\[line \d+\]$", b)]
    assert len(bullets) >= 4 and len(cited) >= 0.75 * len(bullets), notes
    for b in cited:  # a citation points at a line that shares the point's words
        n = int(re.findall(r"\[line (\d+)\]", b)[0])
        near = " ".join(m["lines"][max(0, n - 3) : n + 2]).lower()
        words = {w for w in re.findall(r"[a-z]{5,}", b.lower())}
        assert any(w in near for w in words), (b, near)
    people = {"project manager", "marketing", "user interface", "industrial designer", "christa", "pavlov"}
    for owner in re.findall(r"^- \*\*(.+?)\*\*:", notes, re.M):
        assert any(p in owner.lower() for p in people), (owner, notes)


SAFETY = (90, 118)  # lines of IS1006a on the safety of a remote control for children, read from the transcript:
# "my daughter likes remote controls … to eat … children proof … waterproof … very robust … child lock"


def test_the_meeting_answers_a_question_from_its_own_lines(imported: tuple[str, list[str]], report: list[str]) -> None:
    """A QMSum question about this meeting; its reference answer: waterproof, baby-proof, a child lock."""
    sid, data = imported
    question = next(q["query"] for q in meeting("IS1006a")["questions"] if "safety" in q["query"])
    out = subprocess.run([*AIWISPER, "ask", sid, question, *data], capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    report.append(f"asked IS1006a: {question}\n{out.stdout}")
    answer = out.stdout.splitlines()[0].lower()
    assert re.search(r"proof|robust|child lock|unbreakable|break|eat", answer), out.stdout
    cited = [int(n) for n in re.findall(r"\[line (\d+)\]", answer)]
    assert cited and any(SAFETY[0] <= n <= SAFETY[1] for n in cited), out.stdout
    sources = out.stdout.splitlines()[1:]
    assert sources and all(re.match(r"  \[line \d+\] \S", s) for s in sources), out.stdout
    empty = subprocess.run([*AIWISPER, "ask", sid, "  ", *data], capture_output=True, text=True, timeout=120)
    assert empty.returncode != 0 and "question" in empty.stderr and not empty.stdout, empty.stderr


def test_notes_are_written_in_the_language_asked_for(tmp_path: Path, report: list[str]) -> None:
    """German speech (FLEURS' read sentences, as two speakers) with `--language de`: the notes keep the headings the
    app reads and say the rest in German, about what was said; an unknown language code is refused."""
    rows = [r.split("\t") for r in (DEV / "references.tsv").read_text().splitlines() if r.startswith("fleurs_de")]
    path = tmp_path / "german.txt"
    path.write_text("".join(f"{('Anna', 'Bernd')[i % 2]}: {r[3][0].upper()}{r[3][1:]}.\n" for i, r in enumerate(rows)))
    data = ["--data-dir", str(tmp_path / "data")]
    sid = subprocess.run([*AIWISPER, "import-transcript", str(path), *data], capture_output=True, text=True,
                         timeout=120, check=True).stdout.strip()  # fmt: skip
    wrong = subprocess.run([*AIWISPER, "summary", sid, "--language", "xx", *data], capture_output=True, text=True,
                           timeout=120)  # fmt: skip
    assert wrong.returncode != 0 and "unknown language code 'xx'" in wrong.stderr, wrong.stderr
    out = subprocess.run([*AIWISPER, "summary", sid, "--language", "de", *data], capture_output=True, text=True,
                         timeout=600)  # fmt: skip
    assert out.returncode == 0, out.stderr
    notes = out.stdout
    report.append(f"German notes:\n{notes}")
    assert notes.startswith("## Overview"), notes
    words = re.findall(r"[^\W\d_]+", re.sub(r"^#+ .*$|\[[^]]*\]", "", notes, flags=re.M).lower())
    german = sum(w in {"der", "die", "das", "und", "ist", "sich", "nicht", "mit", "von", "den", "auf", "eine", "ein",
                       "dass", "zu", "im", "des", "wurde", "sie"} for w in words)  # fmt: skip
    english = sum(w in {"the", "and", "is", "of", "to", "that", "with", "was", "on", "for", "it"} for w in words)
    assert german >= 5 and german > 3 * english, (german, english, notes)
    assert re.search(r"hongkong|kowloon|höhle|mekka|dinosaurier|tempelritter", notes, re.I), notes


def test_parts_written_while_recording_are_not_written_again(models_dir: Path, report: list[str]) -> None:
    """The first 180 lines of a real meeting as a recording in progress: the worker writes the notes of the part that
    later speech cannot change; the notes after Stop reuse it (no token of it is written again), write the last
    part and an overview, and come out traced as any notes."""
    from aiwisper.summaries.gguf import FILE
    from aiwisper.summaries.worker import SummaryWorker, Transcript

    lines = meeting("IS1006a")["lines"][:180]
    backend = {"kind": "gguf", "path": str(models_dir / FILE)}
    worker = SummaryWorker()
    try:
        assert worker.prepare(backend, Transcript(lines[:150], None, models_dir)) == 1  # while recording
        stages: list[str] = []
        text, _ = worker.summarize(backend, Transcript(lines, None, models_dir), "notes", "",
                                   lambda _, stage: stages.append(stage), lambda _: None, parts=True)  # fmt: skip
    finally:
        worker.close()
    report.append(f"notes joined from parts (IS1006a, 180 lines):\n{text}")
    assert "part 1 of 2" not in stages and "part 2 of 2" in stages and "final" in stages, set(stages)
    assert text.startswith("## Overview") and "## Topics" in text, text
    body = text.split("## Not found in the transcript")[0]
    assert len(re.findall(r"\[line \d+\]", body)) >= 3, text


def test_the_notes_are_told_who_speaks_and_the_language_comes_last() -> None:
    """The speakers' names go into the notes' and action items' instructions (a small model wrote "PhD E" for
    "Grad E" when told nobody); no names, another template or a crowd leave the instruction as it was; the language
    asked for is said after the names."""
    from aiwisper.summaries.templates import MAX_PEOPLE, NOTES, naming, template, written_in

    notes = template(NOTES)
    told = naming(notes, ["Grad E", "PhD B"])
    for asked, was in ((told.whole, notes.whole), (told.map, notes.map), (told.reduce, notes.reduce)):
        assert asked.startswith(was) and asked.endswith("The people who speak are: Grad E, PhD B. Write a person's "
                                                        "name exactly as it is here.")  # fmt: skip
    assert "Grad E, PhD B" in naming(template("action_items"), ["Grad E", "PhD B"]).whole
    assert naming(notes, []) == notes and naming(template("decisions"), ["Anna"]) == template("decisions")
    assert naming(notes, [f"Speaker {i}" for i in range(MAX_PEOPLE + 1)]) == notes
    german = written_in(told, "de").whole
    assert german.index("Grad E") < german.index("German"), german


def test_notes_of_a_meeting_longer_than_the_model_takes_keep_their_shape(embedder: Embedder) -> None:
    """A meeting longer than the model's context: the notes of its parts are joined as a recording's are (their
    sections kept, one overview the model writes from the parts' overviews), not read by the model again. The
    model is a fake that writes each part's notes from its longest line; the points are traced to the real
    meeting's lines, each cited where it was said."""
    from collections import OrderedDict

    from aiwisper.summaries.notes import clock
    from aiwisper.summaries.templates import template
    from aiwisper.summaries.worker import Done, Summarize, Transcript, _run

    lines = meeting("IS1006a")["lines"]
    asked: list[tuple[str, str]] = []

    class Model:  # 2,600 words of context: the meeting's 2,409 words and the answer do not fit at once
        name, context = "fake", 2600

        def count(self, text: str) -> int:
            return len(text.split())

        def chat(self, instruction: str, text: str, on_token: Any, max_tokens: int = 900) -> str:
            asked.append((instruction, text))
            if instruction == template("notes").overview:
                return "The team planned a remote control."
            longest = max(text.splitlines(), key=len).split(": ", 1)[-1]
            return f"## Overview\nPart {len(asked)}.\n\n## Topics\n### What was said\n- {longest}\n"

    sent: list[Any] = []

    class Pipe:
        def send(self, message: Any) -> None:
            sent.append(message)

    starts = [i * 4_000 for i in range(len(lines))]
    meeting_job = Summarize({"kind": "gguf"}, Transcript(lines, starts, Path(), "en"), "notes", "", "en")
    _run(Pipe(), Model(), meeting_job, embedder, OrderedDict())  # type: ignore[arg-type]
    done = sent[-1]
    assert isinstance(done, Done), sent[-1]
    notes = parse(done.text)
    instructions = [i for i, _ in asked]
    assert instructions == [template("notes").map] * 2 + [template("notes").overview], instructions
    assert asked[-1][1] == "Part 1. Part 2." and notes.overview == "The team planned a remote control."
    bullets = [line for line in done.text.splitlines() if line.startswith("- ")]
    assert len(bullets) == 2 and len(notes.points()) == 2, done.text
    for bullet, (_, part) in zip(bullets, asked, strict=False):  # each part's point, cited where it was said
        longest = max(part.splitlines(), key=len)
        said_at = clock(starts[lines.index(longest)])
        assert bullet.startswith(f"- {longest.split(': ', 1)[-1]}") and f"[{said_at}]" in bullet, (bullet, said_at)
