import type { QuotaSnapshot, QuotaWindow } from '../../core/quota.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const PREFIX = 'anthropic-ratelimit-unified';

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function window(headers: HeaderBag, name: '5h' | '7d', minutes: number): QuotaWindow | undefined {
  const status = header(headers, `${PREFIX}-${name}-status`);
  const reset = Number.parseFloat(header(headers, `${PREFIX}-${name}-reset`) ?? '');
  if (status === undefined && !Number.isFinite(reset)) return undefined;
  return {
    window_minutes: minutes,
    ...(status === undefined ? {} : { status }),
    ...(Number.isFinite(reset) ? { resets_at: reset } : {}),
  };
}

/**
 * Reads a Claude subscription's usage windows from the `anthropic-ratelimit-unified-*` response
 * headers (wire.md §4.4; CPA helps/claude_ratelimit.go): the 5-hour window as `primary`, the 7-day
 * one as `secondary` (status `allowed` | `rejected`, reset in unix seconds). The overall
 * `…-unified-status` stands in for a missing 5-hour status. Undefined when none is sent (API keys).
 *
 * @example
 * parseAnthropicQuota({ 'anthropic-ratelimit-unified-5h-status': 'allowed' }, 'anthropic');
 * // { provider: 'anthropic', primary: { window_minutes: 300, status: 'allowed' } }
 */
export function parseAnthropicQuota(headers: HeaderBag, provider: string): QuotaSnapshot | undefined {
  const status = header(headers, `${PREFIX}-status`);
  const fiveHour = window(headers, '5h', 300);
  const primary = fiveHour ?? (status === undefined ? undefined : { window_minutes: 300, status });
  const secondary = window(headers, '7d', 10_080);
  if (!primary && !secondary) return undefined;
  return { provider, ...(primary ? { primary } : {}), ...(secondary ? { secondary } : {}) };
}
