"""The command line's speaker commands: `aiwisper speakers SESSION_ID [--rename "Speaker 1=Anna"]` and
`aiwisper voices list|rename OLD NEW|merge NAME INTO|forget NAME`."""

from __future__ import annotations

import argparse
import datetime
import sqlite3
from functools import partial
from pathlib import Path

from aiwisper.errors import InvalidArgumentError, NotFoundError
from aiwisper.storage.db import Database


def _db(args: argparse.Namespace) -> Database:
    from aiwisper import paths

    return Database(paths.data_dir(args.data_dir))


def _speaker_number(conn: sqlite3.Connection, session_id: str, who: str) -> int:
    """A speaker by their current name ("Speaker 1", "Anna") or number (1 = Speaker 1)."""
    from aiwisper.sessions import speaker_names as speakers

    known = speakers.names(conn, session_id)
    by_name = [n for n, name in known.items() if name.casefold() == " ".join(who.split()).casefold()]
    if by_name:
        return by_name[0]
    if who.strip().isdigit() and int(who) - 1 in known:
        return int(who) - 1
    listed = ", ".join(known.values()) or "none (diarize the session first)"
    raise NotFoundError(f"the session has no speaker {who!r}; its speakers: {listed}")


def _rename(conn: sqlite3.Connection, session_id: str, old: str, new: str) -> None:
    from aiwisper.speakers import store as speakers

    speakers.rename(conn, session_id, _speaker_number(conn, session_id, old), new)


def _cmd_speakers(args: argparse.Namespace) -> int:
    from aiwisper.sessions import library, store
    from aiwisper.sessions import speaker_names as speakers

    sid = library.check_session_id(args.session_id)
    db = _db(args)
    try:
        db.read(lambda c: store.get_session(c, sid))
        for change in args.rename or []:
            old, sep, new = change.partition("=")
            if not sep or not old.strip() or not new.strip():
                raise InvalidArgumentError(f'--rename takes "OLD=NEW", as in "Speaker 1=Anna", not {change!r}')
            db.write(partial(_rename, session_id=sid, old=old, new=new))
        names = db.read(lambda c: speakers.names(c, sid))
        known = db.read(lambda c: speakers.recognized(c, sid))
        talk = db.read(lambda c: _seconds(c, sid))
        if not names:
            print(f"{sid}: no speakers yet (run: aiwisper diarize {sid})")
        for n, name in names.items():
            mark = "  (recognized by voice)" if n in known else ""
            print(f"{n + 1:>3}  {name}  {talk.get(n, 0.0):.0f} s{mark}")
        return 0
    finally:
        db.close()


def _seconds(conn: sqlite3.Connection, session_id: str) -> dict[int, float]:
    rows = conn.execute("SELECT speaker, SUM(end_ms - start_ms) FROM segments WHERE session_id = ? AND speaker IS "
                        "NOT NULL GROUP BY speaker", (session_id,))  # fmt: skip
    return {int(r[0]): r[1] / 1000 for r in rows}


def _cmd_voices(args: argparse.Namespace) -> int:
    from aiwisper.speakers import voices

    db = _db(args)
    try:
        if args.voices_command == "rename":
            db.write(lambda c: voices.rename(c, args.old, args.new))
            print(f"{args.old} is now {' '.join(args.new.split())}")
        elif args.voices_command == "merge":
            db.write(lambda c: voices.merge(c, args.name, args.into))
            print(f"{args.name} merged into {args.into}")
        elif args.voices_command == "forget":
            db.write(lambda c: voices.forget(c, args.name))
            print(f"forgot {args.name}'s voice")
        else:
            found = db.read(voices.voices)
            if not found:
                print('no voices yet: name a speaker (aiwisper speakers SESSION_ID --rename "Speaker 1=Anna")')
            for v in found:
                when = datetime.datetime.fromtimestamp(v.updated).strftime("%Y-%m-%d")
                print(f"{v.name}  learnt from {v.taught} speaker(s), names speakers in {v.sessions} session(s), {when}")
        return 0
    finally:
        db.close()


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sp = sub.add_parser("speakers", help="list a session's speakers, or name one (which teaches the voice library)")
    sp.add_argument("session_id")
    sp.add_argument("--rename", action="append", metavar='"OLD=NEW"',
                    help='name a speaker, as in "Speaker 1=Anna" (repeatable)')  # fmt: skip
    sp.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    sp.set_defaults(func=_cmd_speakers)
    vo = sub.add_parser("voices", help="the voice library: voices remembered across meetings (vectors, no audio)")
    vsub = vo.add_subparsers(dest="voices_command", metavar="ACTION", required=True)
    vl = vsub.add_parser("list", help="list the remembered voices")
    vr = vsub.add_parser("rename", help="give a voice another name (and the speakers it named)")
    vr.add_argument("old")
    vr.add_argument("new")
    vm = vsub.add_parser("merge", help="two voices are one person: NAME joins INTO")
    vm.add_argument("name")
    vm.add_argument("into")
    vf = vsub.add_parser("forget", help="delete a voice and the vectors that taught it")
    vf.add_argument("name")
    for p in (vl, vr, vm, vf):
        p.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
        p.set_defaults(func=_cmd_voices)
