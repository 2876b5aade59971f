/**
 * The compat store's schema, one entry per `user_version`. Append, never edit: an opened database
 * runs every entry past its version, in one immediate transaction (compat-db.ts).
 */
export const MIGRATIONS: readonly string[] = [
  // v1. `seq` gives every listable table a stable order for cursors (created_at has 1 s ties).
  `
  CREATE TABLE files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    filename TEXT NOT NULL,
    purpose TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX files_purpose ON files (purpose, seq);

  CREATE TABLE vector_stores (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    description TEXT,
    metadata TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_active_at INTEGER NOT NULL,
    expires_days INTEGER,
    -- 1 once an expired store's index has been purged (lazily, on the next access).
    purged INTEGER NOT NULL DEFAULT 0
  );

  CREATE TABLE vector_store_files (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    vector_store_id TEXT NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    last_error TEXT,
    attributes TEXT NOT NULL,
    max_chunk_tokens INTEGER NOT NULL,
    overlap_tokens INTEGER NOT NULL,
    usage_bytes INTEGER NOT NULL,
    UNIQUE (vector_store_id, file_id)
  );
  CREATE INDEX vector_store_files_file ON vector_store_files (file_id);

  -- Chunks belong to one attachment (store, file): each attachment has its own chunking strategy.
  CREATE TABLE chunks (
    id INTEGER PRIMARY KEY,
    vector_store_id TEXT NOT NULL,
    file_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    FOREIGN KEY (vector_store_id, file_id)
      REFERENCES vector_store_files (vector_store_id, file_id) ON DELETE CASCADE
  );
  CREATE INDEX chunks_owner ON chunks (vector_store_id, file_id);

  -- Contentless: the text lives once, in chunks. body = the text without CJK; cjk2 = CJK bigrams;
  -- cjk1 = CJK unigrams (fts-text.ts explains why).
  CREATE VIRTUAL TABLE chunk_fts USING fts5 (
    body, cjk2, cjk1,
    content = '', contentless_delete = 1,
    tokenize = 'porter unicode61 remove_diacritics 2'
  );
  CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
    DELETE FROM chunk_fts WHERE rowid = old.id;
  END;

  CREATE TABLE file_batches (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    vector_store_id TEXT NOT NULL REFERENCES vector_stores (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    in_progress INTEGER NOT NULL,
    completed INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    cancelled INTEGER NOT NULL,
    total INTEGER NOT NULL
  );
  CREATE TABLE file_batch_files (
    batch_id TEXT NOT NULL REFERENCES file_batches (id) ON DELETE CASCADE,
    file_id TEXT NOT NULL,
    PRIMARY KEY (batch_id, file_id)
  ) WITHOUT ROWID;

  -- One row per turn holding only that turn's new items; root_id groups a conversation so
  -- retention drops whole conversations and never cuts a chain in the middle.
  CREATE TABLE responses (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    previous_response_id TEXT,
    root_id TEXT NOT NULL,
    model TEXT NOT NULL,
    instructions TEXT,
    input TEXT NOT NULL,
    output TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX responses_root ON responses (root_id, created_at);
  `,
];
