"""What a summary asks of the model: per template, the instruction for each part of the transcript (map) and
for joining the parts' notes (reduce)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from aiwisper.errors import InvalidArgumentError
from aiwisper.languages import NAMES


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    whole: str  # applied to a transcript that fits the model's context at once
    map: str  # applied to one part of a longer transcript
    reduce: str  # applied to the notes of all parts
    overview: str = ""  # applied to the overviews of parts joined without the model (notes only)
    points: str = ""  # notes only: the main points, asked again when the notes' own points were not said


SHAPE = (  # one paragraph per line: the model was measured with this exact text (bench/notes.py)
    "in Markdown, with these headings in this order:\n\n## Overview\nTwo or three sentences: what the meeting was "
    "about and what came out of it.\n\n## Topics\nThree to six topics, each a ### heading named for what was "
    "discussed, with two to four bullets under it. Each bullet is one sentence saying who proposed, found or decided "
    "what, with the numbers that were said (prices, costs, counts, dates).\n\n## Decisions\nBullets: what the group "
    'agreed.\n\n## Action items\nBullets as "Person: task", with the due date if one was said.\n\n'
    "## Open questions\nBullets: questions left unresolved.\n\nBe specific to this meeting. Use only what the "
    "transcript says. Leave out a heading that would be empty."
)
NOTES = "notes"
# measured on short talks (LJ Speech) where the shaped notes' points were invented decisions: 4 of 4 said
POINTS = (
    "List the main points of what was said above: three to six bullets, each one sentence that keeps the "
    "speaker's own key words. Use only what the transcript says."
)
TEMPLATES = {t.name: t for t in [
    Template(NOTES, "Meeting notes",
             f"Write the notes of the meeting above, {SHAPE}",
             f"Write the notes of this part of a meeting (above), {SHAPE}",
             f"These are the notes of consecutive parts of one meeting. Join them into the notes of the whole meeting:"
             f" each fact once, the overview of the whole meeting, {SHAPE}",
             "This is what was said in one meeting, part after part. Sum it up in two or three sentences: what the"
             " meeting was about and what came out of it. Write only the sentences.",
             POINTS),
    Template("decisions", "Decisions",
             "List the decisions made in this meeting transcript, one per line. Write 'none' if there are none.",
             "List the decisions made in this part of a meeting transcript, one per line. Write 'none' if there are"
             " none.",
             "These are decisions from consecutive parts of one meeting. List each decision once, one per line."),
    Template("action_items", "Action items",
             "List the action items in this meeting transcript: who will do what, one per line, as 'Owner: task'."
             " Write 'none' if there are none.",
             "List the action items in this part of a meeting transcript: who will do what, one per line, as"
             " 'Owner: task'. Write 'none' if there are none.",
             "These are action items from consecutive parts of one meeting. List each once, one per line, as"
             " 'Owner: task'."),
]}  # fmt: skip
CUSTOM = "custom"


def template(name: str, prompt: str = "") -> Template:
    """A named template, or the user's own prompt (`custom`) used for both steps."""
    if name == CUSTOM:
        prompt = prompt.strip()
        if not prompt:
            raise InvalidArgumentError("a custom summary needs a prompt")
        return Template(CUSTOM, "Custom", prompt, prompt, f"These are answers for consecutive parts of one meeting to: "
                        f"{prompt}\nJoin them into one answer.")  # fmt: skip
    if name == "summary":  # the name of the notes before they had a shape
        name = NOTES
    if name not in TEMPLATES:
        raise InvalidArgumentError(f"unknown template {name!r}; choose {', '.join([*TEMPLATES, CUSTOM])}")
    return TEMPLATES[name]


MAX_PEOPLE = 12  # speakers a template names; more are left to the transcript's own labels


def naming(tpl: Template, people: Sequence[str]) -> Template:
    """The notes (or action items) told who speaks, so that a person is written as the transcript names them.
    Measured on an ICSI meeting whose speakers are "Grad E", "PhD B"…: told nobody, the model gave an action item
    to "PhD E"."""
    if not people or len(people) > MAX_PEOPLE or tpl.name not in (NOTES, "action_items"):
        return tpl
    say = f" The people who speak are: {', '.join(people)}. Write a person's name exactly as it is here."
    return replace(tpl, whole=tpl.whole + say, map=tpl.map + say, reduce=tpl.reduce + say)


def written_in(tpl: Template, language: str | None) -> Template:
    """The template asking for the answer in `language` (a Whisper code; English, unknown or none: as it is). The
    notes' section headings stay as asked (the app reads them); everything else is in that language."""
    name = NAMES.get(language or "en", "English")
    if name == "English":
        return tpl
    # measured on German: "keep … and write the topic names and everything else in German" made two-word points
    say = f" Write the notes in {name} (keep the ## headings in English)." if tpl.name == NOTES else \
        f" Write the answer in {name}."  # fmt: skip
    overview = tpl.overview and f"{tpl.overview} Write them in {name}."
    points = tpl.points and f"{tpl.points} Write them in {name}."
    return replace(
        tpl, whole=tpl.whole + say, map=tpl.map + say, reduce=tpl.reduce + say, overview=overview, points=points
    )
