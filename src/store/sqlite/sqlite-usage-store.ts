import type { Statement, Transaction } from 'better-sqlite3';
import type {
  KeyWindow,
  RecordOptions,
  UsageQuery,
  UsageRecord,
  UsageStore,
  UsageTotals,
} from '../usage-store.js';
import type { SqliteDb } from './open-sqlite.js';
import { hourlyDeltas, type RequestRow, requestParams, toRecord, toTotals } from './usage-rows.js';

const HOUR_MS = 3_600_000;
const DEFAULT_REQUEST_LIMIT = 100;

/** The start of the window holding `ts`, in the sequence start + k × windowMs, so windows never drift. */
function windowStartAt(start: number, windowMs: number, ts: number): number {
  if (!(windowMs > 0) || ts < start + windowMs) return start;
  return start + Math.floor((ts - start) / windowMs) * windowMs;
}

type Range = { since: number; until: number; key?: string };

/**
 * Usage in the nodex SQLite database (nodex-schema.ts). `record` writes a whole batch in one
 * IMMEDIATE transaction: hourly totals, quota windows, prepaid balances and (history on) one row per
 * request. A batch that fails rolls back entirely, so a caller that retries it after an error never
 * counts any of it twice. Every record is counted, even one whose request id is already in the
 * history (a client may reuse its `x-request-id`; it must not dodge its quota): only its history
 * row is skipped (`INSERT OR IGNORE`). A key's window starts at its first record (or `window()` /
 * `reset` time) and rolls over on the start + k × window grid; a record older than the current
 * window's start (flushed after a reset) is counted in the current window (fail closed). Several
 * processes may share the file (WAL, busy_timeout); calls are synchronous underneath (better-sqlite3).
 *
 * @example
 * const store = new SqliteUsageStore(openNodexDb(nodexDbPath(home)));
 * await store.record([record], { history: false, windows: new Map([['key1', 86_400_000]]) });
 * (await store.totals({ keyId: 'key1' }))[0]?.total_tokens;
 */
export class SqliteUsageStore implements UsageStore {
  private readonly upsertHourly: Statement;
  private readonly insertRequest: Statement;
  private readonly getWindow: Statement<[string], KeyWindow>;
  private readonly putWindow: Statement;
  private readonly insertReset: Statement<[string, number, string]>;
  private readonly deduct: Statement<[number, string]>;
  private readonly totalsBy: Record<'key' | 'model', { all: Statement; one: Statement }>;
  private readonly requestsBy: { all: Statement; one: Statement };
  private readonly pruneRequests: Statement<[number]>;
  private readonly resetAll: { notes: Statement<[number, string]>; windows: Statement<[number]> };
  private readonly writeBatch: Transaction<(records: readonly UsageRecord[], options: RecordOptions) => void>;
  private readonly windowAt: Transaction<(keyId: string, windowMs: number, now: number) => KeyWindow>;
  private readonly resetAt: Transaction<(keyId: string | undefined, now: number, reason: string) => void>;

