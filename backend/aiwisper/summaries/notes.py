"""Meeting notes with a shape: an overview, topics with their points, decisions, action items (owner, task) and
open questions, each point with the transcript lines it came from. Parsed from the model's Markdown (tolerant:
small models vary the headings' level, bold and bullet marks) and written back as Markdown with citations.
Pure logic."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

SECTIONS = ("overview", "topics", "decisions", "actions", "questions")
TITLES = {"overview": "Overview", "topics": "Topics", "decisions": "Decisions", "actions": "Action items",
          "questions": "Open questions"}  # fmt: skip
_KEYWORDS = (("overview", ("overview", "summary")), ("decisions", ("decision",)), ("actions", ("action", "next step")),
             ("questions", ("question", "unresolved")), ("topics", ("topic", "discussion")))  # fmt: skip
_HEADING = re.compile(r"^\s*(#{1,6})\s*(.+?)\s*#*\s*$|^\s*\*\*([^*]+?)\*\*:?\s*$|^\s*([A-Z][A-Za-z ]{2,30}):\s*$")
_LISTED_HEADING = re.compile(r"^\s*[-*•+]\s+(#{1,6}\s)")
_BULLET = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(.*)$")
# "- Action Items", "- User Interface Design": a heading the model wrote as a bullet (a short title, each word
# capitalised, nothing after it); a point says something and ends a sentence
_TITLE_BULLET = re.compile(r"^\s*[-*•+]\s+\**([A-Z][\w-]*(?:\s+(?:[A-Z][\w-]*|and|of|for|the|to|&)){0,4})\**:?\s*$")
_CITE = re.compile(r"\s*\[(?:lines?\s*)?(\d+(?:\s*[,–-]\s*\d+)*)\]")
_NONE = re.compile(r"^(none|n/?a|nothing|(?:there (?:are|were) )?no (?:decisions?|action items?|questions?|open "
                   r"questions?)\b.*)\.?$", re.I)  # fmt: skip
_OWNER = re.compile(r"^\*{0,2}([^:*]{2,40}?)\*{0,2}\s*:\s*\*{0,2}\s*(.+)$|^[(<]([^)>]{2,40})[)>]\s+(.+)$")
_DROP = re.compile(r"^(conclusions?|notes|meeting notes|transcript|meeting|next steps? summary|not found in the "
                   r"transcript)\b", re.I)  # fmt: skip
_PLACEHOLDER = re.compile(r"^[(<].*[)>]$|^a topic discussed$|^name of a topic$", re.I)
# "Speaker: Sunil", "Person: Professor D", "Proposal by PhD A": a person as a topic's title, not what was discussed
_PERSON_TITLE = re.compile(r"^(?:speakers?|persons?|participants?)\b|^\w+ by\b", re.I)
# "Found: This has nice big font.": the template's "who proposed, found or decided what" echoed as a label
_LABEL = re.compile(r"^(?:found|decided|proposed|agreed|discussed|noted|suggested|concluded|decision|question|"
                    r"point|topic|action items?)(?: by [^:]{1,30})?\s*:\s*(?=\S)", re.I)  # fmt: skip
# "  - Project Manager: Agreed to this proposal.": a reply to the point above, nothing by itself (AMI TS3010b)
_ECHO = re.compile(r"^(?:agreed|approved|accepted|confirmed|supported|liked)(?: (?:with|to))? (?:this|that|it)"
                   r"(?: [\w-]+)?\.?$", re.I)  # fmt: skip
_QUOTED = re.compile(r'^["“‘].*["”’]\.?$')  # a line of the transcript quoted: not a task
# a topic title made only of the template's own words ("Who proposed?", "Found or decided what?"): no title
_TEMPLATE_WORDS = frozenset(("who", "proposed", "found", "or", "decided", "what", "was", "were", "is", "discussed",
                            "topic", "topics", "name", "named", "of", "a", "the", "for", "heading"))  # fmt: skip
# the template's labels echoed as points ("Proposed by: Carmen", "Date: Not specified", "PLP vs MSG:"): no content
_FRAGMENT = re.compile(r"^(?:[\w-]+\s+){0,3}by\s*:|^(?:number|date|due date|owner|person|time|answer)\s*:|:$", re.I)
LIMITS = {"topics": 10, "decisions": 6, "actions": 6, "questions": 4}  # points a section shows at most: an hour's
# notes of 26 points at most (about 400 words), where a person's summary of it runs to 100-250 (QMSum)
UNSUPPORTED_SHOWN = 6
OTHER = "Other points"  # the title of the points the model wrote under no topic, when other topics have one


@dataclass
class Point:
    """A bullet of the notes; `lines` are the 0-based transcript lines that support it (empty: none found)."""

    text: str
    owner: str = ""  # action items only
    lines: list[int] = field(default_factory=list)
    support: float = 0.0  # how close the best supporting lines are (0…1)
    supported: bool = True


@dataclass
class Notes:
    overview: str = ""
    topics: list[tuple[str, list[Point]]] = field(default_factory=list)
    decisions: list[Point] = field(default_factory=list)
    actions: list[Point] = field(default_factory=list)
    questions: list[Point] = field(default_factory=list)

    def points(self) -> list[Point]:
        return [p for _, ps in self.topics for p in ps] + self.decisions + self.actions + self.questions

    def empty(self) -> bool:
        return not self.overview and not self.points()


def _placeholder(title: str) -> bool:
    return bool(_PLACEHOLDER.match(title) or _PERSON_TITLE.match(title)) or set(_key(title).split()) <= _TEMPLATE_WORDS


def _section(title: str) -> str | None:
    low = title.lower()
    return next((key for key, words in _KEYWORDS if any(w in low for w in words)), None)


def _clean(text: str) -> str:
    text = re.sub(r"\s+", " ", text.replace("**", "").replace("__", "")).strip().strip("-–").strip()
    return re.sub(r"^[(<]([^)>]{2,40})[)>]\s+(?=\S)", r"\1 ", text)  # "(Marketing) found…": the template's marks


def _cited(text: str, lines: int) -> tuple[str, list[int]]:
    """The text without its "[12, 15]" citations, and the 0-based lines they name that exist."""
    found: list[int] = []
    for m in _CITE.finditer(text):
        for piece in re.split(r"\s*,\s*", m.group(1)):
            ends = [int(x) for x in re.split(r"\s*[–-]\s*", piece) if x]
            first, last = ends[0], ends[-1]
            found += [n - 1 for n in range(first, min(last, first + 20) + 1) if 1 <= n <= lines]
    return _CITE.sub("", text).strip(), sorted(set(found))


def parse(markdown: str, lines: int = 0) -> Notes:
    """Notes from the model's Markdown; `lines` is the transcript's length, for the model's own citations."""
    notes = Notes()
    section: str | None = None
    topic: list[Point] | None = None
    overview: list[str] = []
    for raw in markdown.splitlines():
        if not raw.strip():
            continue
        raw = _LISTED_HEADING.sub(r"\1", raw)  # "- ### Pricing": a heading the model put in a list
        raw = _TITLE_BULLET.sub(r"### \1", raw)  # "- Technical Parts" alone on its line: a heading too
        head = _HEADING.match(raw)
        if head and not _BULLET.match(raw):
            title = _clean((head.group(2) or head.group(3) or head.group(4) or "").lstrip("# "))
            level = len(head.group(1) or "##")
            key = _section(title)
            if key is not None and not (section == "topics" and level >= 3 and key == "topics"):
                section, topic = key, None
                continue
            if _DROP.match(title) or (level < 3 and section != "topics" and not notes.topics and not overview):
                section, topic = None, None  # "Conclusion", or a title above the notes: its lines are dropped
                continue
            section, topic = "topics", []  # any other heading names a topic, wherever the model put it
            notes.topics.append(("" if _placeholder(title) else title, topic))
            continue
        bullet = _BULLET.match(raw)
        text, cites = _cited(bullet.group(1) if bullet else raw, lines)
        if section == "overview":
            overview.append(_clean(text))
            continue
        text = _clean(text) if section != "actions" else text.strip()
        said = _clean(text).split(": ", 1)[-1]  # "User Interface: no open questions were raised": none either
        if not text or _NONE.match(said) or _PLACEHOLDER.match(_clean(text)) or section is None:
            continue
        if _FRAGMENT.search(_clean(text)) or _ECHO.match(said):
            continue
        action = _action(text, cites) if section == "actions" else None
        if section == "actions" and action is None:
            continue
        point = action or Point(_unlabelled(_clean(text)), lines=cites)
        if section == "topics":
            if topic is None:
                topic = []
                notes.topics.append(("", topic))
            topic.append(point)
        elif section == "decisions":
            notes.decisions.append(point)
        elif section == "actions":
            notes.actions.append(point)
        elif section == "questions":
            notes.questions.append(point)
    notes.overview = _once(" ".join(t for t in overview if t))
    return _deduplicated(notes)


