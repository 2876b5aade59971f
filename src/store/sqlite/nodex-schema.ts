/**
 * The nodex database (`NODEX_HOME/nodex.db`): gateway keys, usage and quota windows. One entry per
 * `user_version`; append, never edit (open-sqlite.ts runs every entry past the file's version).
 * Times are Unix milliseconds.
 */
export const NODEX_MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,                 -- the public id: nk-<id>-<secret>
    label TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,           -- SHA-256 (hex) of the whole key; the key itself is never stored
    created_at INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at INTEGER,
    revoked_at INTEGER,
    rotated_at INTEGER,
    policy TEXT NOT NULL DEFAULT '{}',   -- JSON KeyPolicy: rpm, tpm, quota {tokens, window_ms}, models
    token_balance INTEGER,               -- prepaid tokens (add-tokens, payments); NULL = no balance kept
    byok INTEGER NOT NULL DEFAULT 0      -- 1 when the caller chose the key text
  );

  -- Totals per hour, key, model, provider and upstream account: what usage list / show read.
  CREATE TABLE usage_hourly (
    hour INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    account TEXT NOT NULL DEFAULT '',
    requests INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    streamed INTEGER NOT NULL DEFAULT 0,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    cached_input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL DEFAULT 0,
    ttft_ms INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, key_id, model, provider, account)
  );
  CREATE INDEX usage_hourly_key ON usage_hourly (key_id, hour);

  -- One row per request, only when usage.history is on; pruned after usage.retention.
  CREATE TABLE usage_requests (
    request_id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    route TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    account TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL,
    error_code TEXT,
    stream INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    cached_input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    estimated INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER NOT NULL,
    ttft_ms INTEGER
  );
  CREATE INDEX usage_requests_key_ts ON usage_requests (key_id, ts);
  CREATE INDEX usage_requests_ts ON usage_requests (ts);

  -- The current quota window of each key: tokens used since window_start.
  CREATE TABLE key_windows (
    key_id TEXT PRIMARY KEY,
    window_start INTEGER NOT NULL,
    tokens INTEGER NOT NULL DEFAULT 0
  );

  -- Window roll-overs and manual resets, for usage show.
  CREATE TABLE usage_resets (
    key_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX usage_resets_key ON usage_resets (key_id, at);
  `,
];