  constructor(db: SqliteDb) {
    const sums = `requests = requests + excluded.requests, errors = errors + excluded.errors,
      streamed = streamed + excluded.streamed, input_tokens = input_tokens + excluded.input_tokens,
      cached_input_tokens = cached_input_tokens + excluded.cached_input_tokens,
      output_tokens = output_tokens + excluded.output_tokens,
      reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
      latency_ms = latency_ms + excluded.latency_ms, ttft_ms = ttft_ms + excluded.ttft_ms`;
    this.upsertHourly = db.prepare(`INSERT INTO usage_hourly (hour, key_id, model, provider, account,
      requests, errors, streamed, input_tokens, cached_input_tokens, output_tokens, reasoning_tokens,
      latency_ms, ttft_ms) VALUES (@hour, @key_id, @model, @provider, @account, @requests, @errors,
      @streamed, @input_tokens, @cached_input_tokens, @output_tokens, @reasoning_tokens, @latency_ms, @ttft_ms)
      ON CONFLICT (hour, key_id, model, provider, account) DO UPDATE SET ${sums}`);
    this.insertRequest = db.prepare(`INSERT OR IGNORE INTO usage_requests (request_id, ts, key_id, route,
      model, provider, account, status, error_code, stream, input_tokens, cached_input_tokens,
      output_tokens, reasoning_tokens, estimated, latency_ms, ttft_ms) VALUES (@request_id, @ts, @key_id,
      @route, @model, @provider, @account, @status, @error_code, @stream, @input_tokens,
      @cached_input_tokens, @output_tokens, @reasoning_tokens, @estimated, @latency_ms, @ttft_ms)`);
    this.getWindow = db.prepare('SELECT key_id, window_start, tokens FROM key_windows WHERE key_id = ?');
    this.putWindow = db.prepare(`INSERT INTO key_windows (key_id, window_start, tokens)
      VALUES (@key_id, @window_start, @tokens) ON CONFLICT (key_id)
      DO UPDATE SET window_start = excluded.window_start, tokens = excluded.tokens`);
    this.insertReset = db.prepare('INSERT INTO usage_resets (key_id, at, reason) VALUES (?, ?, ?)');
    this.deduct = db.prepare(
      'UPDATE api_keys SET token_balance = token_balance - ? WHERE id = ? AND token_balance IS NOT NULL',
    );
    const totals = (columns: string, key: string) =>
      db.prepare(`SELECT key_id${columns}, SUM(requests) AS requests, SUM(errors) AS errors,
        SUM(streamed) AS streamed, SUM(input_tokens) AS input_tokens,
        SUM(cached_input_tokens) AS cached_input_tokens, SUM(output_tokens) AS output_tokens,
        SUM(reasoning_tokens) AS reasoning_tokens, SUM(latency_ms) AS latency_ms,
        MIN(hour) AS first_ts, MAX(hour) AS last_ts FROM usage_hourly
        WHERE hour >= @since AND hour <= @until${key} GROUP BY key_id${columns}
        ORDER BY key_id, SUM(input_tokens) + SUM(output_tokens) DESC${columns}`);
    const finer = ', model, provider, account';
    this.totalsBy = {
      key: { all: totals('', ''), one: totals('', ' AND key_id = @key') },
      model: { all: totals(finer, ''), one: totals(finer, ' AND key_id = @key') },
    };
    const requests = (key: string) =>
      db.prepare(`SELECT * FROM usage_requests WHERE ts >= @since AND ts <= @until${key}
        ORDER BY ts DESC, rowid DESC LIMIT @limit`);
    this.requestsBy = { all: requests(''), one: requests(' AND key_id = @key') };
    this.pruneRequests = db.prepare('DELETE FROM usage_requests WHERE ts < ?');
    this.resetAll = {
      notes: db.prepare('INSERT INTO usage_resets (key_id, at, reason) SELECT key_id, ?, ? FROM key_windows'),
      windows: db.prepare('UPDATE key_windows SET window_start = ?, tokens = 0'),
    };
    this.writeBatch = db.transaction((records, options) => this.write(records, options));
    this.windowAt = db.transaction((keyId, windowMs, now) => this.currentWindow(keyId, windowMs, now));
    this.resetAt = db.transaction((keyId, now, reason) => this.startWindows(keyId, now, reason));
  }

  async record(records: readonly UsageRecord[], options: RecordOptions): Promise<void> {
    if (records.length > 0) this.writeBatch.immediate(records, options);
  }

  async totals(query: UsageQuery): Promise<UsageTotals[]> {
    const statements = this.totalsBy[query.groupBy ?? 'key'];
    const range = this.range(query, Math.floor((query.since ?? 0) / HOUR_MS) * HOUR_MS);
    const rows = (range.key === undefined ? statements.all : statements.one).all(range);
    return rows.map((row) => toTotals(row as Record<string, unknown>, query.groupBy === 'model'));
  }