def _unlabelled(text: str) -> str:
    bare = _LABEL.sub("", text)
    return bare[:1].upper() + bare[1:]


def _action(text: str, cites: list[int]) -> Point | None:
    """An action item: "Owner: task" (in "Restart Script: Carmen: task" the first is a label, the second the
    owner), or a task alone; None when it says nothing to do ("Mike: None", a quoted line of the transcript)."""
    owner, task = "", text
    for _ in range(2):
        m = _OWNER.match(task)
        named = (m.group(1) or m.group(3)).split() if m else []
        if not m or len(named) > 4 or (owner and not all(w[:1].isupper() for w in named)):
            break  # a second "X: " only when X is a name: "Mike: Update the doc: section 2" is Mike's
        owner, task = m.group(1) or m.group(3), m.group(2) or m.group(4)
    task = _clean(task)
    if not task or _NONE.match(task) or _QUOTED.match(task):
        return None
    return Point(task if owner else _unlabelled(task), owner=_clean(owner), lines=cites)


def _aside(title: str) -> bool:
    """A topic of points the model wrote under no title."""
    return not title or title == OTHER


def brief(text: str, sentences: int = 3) -> str:
    """The first sentences of a text, each once: an overview a small model wrote too long."""
    return " ".join(re.split(r"(?<=[.!?])\s+", _once(text))[:sentences]).strip()


