import { HOURLY_SUMS, type RequestRow, requestParams, toTotals } from '../sqlite/usage-rows.js';
import type { UsageRecord, UsageTotals } from '../usage-store.js';

/**
 * Text as PostgreSQL can hold it: U+0000 (which no PostgreSQL text can contain) becomes U+FFFD. A
 * client-chosen model name or request id with a NUL in it must not make its batch fail on every
 * retry; lookups clean their text the same way, so they still find it.
 *
 * @example
 * pgText('a\u0000b'); // 'a\uFFFDb'
 */
export function pgText(text: string): string {
  return text.replaceAll('\u0000', '\uFFFD');
}

/** Figures past this cannot be summed safely in a BIGINT for long: clamp (as SQLite stores any double). */
const MAX_FIGURE = Number.MAX_SAFE_INTEGER;
const MAX_STATUS = 2_147_483_647;

/**
 * The bound parameters of one record: usage-rows.ts's clamping (whole, non-negative), text cleaned
 * by pgText and figures kept within BIGINT (status within INTEGER), so no record can fail its batch.
 *
 * @example
 * pgRequestParams(record).key_id;
 */
export function pgRequestParams(record: UsageRecord): RequestRow {
  const p = requestParams(record);
  const figure = (n: number) => Math.min(n, MAX_FIGURE);
  return {
    ...p,
    request_id: pgText(p.request_id),
    ts: figure(p.ts),
    key_id: pgText(p.key_id),
    route: pgText(p.route),
    model: pgText(p.model),
    provider: pgText(p.provider),
    account: pgText(p.account),
    status: Math.min(p.status, MAX_STATUS),
    error_code: p.error_code === null ? null : pgText(p.error_code),
    input_tokens: figure(p.input_tokens),
    cached_input_tokens: figure(p.cached_input_tokens),
    output_tokens: figure(p.output_tokens),
    reasoning_tokens: figure(p.reasoning_tokens),
    latency_ms: figure(p.latency_ms),
    ttft_ms: p.ttft_ms === null ? null : figure(p.ttft_ms),
  };
}

/** A `usage_requests` row as pg returns it: BIGINT as strings, flags as booleans. */
export type PgRequestRow = Omit<RequestRow, 'stream' | 'estimated'> & {
  readonly stream: boolean;
  readonly estimated: boolean;
};

/**
 * A history row back as a UsageRecord, numbers as numbers, absent optional fields left out.
 *
 * @example
 * rows.map(pgToRecord);
 */
export function pgToRecord(row: PgRequestRow): UsageRecord {
  return {
    request_id: row.request_id,
    ts: Number(row.ts),
    key_id: row.key_id,
    route: row.route,
    model: row.model,
    provider: row.provider,
    account: row.account,
    status: Number(row.status),
    ...(row.error_code === null ? {} : { error_code: row.error_code }),
    stream: row.stream,
    input_tokens: Number(row.input_tokens),
    cached_input_tokens: Number(row.cached_input_tokens),
    output_tokens: Number(row.output_tokens),
    reasoning_tokens: Number(row.reasoning_tokens),
    estimated: row.estimated,
    latency_ms: Number(row.latency_ms),
    ...(row.ttft_ms === null ? {} : { ttft_ms: Number(row.ttft_ms) }),
  };
}

/**
 * A grouped sum as UsageTotals: pg returns SUM(bigint) as a numeric string, converted here before
 * usage-rows.ts's toTotals reads it.
 *
 * @example
 * rows.map((row) => pgToTotals(row, false));
 */
export function pgToTotals(row: Record<string, unknown>, byModel: boolean): UsageTotals {
  const numbers: Record<string, unknown> = { ...row };
  for (const name of [...HOURLY_SUMS, 'first_ts', 'last_ts']) {
    const value = row[name];
    if (value !== null && value !== undefined) numbers[name] = Number(value);
  }
  return toTotals(numbers, byModel);
}
