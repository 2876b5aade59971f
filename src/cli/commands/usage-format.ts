import { parseDuration } from '../../config/units.js';
import type { UsageShow } from '../../gateway/admin/admin-api.js';
import type { UsageRecord, UsageTotals } from '../../store/usage-store.js';
import { renderTable } from '../table.js';
import { UsageError } from '../usage-error.js';

/**
 * A time as `2026-11-01T14:05Z` (UTC, to the minute).
 *
 * @example
 * formatTime(Date.UTC(2026, 10, 1, 14, 5)); // '2026-11-01T14:05Z'
 */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16)}Z`;
}

/**
 * A latency: `850ms`, `1.2s`.
 *
 * @example
 * formatSpan(1234); // '1.2s'
 */
export function formatSpan(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)}ms` : `${(ms / 1000).toFixed(1)}s`;
}

/**
 * A wait, to the two largest units: `3d 4h`, `5h 12m`, `42m`, `<1m`.
 *
 * @example
 * formatWait(90 * 60_000); // '1h 30m'
 */
export function formatWait(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return '<1m';
  const parts = [
    [Math.floor(minutes / 1440), 'd'],
    [Math.floor(minutes / 60) % 24, 'h'],
    [minutes % 60, 'm'],
  ] as const;
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

/**
 * The quota line of `usage show`: tokens used of the limit, the percentage, the window's start and
 * when it resets.
 *
 * @example
 * quotaLine({ key_id: 'k1', window_start: 0, tokens: 250, limit: 1000, window_ms: 86_400_000 }, 3_600_000);
 * // 'quota: 250 of 1000 tokens used (25.0%) since 1970-01-01T00:00Z; resets 1970-01-02T00:00Z (in 23h)'
 */
export function quotaLine(window: NonNullable<UsageShow['window']>, now: number): string {
  const percent = window.limit > 0 ? ((window.tokens / window.limit) * 100).toFixed(1) : '0.0';
  const resets = window.window_start + window.window_ms;
  return (
    `quota: ${window.tokens} of ${window.limit} tokens used (${percent}%) since ${formatTime(window.window_start)}; ` +
    `resets ${formatTime(resets)} (in ${formatWait(Math.max(0, resets - now))})`
  );
}

/**
 * The recent-requests table of `usage show`, newest first.
 *
 * @example
 * io.stdout.write(recentTable(shown.requests));
 */
export function recentTable(requests: readonly UsageRecord[]): string {
  return renderTable(
    [
      'TIME',
      'REQUEST',
      'MODEL',
      'STATUS',
      'STREAM',
      'INPUT',
      'CACHED',
      'OUTPUT',
      'REASONING',
      'LATENCY',
      'TTFT',
    ],
    requests.map((r) => [
      formatTime(r.ts),
      r.request_id,
      r.model,
      r.error_code ? `${r.status} ${r.error_code}` : String(r.status),
      r.stream ? 'yes' : 'no',
      String(r.input_tokens),
      String(r.cached_input_tokens),
      `${r.output_tokens}${r.estimated ? ' (est.)' : ''}`,
      String(r.reasoning_tokens),
      formatSpan(r.latency_ms),
      r.ttft_ms === undefined ? '-' : formatSpan(r.ttft_ms),
    ]),
  );
}

/**
 * Parses `--since`: a duration back from `now` (`7d`, `12h`, `30m`) or a date / ISO time (UTC
 * unless it gives an offset).
 *
 * @example
 * parseSince('7d', Date.UTC(2026, 10, 8)); // Date.UTC(2026, 10, 1)
 * parseSince('2026-11-01', Date.now()); // Date.UTC(2026, 10, 1)
 */
export function parseSince(text: string, now: number): number {
  if (/^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/i.test(text)) return now - (parseDuration(text) ?? 0);
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ]([\d:.]+)(Z|[+-]\d{2}:?\d{2})?)?$/i.exec(text.trim());
  // Date.parse reads a date alone as UTC but a time without an offset as local: make both UTC.
  const at = match ? Date.parse(`${match[1]}T${match[2] ?? '00:00'}${match[3] ?? 'Z'}`) : Number.NaN;
  if (Number.isNaN(at))
    throw new UsageError(
      `--since takes a duration such as 7d or 12h, or a date such as 2026-11-01 (got "${text}")`,
    );
  return at;
}

/** The token columns of the `usage list` and `usage show` tables. */
export const TOTALS_HEADER = ['REQUESTS', 'ERRORS', 'INPUT', 'CACHED', 'OUTPUT', 'REASONING', 'TOTAL'];

/**
 * The cells under TOTALS_HEADER for one group.
 *
 * @example
 * renderTable(['KEY', ...TOTALS_HEADER], totals.map((t) => [t.key_id, ...totalsCells(t)]));
 */
export function totalsCells(t: UsageTotals): string[] {
  const figures = [t.requests, t.errors, t.input_tokens, t.cached_input_tokens, t.output_tokens];
  return [...figures, t.reasoning_tokens, t.total_tokens].map(String);
}
