"""Writes the aiwisper(1) man page (roff) from the command line's own argparse definitions: every command, its
arguments and options, with their help, so that the page can never drift from `aiwisper --help`.

    python build/linux/manpage.py > aiwisper.1
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "backend"))

from aiwisper import __version__  # noqa: E402
from aiwisper.cli import build_parser  # noqa: E402


def esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("-", "\\-").replace("'", "\\(aq")


def commands(parser: argparse.ArgumentParser) -> list[tuple[str, str, argparse.ArgumentParser]]:
    """(name, help, parser) of each subcommand, depth first."""
    out = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                out.append((name, helps.get(name, ""), sub))
                out += [(f"{name} {n}", h, p) for n, h, p in commands(sub)]
    return out


def options(parser: argparse.ArgumentParser) -> list[str]:
    lines = []
    for a in parser._actions:
        if isinstance(a, (argparse._SubParsersAction, argparse._HelpAction)):
            continue
        if a.option_strings:
            meta = "" if a.nargs == 0 else f" {a.metavar or a.dest.upper()}"
            name = ", ".join(f"\\fB{esc(o)}\\fR{esc(meta)}" for o in a.option_strings)
        else:
            name = f"\\fI{esc(str(a.metavar or a.dest).upper())}\\fR"
        lines += [".TP", name, esc(a.help or "")]
    return lines


def page() -> str:
    parser = build_parser()
    today = datetime.date.today().isoformat()
    out = [f'.TH AIWISPER 1 "{today}" "aiwisper {__version__}" "User Commands"', ".SH NAME",
           "aiwisper \\- private, local meeting recorder and transcriber", ".SH SYNOPSIS",
           "\\fBaiwisper\\fR [\\fIOPTIONS\\fR]", ".br", "\\fBaiwisper\\fR \\fICOMMAND\\fR [\\fIARGS\\fR]",
           ".SH DESCRIPTION",
           "Without a command, opens the AIWisper window (in a browser when there is no desktop). Everything runs "
           "on this computer: recording the microphone and the system's audio, transcription with whisper.cpp, "
           "speakers, search and export. Nothing is sent anywhere.",
           ".SH OPTIONS", *options(parser), ".SH COMMANDS"]  # fmt: skip
    for name, help_text, sub in commands(parser):
        usage = " ".join(sub.format_usage().split()[1:])
        out += [".SS " + esc(f"aiwisper {name}"), esc(help_text[:1].upper() + help_text[1:]) + ".", ".PP",
                f"\\fB{esc(usage)}\\fR", *options(sub)]  # fmt: skip
    out += [".SH FILES", ".TP", "\\fI~/.local/share/aiwisper/\\fR",
            "Sessions (audio, transcripts), the database, settings and logs. Removing the package leaves them.",
            ".SH EXAMPLES", ".nf", "aiwisper transcribe meeting.m4a \\-\\-speakers auto \\-\\-format srt",
            "aiwisper record \\-\\-language de", "aiwisper sessions", ".fi"]  # fmt: skip
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.stdout.write(page())
