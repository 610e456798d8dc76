"""Append-only schema migrations; `PRAGMA user_version` counts how many ran. Never edit one, add one."""

MIGRATIONS: tuple[str, ...] = (
    # 1: sessions, chunks (sample ranges of the session audio), segments, full-text index.
    """
    CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        ended_at TEXT,
        duration_ms INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL,               -- recording, done, recovered, failed
        kind TEXT NOT NULL DEFAULT 'recording',  -- recording, import
        sources TEXT NOT NULL DEFAULT '[]', -- JSON list of channel names, in WAV channel order
        audio_file TEXT NOT NULL,
        sample_rate INTEGER NOT NULL DEFAULT 16000,
        language TEXT,
        model TEXT,
        error TEXT
    );
    CREATE INDEX sessions_created ON sessions(created_at);
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        source TEXT NOT NULL,               -- channel name: mic, system, mix
        start_sample INTEGER NOT NULL,
        end_sample INTEGER NOT NULL,
        status TEXT NOT NULL DEFAULT 'pending',  -- pending, done, failed, held
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        CHECK (end_sample > start_sample)
    );
    CREATE INDEX chunks_session ON chunks(session_id, start_sample);
    CREATE INDEX chunks_status ON chunks(status);
    CREATE TABLE segments (
        id INTEGER PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        chunk_id INTEGER REFERENCES chunks(id) ON DELETE CASCADE,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        text TEXT NOT NULL,
        source TEXT NOT NULL,
        confidence REAL,
        original_text TEXT                  -- the engine's text when the user corrected it
    );
    CREATE INDEX segments_session ON segments(session_id, start_ms);
    CREATE VIRTUAL TABLE segments_fts USING fts5(text, content='segments', content_rowid='id');
    CREATE TRIGGER segments_ai AFTER INSERT ON segments BEGIN
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER segments_ad AFTER DELETE ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    CREATE TRIGGER segments_au AFTER UPDATE OF text ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO segments_fts(rowid, text) VALUES (new.id, new.text);
    END;
    """,
    # 2: words of each segment with their probabilities, for marking uncertain ones.
    """
    ALTER TABLE segments ADD COLUMN words TEXT NOT NULL DEFAULT '[]';
    CREATE INDEX segments_chunk ON segments(chunk_id);
    """,
    # 3: words and names the user expects in a session (custom vocabulary, given to the engine as a prompt).
    """
    ALTER TABLE sessions ADD COLUMN vocabulary TEXT NOT NULL DEFAULT '';
    """,
    # 4: jobs (imports, re-transcriptions) as rows, so that a crash leaves none behind unseen.
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,                 -- import, retranscribe
        title TEXT NOT NULL,
        state TEXT NOT NULL,                -- queued, running, done, failed, cancelled
        session_id TEXT,
        path TEXT,                          -- import: the file
        model TEXT,
        language TEXT,
        vocabulary TEXT NOT NULL DEFAULT '',
        error TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX jobs_state ON jobs(state);
    """,
    # 5: speakers. A segment's `speaker` is a number within its session (null: not diarized); a name given to one
    # is stored once per session; the turns found are kept, so that re-transcribed text gets its speakers again.
    """
    ALTER TABLE segments ADD COLUMN speaker INTEGER;
    CREATE TABLE speakers (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        speaker INTEGER NOT NULL,
        name TEXT NOT NULL,
        PRIMARY KEY (session_id, speaker)
    );
    CREATE TABLE turns (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        source TEXT NOT NULL,               -- the channel that was diarized
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        speaker INTEGER NOT NULL
    );
    CREATE INDEX turns_session ON turns(session_id);
    """,
    # 6: a memo per session (the user's own notes beside the transcript), searched like the transcript.
    """
    CREATE TABLE memos (
        session_id TEXT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
        text TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE memos_fts USING fts5(text, content='memos', content_rowid='rowid');
    CREATE TRIGGER memos_ai AFTER INSERT ON memos BEGIN
        INSERT INTO memos_fts(rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER memos_ad AFTER DELETE ON memos BEGIN
        INSERT INTO memos_fts(memos_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    CREATE TRIGGER memos_au AFTER UPDATE OF text ON memos BEGIN
        INSERT INTO memos_fts(memos_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
        INSERT INTO memos_fts(rowid, text) VALUES (new.rowid, new.text);
    END;
    """,
    # 7: documents beside the sessions (a copy of the file is kept in the data folder), their text as passages
    # (a PDF's page, else None) with a full-text index searched with the transcripts.
    """
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        kind TEXT NOT NULL,                 -- pdf | docx | txt | md
        file TEXT NOT NULL,                 -- the copy, relative to the data folder
        bytes INTEGER NOT NULL,
        pages INTEGER,                      -- PDFs only
        added_at TEXT NOT NULL
    );
    CREATE TABLE passages (
        id INTEGER PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        position INTEGER NOT NULL,
        page INTEGER,
        text TEXT NOT NULL
    );
    CREATE INDEX passages_document ON passages(document_id, position);
    CREATE VIRTUAL TABLE passages_fts USING fts5(text, content='passages', content_rowid='id');
    CREATE TRIGGER passages_ai AFTER INSERT ON passages BEGIN
        INSERT INTO passages_fts(rowid, text) VALUES (new.id, new.text);
    END;
    CREATE TRIGGER passages_ad AFTER DELETE ON passages BEGIN
        INSERT INTO passages_fts(passages_fts, rowid, text) VALUES ('delete', old.id, old.text);
    END;
    """,
    # 8: summaries of a session by a language model, with the template/prompt and model that made them.
    """
    CREATE TABLE summaries (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        template TEXT NOT NULL,
        prompt TEXT NOT NULL,
        model TEXT NOT NULL,
        text TEXT NOT NULL,
        state TEXT NOT NULL,                -- queued | running | done | failed | cancelled
        error TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX summaries_session ON summaries(session_id, created_at);
    """,
    # 9: sentence embeddings of segments, memos and document passages for search by meaning; an edit or a delete
    # drops the stale vector (the indexer embeds whatever has none).
    """
    CREATE TABLE embeddings (
        kind TEXT NOT NULL,                 -- segment | memo | passage
        item INTEGER NOT NULL,              -- segments.id | memos.rowid | passages.id
        model TEXT NOT NULL,
        vector BLOB NOT NULL,               -- float16, unit length
        PRIMARY KEY (kind, item)
    ) WITHOUT ROWID;
    CREATE TRIGGER segments_embedding_au AFTER UPDATE OF text ON segments BEGIN
        DELETE FROM embeddings WHERE kind = 'segment' AND item = old.id;
    END;
    CREATE TRIGGER segments_embedding_ad AFTER DELETE ON segments BEGIN
        DELETE FROM embeddings WHERE kind = 'segment' AND item = old.id;
    END;
    CREATE TRIGGER memos_embedding_ai AFTER INSERT ON memos BEGIN
        DELETE FROM embeddings WHERE kind = 'memo' AND item = new.rowid;
    END;
    CREATE TRIGGER memos_embedding_au AFTER UPDATE OF text ON memos BEGIN
        DELETE FROM embeddings WHERE kind = 'memo' AND item = old.rowid;
    END;
    CREATE TRIGGER memos_embedding_ad AFTER DELETE ON memos BEGIN
        DELETE FROM embeddings WHERE kind = 'memo' AND item = old.rowid;
    END;
    CREATE TRIGGER passages_embedding_ad AFTER DELETE ON passages BEGIN
        DELETE FROM embeddings WHERE kind = 'passage' AND item = old.id;
    END;
    """,
    # 10: the language a summary is written in ('': the session's own).
    """
    ALTER TABLE summaries ADD COLUMN language TEXT NOT NULL DEFAULT '';
    """,
    # 11: the voice library. A voice is a unit vector (float32) averaged from the speakers that taught it, never
    # audio; each diarized speaker's own voice is kept per session (to teach a voice when the user names them);
    # a session's speaker name may come from a voice: `recognized` when the library named it, else taught by it.
    """
    CREATE TABLE voices (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        vector BLOB NOT NULL,
        taught INTEGER NOT NULL,            -- speakers averaged into the vector
        updated REAL NOT NULL
    );
    CREATE TABLE speaker_voices (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        speaker INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (session_id, speaker)
    );
    ALTER TABLE speakers ADD COLUMN voice_id INTEGER REFERENCES voices(id) ON DELETE SET NULL;
    ALTER TABLE speakers ADD COLUMN recognized INTEGER NOT NULL DEFAULT 0;
    """,
    # 12: what a session taught a voice by itself (the microphone of a call teaches "Me"): found again, the
    # session's lesson is replaced, not added a second time.
    """
    CREATE TABLE voice_lessons (
        session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
        voice_id INTEGER NOT NULL REFERENCES voices(id) ON DELETE CASCADE,
        vector BLOB NOT NULL,
        PRIMARY KEY (session_id, voice_id)
    );
    """,
    # 13: diarizations are jobs too (kind 'diarize'): one cut off by a crash or a quit runs again at the next start;
    # `speakers` is the count the user asked for (null: found automatically).
    """
    ALTER TABLE jobs ADD COLUMN speakers INTEGER;
    """,
)
