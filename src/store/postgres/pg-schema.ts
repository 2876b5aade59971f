import type pg from 'pg';
import { NodexError } from '../../core/errors.js';
import { query, transaction } from './pg-query.js';

/**
 * The nodex schema on PostgreSQL: the same tables as the SQLite one (sqlite/nodex-schema.ts), with
 * BIGINT for Unix-millisecond times and token counts, BOOLEAN flags, the key policy as JSONB, and a
 * `seq` identity where SQLite's implicit rowid gives the insertion order. One entry per version;
 * append, never edit.
 */
export const PG_MIGRATIONS: readonly string[] = [
  // v1
  `
  CREATE TABLE api_keys (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    hash TEXT NOT NULL CONSTRAINT api_keys_hash_unique UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at BIGINT,
    revoked_at BIGINT,
    rotated_at BIGINT,
    policy JSONB NOT NULL DEFAULT '{}',
    token_balance BIGINT,
    byok BOOLEAN NOT NULL DEFAULT FALSE
  );
  CREATE INDEX api_keys_created ON api_keys (created_at, seq);

  CREATE TABLE usage_hourly (
    hour BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    account TEXT NOT NULL DEFAULT '',
    requests BIGINT NOT NULL DEFAULT 0,
    errors BIGINT NOT NULL DEFAULT 0,
    streamed BIGINT NOT NULL DEFAULT 0,
    input_tokens BIGINT NOT NULL DEFAULT 0,
    cached_input_tokens BIGINT NOT NULL DEFAULT 0,
    output_tokens BIGINT NOT NULL DEFAULT 0,
    reasoning_tokens BIGINT NOT NULL DEFAULT 0,
    latency_ms BIGINT NOT NULL DEFAULT 0,
    ttft_ms BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, key_id, model, provider, account)
  );
  CREATE INDEX usage_hourly_key ON usage_hourly (key_id, hour);

  CREATE TABLE usage_requests (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    request_id TEXT PRIMARY KEY,
    ts BIGINT NOT NULL,
    key_id TEXT NOT NULL,
    route TEXT NOT NULL,
    model TEXT NOT NULL,
    provider TEXT NOT NULL,
    account TEXT NOT NULL DEFAULT '',
    status INTEGER NOT NULL,
    error_code TEXT,
    stream BOOLEAN NOT NULL,
    input_tokens BIGINT NOT NULL,
    cached_input_tokens BIGINT NOT NULL,
    output_tokens BIGINT NOT NULL,
    reasoning_tokens BIGINT NOT NULL,
    estimated BOOLEAN NOT NULL DEFAULT FALSE,
    latency_ms BIGINT NOT NULL,
    ttft_ms BIGINT
  );
  CREATE INDEX usage_requests_key_ts ON usage_requests (key_id, ts);
  CREATE INDEX usage_requests_ts ON usage_requests (ts);

  CREATE TABLE key_windows (
    key_id TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    tokens BIGINT NOT NULL DEFAULT 0
  );

  CREATE TABLE usage_resets (
    seq BIGINT GENERATED ALWAYS AS IDENTITY,
    key_id TEXT NOT NULL,
    at BIGINT NOT NULL,
    reason TEXT NOT NULL
  );
  CREATE INDEX usage_resets_key ON usage_resets (key_id, at);
  `,
];

/** pg_advisory_xact_lock key of the migrations ("nodex" in ASCII), shared by every instance. */
const MIGRATION_LOCK = 0x6e6f646578;

export interface MigratePgOptions {
  /** One SQL text per schema version; append, never edit (default PG_MIGRATIONS). */
  readonly migrations?: readonly string[];
  /** Names the database in errors (default "the nodex database"). */
  readonly what?: string;
  /** Unix ms recorded with each applied version. */
  readonly now?: () => number;
}

/**
 * Brings the database to this build's schema: in one transaction, under a transaction-scoped
 * advisory lock (so several instances starting at once apply each migration exactly once, the
 * others waiting and then finding nothing to do), creates `nodex_migrations` if needed and runs
 * every migration past the highest version it records. Refuses a database newer than this build.
 *
 * @example
 * const pool = await openPgPool(config.state.url);
 * await migratePg(pool);
 */
export async function migratePg(pool: pg.Pool, options: MigratePgOptions = {}): Promise<void> {
  const migrations = options.migrations ?? PG_MIGRATIONS;
  const what = options.what ?? 'the nodex database';
  const now = options.now ?? Date.now;
  await transaction(pool, async (client) => {
    await query(client, 'SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await query(
      client,
      `CREATE TABLE IF NOT EXISTS nodex_migrations (
        version INTEGER PRIMARY KEY,
        applied_at BIGINT NOT NULL
      )`,
    );
    const { rows } = await query<{ version: number | null }>(
      client,
      'SELECT MAX(version) AS version FROM nodex_migrations',
    );
    const version = rows[0]?.version ?? 0;
    if (version > migrations.length)
      throw new NodexError(
        'not_supported',
        `${what} has schema v${version}, newer than this nodex (v${migrations.length}): upgrade nodex`,
      );
    for (const [index, sql] of migrations.entries()) {
      if (index < version) continue;
      await query(client, sql);
      await query(client, 'INSERT INTO nodex_migrations (version, applied_at) VALUES ($1, $2)', [
        index + 1,
        now(),
      ]);
    }
  });
}
