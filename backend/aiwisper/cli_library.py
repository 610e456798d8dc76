"""The command line's library commands: `aiwisper docs add|list|remove` and `aiwisper search`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from aiwisper.errors import AiwisperError
from aiwisper.export import clock

if TYPE_CHECKING:
    from aiwisper.services import Services


def _services(args: argparse.Namespace) -> Services:
    from aiwisper.services import Services

    return Services(args.data_dir, transcription=False)


def _cmd_docs_add(args: argparse.Namespace) -> int:
    from aiwisper.documents import library

    services = _services(args)
    failed = 0
    try:
        for path in args.files:
            try:
                doc = library.add_file(services.db, services.data_dir, path)
            except AiwisperError as e:
                failed += 1
                print(f"aiwisper: error: {e}", file=sys.stderr)
                continue
            pages = f", {doc.pages} page(s)" if doc.pages else ""
            print(f"{doc.id}  {doc.title}: {doc.passages} passage(s){pages}")
    finally:
        services.close()
    return 2 if failed else 0


def _cmd_docs_list(args: argparse.Namespace) -> int:
    from aiwisper.documents import library

    services = _services(args)
    try:
        docs = services.db.read(library.list_documents)
    finally:
        services.close()
    for d in docs:
        print(f"{d.id}  {d.kind:<4} {d.bytes / 1024:>8.0f} KB  {d.added_at[:16]}  {d.title}")
    return 0


def _cmd_docs_remove(args: argparse.Namespace) -> int:
    from aiwisper.documents import library

    services = _services(args)
    try:
        services.db.write(lambda c: library.delete(c, services.data_dir, args.document_id))
    finally:
        services.close()
    return 0


def _cmd_search(args: argparse.Namespace) -> int:
    from aiwisper.meaning.index import pending_count

    services = _services(args)
    try:
        if args.mode != "exact" and services.index.available:
            pending = services.db.read(pending_count)
            if pending:
                print(f"aiwisper: indexing {pending} item(s) for search by meaning…", file=sys.stderr)
                services.index.index_pending()
        hits = services.index.search(" ".join(args.query), args.limit, args.speaker, args.mode)
    finally:
        services.close()
    for h in hits:
        where = (f"page {h.page}" if h.page else f"passage {h.position + 1}") if h.kind == "document" else (
            "notes" if h.kind == "memo" else clock(h.start_ms, ".", False)[:-4])  # fmt: skip
        who = f" {h.speaker}:" if h.speaker else ""
        similar = f" (≈ {h.score:.2f})" if h.match == "meaning" else ""
        print(f"{h.title} [{where}]{similar}{who} {' '.join(h.snippet.split())}")
    if not hits:
        print("nothing found", file=sys.stderr)
    return 0 if hits else 1


def _cmd_import_transcript(args: argparse.Namespace) -> int:
    from aiwisper.sessions.transcript_import import import_transcript

    services = _services(args)
    failed = 0
    try:
        for path in args.files:
            try:
                print(import_transcript(services.db, path))
            except AiwisperError as e:
                print(f"aiwisper: {e}", file=sys.stderr)
                failed += 1
    finally:
        services.close()
    return 1 if failed else 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from aiwisper.languages import check_language
    from aiwisper.sessions.library import check_session_id
    from aiwisper.summaries import store
    from aiwisper.summaries.service import choose_backend, model_name, run_summary, transcript
    from aiwisper.summaries.templates import template
    from aiwisper.summaries.worker import SummaryWorker

    services = _services(args)
    worker = SummaryWorker()
    try:
        sid = check_session_id(args.session_id)
        template(args.template, args.prompt)
        language = check_language(args.language) or ""
        backend = choose_backend(services.registry.folders, args.model or "", args.endpoint or "")
        lines = transcript(services.db, sid, services.registry.embedding_models_dir())
        if not lines.lines:
            raise AiwisperError("the session has no transcript yet")
        info = services.db.write(lambda c: store.create(c, sid, args.template, args.prompt, model_name(backend),
                                                           language))  # fmt: skip

        def token(text: str, stage: str) -> None:  # the model's draft, as it writes (notes are checked after)
            if stage == "final":
                sys.stderr.write(text)
                sys.stderr.flush()

        def progress(share: float) -> None:
            print(f"aiwisper: summarizing: {share:.0%}", file=sys.stderr)

        state, error = run_summary(services.db, worker, info, backend, lines, token, progress)
        if state != store.State.DONE:
            raise AiwisperError(error or state)
        print(file=sys.stderr)
        print(services.db.read(lambda c: store.get(c, info.id)).text)
    finally:
        worker.close()
        services.close()
    return 0


def _cmd_ask(args: argparse.Namespace) -> int:
    from aiwisper.meaning.index import pending_count
    from aiwisper.sessions.library import check_session_id
    from aiwisper.summaries.ask import check_question, run_ask
    from aiwisper.summaries.service import choose_backend
    from aiwisper.summaries.worker import SummaryWorker

    if args.all == bool(args.session_id):
        raise AiwisperError("give a session id, or --all to ask the whole library")
    services = _services(args)
    worker = SummaryWorker()
    try:
        sid = check_session_id(args.session_id) if args.session_id else ""
        question = check_question(args.question)
        backend = choose_backend(services.registry.folders, args.model or "", args.endpoint or "")
        services.index.embedder.require()
        if services.db.read(pending_count):
            print("aiwisper: indexing for search by meaning…", file=sys.stderr)
            services.index.index_pending()
        vector = services.index.embedder.queries([question])[0]
        said = run_ask(services.db, worker, backend, question, vector, sid)
    finally:
        worker.close()
        services.close()
    print(said.text)
    for src in said.sources:
        print(f"  [{src.where(not sid)}] {' '.join(src.text.split())}")
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    docs = sub.add_parser("docs", help="add, list and remove documents (PDF, DOCX, TXT, Markdown) that search covers")
    dsub = docs.add_subparsers(dest="docs_command", metavar="ACTION", required=True)
    add = dsub.add_parser("add", help="add documents (a copy is kept; bad files are named with the reason)")
    add.add_argument("files", nargs="+", type=Path)
    add.set_defaults(func=_cmd_docs_add)
    dsub.add_parser("list", help="list the documents").set_defaults(func=_cmd_docs_list)
    rm = dsub.add_parser("remove", help="remove a document (the original file is not touched)")
    rm.add_argument("document_id")
    rm.set_defaults(func=_cmd_docs_remove)
    for p in (add, rm, dsub.choices["list"]):
        p.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    it = sub.add_parser("import-transcript", help="make sessions of transcripts made elsewhere (WebVTT, SRT, or TXT of "
                        "'Name: text' lines); prints each new session's id")  # fmt: skip
    it.add_argument("files", nargs="+", type=Path)
    it.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    it.set_defaults(func=_cmd_import_transcript)
    su = sub.add_parser("summary", help="summarize a session with a local language model (streams the text)")
    su.add_argument("session_id")
    su.add_argument(
        "--template",
        default="notes",
        help="notes (the default: overview, topics, decisions, action "
        "items, open questions, each point cited), decisions, action_items or custom",
    )
    su.add_argument("--prompt", default="", help="the question for --template custom")
    su.add_argument("--language", default="", help="write in this language (a code: en, de, fr…; default: the "
                    "meeting's own)")  # fmt: skip
    su.add_argument("--model", help="a GGUF file (default: the notes model, Qwen2.5-Coder-1.5B-Instruct)")
    su.add_argument("--endpoint", help="an OpenAI-compatible server instead, e.g. http://127.0.0.1:11434/v1")
    su.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    su.set_defaults(func=_cmd_summary)
    ak = sub.add_parser("ask", help="ask a session (or --all: the whole library) a question; the answer cites "
                        "the times it comes from")  # fmt: skip
    ak.add_argument("session_id", nargs="?", default="")
    ak.add_argument("question")
    ak.add_argument("--all", action="store_true", help="ask every session instead of one")
    ak.add_argument("--model", help="a GGUF file (default: the notes model)")
    ak.add_argument("--endpoint", help="an OpenAI-compatible server instead")
    ak.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    ak.set_defaults(func=_cmd_ask)
    se = sub.add_parser("search", help="search transcripts, memos and documents (exit code 1: nothing found)")
    se.add_argument("query", nargs="+")
    se.add_argument("--limit", type=int, default=20, help="hits of each kind (default: 20)")
    se.add_argument("--speaker", default="", help="only what this speaker said")
    mode = se.add_mutually_exclusive_group()
    mode.add_argument("--semantic", dest="mode", action="store_const", const="meaning",
                      help="only what is nearest in meaning (any language)")  # fmt: skip
    mode.add_argument("--exact", dest="mode", action="store_const", const="exact", help="only hits with every word")
    se.set_defaults(mode="hybrid")
    se.add_argument("--data-dir", type=Path, help="data folder (default: the platform's)")
    se.set_defaults(func=_cmd_search)
