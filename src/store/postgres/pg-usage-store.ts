import type pg from 'pg';
import type { RequestRow } from '../sqlite/usage-rows.js';
import { HOURLY_SUMS, hourlyDeltas } from '../sqlite/usage-rows.js';
import type {
  KeyWindow,
  RecordOptions,
  UsageQuery,
  UsageRecord,
  UsageStore,
  UsageTotals,
} from '../usage-store.js';
import { type Queryable, query, transaction } from './pg-query.js';
import { type PgRequestRow, pgRequestParams, pgText, pgToRecord, pgToTotals } from './pg-usage-rows.js';

const HOUR_MS = 3_600_000;
const DEFAULT_REQUEST_LIMIT = 100;
const HISTORY_COLUMNS = [
  ['request_id', 'text'],
  ['ts', 'bigint'],
  ['key_id', 'text'],
  ['route', 'text'],
  ['model', 'text'],
  ['provider', 'text'],
  ['account', 'text'],
  ['status', 'integer'],
  ['error_code', 'text'],
  ['stream', 'boolean'],
  ['input_tokens', 'bigint'],
  ['cached_input_tokens', 'bigint'],
  ['output_tokens', 'bigint'],
  ['reasoning_tokens', 'bigint'],
  ['estimated', 'boolean'],
  ['latency_ms', 'bigint'],
  ['ttft_ms', 'bigint'],
] as const;
const HOURLY_COLUMNS = [
  ['hour', 'bigint'],
  ['key_id', 'text'],
  ['model', 'text'],
  ['provider', 'text'],
  ['account', 'text'],
  ...HOURLY_SUMS.map((name) => [name, 'bigint'] as const),
] as const;

/** `INSERT … SELECT` from one array parameter per column, rows kept in the order given. */
function insertFromArrays(
  table: string,
  columns: readonly (readonly [string, string])[],
  tail: string,
): string {
  const names = columns.map(([name]) => name).join(', ');
  const arrays = columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  return `INSERT INTO ${table} (${names}) SELECT ${names}
    FROM unnest(${arrays}) WITH ORDINALITY AS t(${names}, ord) ORDER BY ord ${tail}`;
}

const INSERT_HISTORY = insertFromArrays(
  'usage_requests',
  HISTORY_COLUMNS,
  'ON CONFLICT (request_id) DO NOTHING',
);
const UPSERT_HOURLY = insertFromArrays(
  'usage_hourly',
  HOURLY_COLUMNS,
  `ON CONFLICT (hour, key_id, model, provider, account) DO UPDATE SET
    ${HOURLY_SUMS.map((name) => `${name} = usage_hourly.${name} + excluded.${name}`).join(', ')}`,
);
const HISTORY_SELECT = HISTORY_COLUMNS.map(([name]) => name).join(', ');

/** One array per column, bound as the parameters of insertFromArrays' statement. */
function columnArrays<T>(rows: readonly T[], columns: readonly (readonly [string, string])[]): unknown[][] {
  return columns.map(([name]) =>
    rows.map((row) => {
      const value = (row as Record<string, unknown>)[name];
      return name === 'stream' || name === 'estimated' ? value === 1 : value;
    }),
  );
}

/** The start of the window holding `ts`, in the sequence start + k × windowMs, so windows never drift. */
function windowStartAt(start: number, windowMs: number, ts: number): number {
  if (!(windowMs > 0) || ts < start + windowMs) return start;
  return start + Math.floor((ts - start) / windowMs) * windowMs;
}

/** A query bound as a whole number (BIGINT), `fallback` when it is not a finite number. */
function bound(value: number | undefined, fallback: number, round: (n: number) => number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, round(value)));
}

