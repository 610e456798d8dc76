"""SQLite storage: one writer thread, append-only migrations, FTS5 search."""