  async requests(query: UsageQuery & { readonly limit?: number }): Promise<UsageRecord[]> {
    const range = this.range(query, query.since ?? 0);
    const limit = Math.max(0, Math.floor(query.limit ?? DEFAULT_REQUEST_LIMIT));
    const statement = range.key === undefined ? this.requestsBy.all : this.requestsBy.one;
    return (statement.all({ ...range, limit }) as RequestRow[]).map(toRecord);
  }

  async window(keyId: string, windowMs: number, now: number): Promise<KeyWindow> {
    return this.windowAt.immediate(keyId, windowMs, now);
  }

  async reset(keyId: string | undefined, now: number, reason: 'manual' | 'window'): Promise<void> {
    this.resetAt.immediate(keyId, now, reason);
  }

  async prune(before: number): Promise<number> {
    return this.pruneRequests.run(before).changes;
  }

  /** One batch, inside the transaction: history rows, hourly totals, windows, balances. */
  private write(records: readonly UsageRecord[], options: RecordOptions): void {
    const byKey = new Map<string, { params: RequestRow[]; spent: number }>();
    const all: RequestRow[] = [];
    for (const record of records) {
      const params = requestParams(record);
      all.push(params);
      if (options.history) this.insertRequest.run(params);
      const key = byKey.get(params.key_id) ?? { params: [], spent: 0 };
      key.params.push(params);
      key.spent += params.input_tokens + params.output_tokens;
      byKey.set(params.key_id, key);
    }
    // One upsert per hourly row the batch touches, not per record (a busy turn is mostly one key).
    for (const row of hourlyDeltas(all, HOUR_MS)) this.upsertHourly.run(row);
    for (const [keyId, { params, spent }] of byKey) {
      const windowMs = options.windows.get(keyId);
      if (windowMs !== undefined && windowMs > 0) this.addToWindow(keyId, windowMs, params);
      if (spent > 0) this.deduct.run(spent, keyId);
    }
  }

  /** Adds each record (oldest first) to the key's window, rolling it over as record times pass its end. */
  private addToWindow(keyId: string, windowMs: number, params: RequestRow[]): void {
    const sorted = [...params].sort((a, b) => a.ts - b.ts);
    const row = this.getWindow.get(keyId);
    let start = row?.window_start ?? sorted[0]?.ts ?? 0;
    let tokens = row?.tokens ?? 0;
    for (const p of sorted) {
      const next = windowStartAt(start, windowMs, p.ts);
      if (next !== start) {
        start = next;
        tokens = 0;
        this.insertReset.run(keyId, start, 'window');
      }
      tokens += p.input_tokens + p.output_tokens;
    }
    this.saveWindow({ key_id: keyId, window_start: start, tokens });
  }

  private currentWindow(keyId: string, windowMs: number, now: number): KeyWindow {
    const row = this.getWindow.get(keyId);
    if (!row) return this.saveWindow({ key_id: keyId, window_start: now, tokens: 0 });
    const start = windowStartAt(row.window_start, windowMs, now);
    if (start === row.window_start) return row;
    this.insertReset.run(keyId, start, 'window');
    return this.saveWindow({ key_id: keyId, window_start: start, tokens: 0 });
  }

  private startWindows(keyId: string | undefined, now: number, reason: string): void {
    if (keyId === undefined) {
      this.resetAll.notes.run(now, reason);
      this.resetAll.windows.run(now);
      return;
    }
    this.saveWindow({ key_id: keyId, window_start: now, tokens: 0 });
    this.insertReset.run(keyId, now, reason);
  }

  private saveWindow(window: KeyWindow): KeyWindow {
    this.putWindow.run(window);
    return window;
  }

  private range(query: UsageQuery, since: number): Range {
    return {
      since,
      until: query.until ?? Number.MAX_SAFE_INTEGER,
      ...(query.keyId === undefined ? {} : { key: query.keyId }),
    };
  }
}
