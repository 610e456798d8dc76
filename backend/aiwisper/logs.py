"""Logging: one rotating file in the data folder (what a user attaches to a bug report), stderr on request.

Every thread logs its exceptions with their tracebacks through the standard `logging` module. Transcript text is
never logged at INFO or above.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import threading
from pathlib import Path

LOG_FILE = "logs/aiwisper.log"
_FORMAT = "%(asctime)s %(levelname)-7s %(threadName)s %(name)s: %(message)s"


def log_path(data_dir: Path) -> Path:
    return data_dir / LOG_FILE


def setup_logging(data_dir: Path, verbose: bool = False) -> Path | None:
    """Log INFO and above to `<data dir>/logs/aiwisper.log` (1 MB, 3 old files kept); with `verbose`, DEBUG to
    stderr too. Returns the file's path, or None when the folder cannot be written (stderr is used then)."""
    root = logging.getLogger("aiwisper")
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    path: Path | None = log_path(data_dir)
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        path, handler = None, logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.setLevel(logging.INFO)
    root.addHandler(handler)
    if verbose:
        err = logging.StreamHandler(sys.stderr)
        err.setFormatter(logging.Formatter(_FORMAT))
        err.setLevel(logging.DEBUG)
        root.addHandler(err)
    root.propagate = False
    threading.excepthook = _log_thread_failure
    return path


def _log_thread_failure(args: threading.ExceptHookArgs) -> None:
    """A thread that dies of an exception nobody caught: logged with its traceback (not only printed)."""
    if args.exc_type is SystemExit or args.exc_value is None:
        return
    name = args.thread.name if args.thread is not None else "?"
    logging.getLogger("aiwisper").error("thread %s died", name, exc_info=args.exc_value)
