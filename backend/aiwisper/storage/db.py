"""The database: one thread owns the write connection; readers open their own.

Every write is a function run on the writer thread inside a transaction, so
writes never interleave and the recording thread never waits on a reader.
"""

from __future__ import annotations

import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import Any, TypeVar

from aiwisper.errors import AiwisperError
from aiwisper.storage.migrations import MIGRATIONS

T = TypeVar("T")
DB_FILE = "aiwisper.db"
_STOP = object()


class StorageError(AiwisperError):
    """The database cannot be opened or written."""


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection with the app's pragmas; the app and the tests both open the database here."""
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA busy_timeout = 30000")
    if readonly:
        conn.execute("PRAGMA query_only = ON")
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Run the migrations not yet applied; return the schema version."""
    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > len(MIGRATIONS):
        raise StorageError(f"the database was written by a newer AIWisper (schema {version})")
    for number, sql in enumerate(MIGRATIONS[version:], start=version + 1):
        # One script, one transaction: a migration applies whole or not at all.
        try:
            conn.executescript(f"BEGIN IMMEDIATE;\n{sql};\nPRAGMA user_version = {number};\nCOMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)


class Database:
    """Owner of `aiwisper.db`: a writer thread with a queue, and read connections on demand."""

    def __init__(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.path = folder / DB_FILE
            conn = connect(self.path)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn)
            # Start with an empty write-ahead log: migrations of a big database can leave megabytes in it.
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except (OSError, sqlite3.Error) as e:
            raise StorageError(f"cannot open the database in {folder}: {e}") from e
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, args=(conn,), name="db-writer", daemon=True)
        self._thread.start()

    def _run(self, conn: sqlite3.Connection) -> None:
        try:
            while (item := self._queue.get()) is not _STOP:
                fn, future = item
                if not future.set_running_or_notify_cancel():
                    continue
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    result = fn(conn)
                    conn.execute("COMMIT")
                    future.set_result(result)
                except BaseException as e:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    future.set_exception(e)
        finally:
            conn.close()

    def submit(self, fn: Callable[[sqlite3.Connection], T]) -> Future[T]:
        """Queue a write; the future holds its result or exception."""
        if self._closed:
            raise StorageError("the database is closed")
        future: Future[T] = Future()
        self._queue.put((fn, future))
        return future

    def write(self, fn: Callable[[sqlite3.Connection], T], timeout: float = 30.0) -> T:
        """Run a write and wait for it."""
        return self.submit(fn).result(timeout)

    def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run a read on a fresh read-only connection (WAL: readers never block the writer)."""
        conn = connect(self.path, readonly=True)
        try:
            return fn(conn)
        finally:
            conn.close()

    def close(self, timeout: float = 10.0) -> None:
        """Finish queued writes and stop the writer; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout)