/** The batch's records per key, keys in one fixed order (the order their rows are locked in). */
function byKey(params: readonly RequestRow[]): [string, RequestRow[]][] {
  const keys = new Map<string, RequestRow[]>();
  for (const p of params) {
    const rows = keys.get(p.key_id);
    if (rows) rows.push(p);
    else keys.set(p.key_id, [p]);
  }
  return [...keys.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Usage in PostgreSQL (pg-schema.ts), shared by every gateway instance: SqliteUsageStore's
 * behaviour (see there) on a server. `record` writes a batch in one transaction (history rows,
 * hourly totals, quota windows, balances), all or nothing; rows that concurrent batches share are
 * locked in one fixed order, and a transaction that still loses a deadlock is run again whole, so
 * totals, windows and balances stay exact under any number of writers. Windows are read with
 * `FOR UPDATE` after an insert-if-absent, so two instances never both start one. Text containing
 * U+0000 is stored with U+FFFD in its place (PostgreSQL text cannot hold it).
 *
 * @example
 * const usage = new PgUsageStore(await openNodexPg(config.state.url));
 * await usage.record([record], { history: true, windows: new Map([['key1', 86_400_000]]) });
 */
export class PgUsageStore implements UsageStore {
  constructor(private readonly pool: pg.Pool) {}

  async record(records: readonly UsageRecord[], options: RecordOptions): Promise<void> {
    if (records.length === 0) return;
    const params = records.map(pgRequestParams);
    const windows = new Map([...options.windows].map(([keyId, ms]) => [pgText(keyId), ms]));
    const keys = byKey(params);
    await transaction(this.pool, async (client) => {
      if (options.history) await query(client, INSERT_HISTORY, columnArrays(params, HISTORY_COLUMNS));
      await query(client, UPSERT_HOURLY, columnArrays(hourlyDeltas(params, HOUR_MS), HOURLY_COLUMNS));
      for (const [keyId, rows] of keys) {
        const windowMs = windows.get(keyId);
        if (windowMs !== undefined && windowMs > 0) await this.addToWindow(client, keyId, windowMs, rows);
      }
      for (const [keyId, rows] of keys) {
        const spent = rows.reduce((sum, p) => sum + p.input_tokens + p.output_tokens, 0);
        if (spent > 0)
          await query(
            client,
            'UPDATE api_keys SET token_balance = token_balance - $1 WHERE id = $2 AND token_balance IS NOT NULL',
            [spent, keyId],
          );
      }
    });
  }

  async totals(q: UsageQuery): Promise<UsageTotals[]> {
    const byModel = q.groupBy === 'model';
    const columns = byModel ? ', model, provider, account' : '';
    const order = byModel ? ', model COLLATE "C", provider COLLATE "C", account COLLATE "C"' : '';
    const since = bound(q.since, 0, (n) => Math.floor(n / HOUR_MS) * HOUR_MS);
    const values: unknown[] = [since, bound(q.until, Number.MAX_SAFE_INTEGER, Math.floor)];
    if (q.keyId !== undefined) values.push(pgText(q.keyId));
    const sums = HOURLY_SUMS.filter((name) => name !== 'ttft_ms')
      .map((name) => `SUM(${name}) AS ${name}`)
      .join(', ');
    const { rows } = await query(
      this.pool,
      `SELECT key_id${columns}, ${sums}, MIN(hour) AS first_ts, MAX(hour) AS last_ts FROM usage_hourly
       WHERE hour >= $1 AND hour <= $2${q.keyId === undefined ? '' : ' AND key_id = $3'}
       GROUP BY key_id${columns}
       ORDER BY key_id COLLATE "C", SUM(input_tokens) + SUM(output_tokens) DESC${order}`,
      values,
    );
    return rows.map((row) => pgToTotals(row, byModel));
  }

  async requests(q: UsageQuery & { readonly limit?: number }): Promise<UsageRecord[]> {
    const limit = Math.max(0, bound(q.limit, DEFAULT_REQUEST_LIMIT, Math.floor));
    const values: unknown[] = [
      bound(q.since, 0, Math.ceil),
      bound(q.until, Number.MAX_SAFE_INTEGER, Math.floor),
      limit,
    ];
    if (q.keyId !== undefined) values.push(pgText(q.keyId));
    const { rows } = await query<PgRequestRow>(
      this.pool,
      `SELECT ${HISTORY_SELECT} FROM usage_requests
       WHERE ts >= $1 AND ts <= $2${q.keyId === undefined ? '' : ' AND key_id = $4'}
       ORDER BY ts DESC, seq DESC LIMIT $3`,
      values,
    );
    return rows.map(pgToRecord);
  }

  async window(keyId: string, windowMs: number, now: number): Promise<KeyWindow> {
    const id = pgText(keyId);
    return transaction(this.pool, async (client) => {
      const row = await this.lockWindow(client, id, now);
      const start = windowStartAt(row.window_start, windowMs, now);
      if (start === row.window_start) return row;
      await this.noteResets(client, id, [start], 'window');
      return this.saveWindow(client, { key_id: id, window_start: start, tokens: 0 });
    });
  }

  async reset(keyId: string | undefined, now: number, reason: 'manual' | 'window'): Promise<void> {
    // One statement either way: the windows and their notes change together.
    if (keyId === undefined) {
      await query(
        this.pool,
        `WITH cleared AS (UPDATE key_windows SET window_start = $1, tokens = 0 RETURNING key_id)
         INSERT INTO usage_resets (key_id, at, reason)
         SELECT key_id, $1::bigint, $2::text FROM cleared ORDER BY key_id`,
        [now, reason],
      );
      return;
    }
    await query(
      this.pool,
      `WITH started AS (INSERT INTO key_windows (key_id, window_start, tokens) VALUES ($1, $2, 0)
         ON CONFLICT (key_id) DO UPDATE SET window_start = excluded.window_start, tokens = 0)
       INSERT INTO usage_resets (key_id, at, reason) VALUES ($1, $2, $3)`,
      [pgText(keyId), now, reason],
    );
  }

  async prune(before: number): Promise<number> {
    const cutoff = bound(before, 0, Math.ceil);
    const result = await query(this.pool, 'DELETE FROM usage_requests WHERE ts < $1', [cutoff]);
    return result.rowCount ?? 0;
  }

  /** Adds each record (oldest first) to the key's window, rolling it over as record times pass its end. */
  private async addToWindow(client: Queryable, keyId: string, windowMs: number, rows: RequestRow[]) {
    const sorted = [...rows].sort((a, b) => a.ts - b.ts);
    const current = await this.lockWindow(client, keyId, sorted[0]?.ts ?? 0);
    let start = current.window_start;
    let tokens = current.tokens;
    const rollovers: number[] = [];
    for (const p of sorted) {
      const next = windowStartAt(start, windowMs, p.ts);
      if (next !== start) {
        start = next;
        tokens = 0;
        rollovers.push(start);
      }
      tokens += p.input_tokens + p.output_tokens;
    }
    await this.noteResets(client, keyId, rollovers, 'window');
    await this.saveWindow(client, { key_id: keyId, window_start: start, tokens });
  }

  /**
   * The key's window, locked until the transaction ends; created at `start` (with no tokens) when
   * absent. Insert-if-absent first: a concurrent creator's row is waited for, never overwritten.
   */
  private async lockWindow(client: Queryable, keyId: string, start: number): Promise<KeyWindow> {
    await query(
      client,
      'INSERT INTO key_windows (key_id, window_start, tokens) VALUES ($1, $2, 0) ON CONFLICT (key_id) DO NOTHING',
      [keyId, start],
    );
    const { rows } = await query<{ window_start: string; tokens: string }>(
      client,
      'SELECT window_start, tokens FROM key_windows WHERE key_id = $1 FOR UPDATE',
      [keyId],
    );
    const row = rows[0];
    return {
      key_id: keyId,
      window_start: Number(row?.window_start ?? start),
      tokens: Number(row?.tokens ?? 0),
    };
  }

  private async saveWindow(client: Queryable, window: KeyWindow): Promise<KeyWindow> {
    await query(client, 'UPDATE key_windows SET window_start = $2, tokens = $3 WHERE key_id = $1', [
      window.key_id,
      window.window_start,
      window.tokens,
    ]);
    return window;
  }

  private async noteResets(client: Queryable, keyId: string, at: readonly number[], reason: string) {
    if (at.length === 0) return;
    await query(
      client,
      `INSERT INTO usage_resets (key_id, at, reason)
       SELECT $1::text, at, $3::text FROM unnest($2::bigint[]) WITH ORDINALITY AS t(at, ord) ORDER BY ord`,
      [keyId, at, reason],
    );
  }
}
