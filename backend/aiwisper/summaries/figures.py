"""The figures of a point of the notes (numbers, amounts, dates, days and months) must have been said: a small
model invents them readily ("the brochure is printed by June 1st" of a talk that named no date), and they are
what a reader acts on. Numbers are compared by value, written either way ("25", "twenty five", "twenty-five")."""

from __future__ import annotations

import re

_UNITS = {
    w: i
    for i, w in enumerate(
        ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen")
    )
}  # fmt: skip
_TENS = {w: 10 * (i + 2) for i, w in enumerate(("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty",
                                                 "ninety"))}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "twelfth": 12, "twentieth": 20, "thirtieth": 30}  # fmt: skip
_CALENDAR = frozenset(
    ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
     "december", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
)  # fmt: skip
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")


def _said_numbers(words: list[str]) -> set[int | str]:
    """Every number a run of words says (digits as written, number words by value, compounds summed)."""
    out: set[int | str] = set()
    value, current, open_ = 0, 0, False
    for w in [*words, ""]:
        if w in _UNITS or w in _TENS:
            below = current % 100  # "twenty five" is one number; "twelve fifty" (a price) and "five six" are two
            if below and not (w in _UNITS and _UNITS[w] < 10 and below % 10 == 0 and below >= 20):
                out.add(value + current)
                value, current = 0, 0
            current += _UNITS.get(w, 0) + _TENS.get(w, 0)
            open_ = True
        elif w in _SCALES and open_:
            value += max(current, 1) * _SCALES[w]
            current = 0
        elif w in _ORDINALS:
            out.add(current + _ORDINALS[w] if open_ else _ORDINALS[w])
            value, current, open_ = 0, 0, False
        elif w == "and" and open_:
            continue
        else:
            if open_:
                out.add(value + current)
            value, current, open_ = 0, 0, False
            if w and w[0].isdigit():
                digits = w.replace(",", "")
                out.add(int(digits) if digits.isdigit() else digits)
    return out


def figures(text: str) -> set[int | str]:
    """The numbers (by value), dates and calendar names a text states; "1st" is 1, "25,000" is 25000."""
    words = [re.sub(r"(?<=\d)(st|nd|rd|th)$", "", w) for w in _TOKEN.findall(text.lower().replace("-", " "))]
    return _said_numbers(words) | {w for w in words if w in _CALENDAR and w != "may"}


def _decimal_said(figure: str, transcript: set[int | str]) -> bool:
    """12.5 is said as "12.5", or as "twelve fifty" / "twelve point five" (both of its parts)."""
    whole, _, part = figure.replace(",", ".").partition(".")
    return whole.isdigit() and part.isdigit() and int(whole) in transcript and (
        int(part) in transcript or int(part.ljust(2, "0")) in transcript)  # fmt: skip


def unsaid(point: str, transcript: set[int | str]) -> set[int | str]:
    """The figures of `point` that `transcript` (figures of the whole meeting) never states."""
    return {f for f in figures(point) - transcript if not (isinstance(f, str) and _decimal_said(f, transcript))}
