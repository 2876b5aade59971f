import type { UsageRecord, UsageTotals } from '../usage-store.js';

/** A `usage_requests` row, as SQLite returns it (and as `record` binds it). */
export interface RequestRow {
  readonly request_id: string;
  readonly ts: number;
  readonly key_id: string;
  readonly route: string;
  readonly model: string;
  readonly provider: string;
  readonly account: string;
  readonly status: number;
  readonly error_code: string | null;
  readonly stream: 0 | 1;
  readonly input_tokens: number;
  readonly cached_input_tokens: number;
  readonly output_tokens: number;
  readonly reasoning_tokens: number;
  readonly estimated: 0 | 1;
  readonly latency_ms: number;
  readonly ttft_ms: number | null;
}

/** A non-negative whole number: a bad figure (NaN, negative) counts as 0 rather than failing the batch. */
function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/**
 * The bound parameters of one record. Figures are clamped to whole non-negative numbers so that one
 * malformed record can never make every retry of its batch fail (and hold up every record queued
 * behind it).
 *
 * @example
 * requestParams(record).stream; // 1 for a streamed request
 */
export function requestParams(record: UsageRecord): RequestRow {
  return {
    request_id: String(record.request_id),
    ts: count(record.ts),
    key_id: String(record.key_id),
    route: String(record.route ?? ''),
    model: String(record.model ?? ''),
    provider: String(record.provider ?? ''),
    account: String(record.account ?? ''),
    status: count(record.status),
    error_code: record.error_code === undefined ? null : String(record.error_code),
    stream: record.stream ? 1 : 0,
    input_tokens: count(record.input_tokens),
    cached_input_tokens: count(record.cached_input_tokens),
    output_tokens: count(record.output_tokens),
    reasoning_tokens: count(record.reasoning_tokens),
    estimated: record.estimated ? 1 : 0,
    latency_ms: count(record.latency_ms),
    ttft_ms: record.ttft_ms === undefined ? null : count(record.ttft_ms),
  };
}

/**
 * A history row back as a UsageRecord (absent optional fields left out).
 *
 * @example
 * (statement.all(params) as RequestRow[]).map(toRecord);
 */
export function toRecord(row: RequestRow): UsageRecord {
  return {
    request_id: row.request_id,
    ts: row.ts,
    key_id: row.key_id,
    route: row.route,
    model: row.model,
    provider: row.provider,
    account: row.account,
    status: row.status,
    ...(row.error_code === null ? {} : { error_code: row.error_code }),
    stream: row.stream === 1,
    input_tokens: row.input_tokens,
    cached_input_tokens: row.cached_input_tokens,
    output_tokens: row.output_tokens,
    reasoning_tokens: row.reasoning_tokens,
    estimated: row.estimated === 1,
    latency_ms: row.latency_ms,
    ...(row.ttft_ms === null ? {} : { ttft_ms: row.ttft_ms }),
  };
}

/**
 * A grouped `usage_hourly` sum as UsageTotals; `byModel` keeps the model, provider and account.
 * `first_ts` / `last_ts` are the starts of the first and last hours with usage.
 *
 * @example
 * toTotals(row, false).total_tokens; // input + output
 */
export function toTotals(row: Record<string, unknown>, byModel: boolean): UsageTotals {
  const n = (name: string) => count(row[name]);
  const requests = n('requests');
  return {
    key_id: String(row.key_id),
    ...(byModel
      ? { model: String(row.model), provider: String(row.provider), account: String(row.account) }
      : {}),
    requests,
    errors: n('errors'),
    streamed: n('streamed'),
    input_tokens: n('input_tokens'),
    cached_input_tokens: n('cached_input_tokens'),
    output_tokens: n('output_tokens'),
    reasoning_tokens: n('reasoning_tokens'),
    total_tokens: n('input_tokens') + n('output_tokens'),
    latency_ms_avg: requests > 0 ? Math.round(n('latency_ms') / requests) : 0,
    ...(typeof row.first_ts === 'number' ? { first_ts: row.first_ts } : {}),
    ...(typeof row.last_ts === 'number' ? { last_ts: row.last_ts } : {}),
  };
}

/** The sums one batch adds to one `usage_hourly` row. */
export interface HourlyDelta {
  readonly hour: number;
  readonly key_id: string;
  readonly model: string;
  readonly provider: string;
  readonly account: string;
  requests: number;
  errors: number;
  streamed: number;
  input_tokens: number;
  cached_input_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  latency_ms: number;
  ttft_ms: number;
}

/** The summed columns of HourlyDelta, in the order the upsert binds them. */
export const HOURLY_SUMS = [
  'requests',
  'errors',
  'streamed',
  'input_tokens',
  'cached_input_tokens',
  'output_tokens',
  'reasoning_tokens',
  'latency_ms',
  'ttft_ms',
] as const;

type HourlySum = (typeof HOURLY_SUMS)[number];

/**
 * A batch's records summed per hourly row, in one fixed order: every instance upserts (and so
 * locks) the rows it shares with another in the same order, which keeps them from deadlocking, and
 * no row appears twice in one upsert.
 *
 * @example
 * hourlyDeltas(params, 3_600_000)[0]?.requests;
 */
export function hourlyDeltas(params: readonly RequestRow[], hourMs: number): HourlyDelta[] {
  const rows = new Map<string, HourlyDelta>();
  for (const p of params) {
    const hour = Math.floor(p.ts / hourMs) * hourMs;
    const id = JSON.stringify([hour, p.key_id, p.model, p.provider, p.account]);
    let row = rows.get(id);
    if (!row) {
      const zero = Object.fromEntries(HOURLY_SUMS.map((name) => [name, 0])) as Record<HourlySum, number>;
      row = { hour, key_id: p.key_id, model: p.model, provider: p.provider, account: p.account, ...zero };
      rows.set(id, row);
    }
    row.requests += 1;
    row.errors += p.status >= 400 || p.error_code !== null ? 1 : 0;
    row.streamed += p.stream;
    row.input_tokens += p.input_tokens;
    row.cached_input_tokens += p.cached_input_tokens;
    row.output_tokens += p.output_tokens;
    row.reasoning_tokens += p.reasoning_tokens;
    row.latency_ms += p.latency_ms;
    row.ttft_ms += p.ttft_ms ?? 0;
  }
  return [...rows.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => row);
}