def merge(parts: list[Notes]) -> Notes:
    """The notes of consecutive parts of one meeting as one: their sections in order, each point once (the
    overview is left to the caller: the parts' overviews joined are no overview)."""
    whole = Notes()
    for n in parts:
        whole.topics += n.topics
        whole.decisions += n.decisions
        whole.actions += n.actions
        whole.questions += n.questions
    for p in whole.points():
        p.lines = []  # a part's own line numbers mean nothing in the whole
    return _deduplicated(whole)


def condensed(notes: Notes) -> Notes:
    """At most LIMITS points a section, the best supported kept in their order: an hour's notes joined from its
    parts would otherwise run to a hundred points, more than anyone reads after a meeting."""

    untitled = {id(p) for t, ps in notes.topics if _aside(t) for p in ps}  # "This has nice big font."

    def best(points: list[Point], limit: int) -> set[int]:
        ranked = sorted(points, key=lambda p: (not p.supported, id(p) in untitled, -p.support))
        return {id(p) for p in ranked[:limit]}

    topic_points = [p for _, ps in notes.topics for p in ps]
    keep = best(topic_points, LIMITS["topics"])
    notes.topics = [(t, kept) for t, ps in notes.topics if (kept := [p for p in ps if id(p) in keep])]
    for key in ("decisions", "actions", "questions"):
        points: list[Point] = getattr(notes, key)
        chosen = best(points, LIMITS[key])
        setattr(notes, key, [p for p in points if id(p) in chosen])
    return notes


def _once(text: str) -> str:
    """Each sentence once: a small model can loop, writing the same sentences again and again."""
    seen: set[str] = set()
    kept = []
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if (key := _key(sentence)) and key not in seen:
            seen.add(key)
            kept.append(sentence)
    return " ".join(kept)


def _key(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _deduplicated(notes: Notes) -> Notes:
    """Each point once (small models repeat a topic, or a point under two headings): the first keeps its place;
    topics of one title are joined and topics left without points are dropped."""
    seen: set[str] = set()

    def first(points: list[Point]) -> list[Point]:
        kept = []
        for p in points:
            key = _key(f"{p.owner} {p.text}")
            if key and key not in seen:
                seen.add(key)
                kept.append(p)
        return kept

    topics: dict[str, tuple[str, list[Point]]] = {}
    for title, points in notes.topics:
        topics.setdefault(_key(title) or f"\0{len(topics)}", (title, []))[1].extend(first(points))
    notes.topics = [(t, ps) for t, ps in topics.values() if ps]
    notes.decisions, notes.actions, notes.questions = (
        first(notes.decisions),
        first(notes.actions),
        first(notes.questions),
    )
    return notes


def clock(ms: int) -> str:
    s = ms // 1000
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


UNSUPPORTED = "Not found in the transcript"


def render(notes: Notes, cite: Callable[[int], str]) -> str:
    """Markdown: a section per heading that has points the transcript supports, each point ending with its
    citations ("[12:04]", made by `cite` from a line). Points nothing in the transcript supports are set apart in a
    last section, so that the notes themselves say only what was said."""
    unsupported: list[str] = []

    def bullets(points: list[Point], kind: str = "") -> list[str]:
        out = []
        for p in points:
            text = f"**{p.owner}**: {p.text}" if p.owner else p.text
            if p.supported:
                out.append(f"- {text} {' '.join(f'[{cite(n)}]' for n in p.lines)}".rstrip())
            else:
                unsupported.append(f"- {'' if text.lower().startswith(kind.lower()) else kind}{text}")
        return out

    out: list[str] = []
    if notes.overview:
        out += [f"## {TITLES['overview']}", notes.overview, ""]
    topics: list[str] = []
    titled = [(t, ps) for t, ps in notes.topics if not _aside(t)]
    asides = [p for t, ps in notes.topics if _aside(t) for p in ps]  # a title of their own, last: under
    for title, points in [*titled, (OTHER if titled else "", asides)]:  # no title they would join the one before
        shown = bullets(points)
        if shown:
            topics += [f"### {title}", *shown] if title else shown
    if topics:
        out += [f"## {TITLES['topics']}", *topics, ""]
    for key, points, kind in (("decisions", notes.decisions, "Decision: "), ("actions", notes.actions, "Action: "),
                              ("questions", notes.questions, "Question: ")):  # fmt: skip
        shown = bullets(points, kind)
        if shown:
            out += [f"## {TITLES[key]}", *shown, ""]
    if unsupported:
        out += [f"## {UNSUPPORTED}", *unsupported[:UNSUPPORTED_SHOWN], ""]
    return "\n".join(out).strip()


def plain(notes: Notes) -> str:
    """The notes' words only (no headings, marks or citations): what ROUGE compares with a person's summary."""
    parts = [notes.overview, *[t for t, _ in notes.topics if t]]
    parts += [f"{p.owner} {p.text}".strip() for p in notes.points()]
    return "\n".join(x for x in parts if x)
