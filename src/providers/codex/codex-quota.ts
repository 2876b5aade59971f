import type { QuotaSnapshot, QuotaWindow } from '../../core/quota.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}

function number(headers: HeaderBag, name: string): number | undefined {
  const value = Number.parseFloat(header(headers, name) ?? '');
  return Number.isFinite(value) ? value : undefined;
}

/** `true`/`false`/`1`/`0`, case-insensitive, as codex-rs `parse_bool_header` reads them. */
function bool(headers: HeaderBag, name: string): boolean | undefined {
  const value = header(headers, name)?.toLowerCase();
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return undefined;
}

function window(headers: HeaderBag, which: 'primary' | 'secondary', nowMs: number): QuotaWindow | undefined {
  const prefix = `x-codex-${which}`;
  const used = number(headers, `${prefix}-used-percent`);
  const minutes = number(headers, `${prefix}-window-minutes`);
  const after = number(headers, `${prefix}-reset-after-seconds`);
  const resetsAt =
    number(headers, `${prefix}-reset-at`) ??
    (after === undefined ? undefined : Math.round(nowMs / 1000 + after));
  if (used === undefined && minutes === undefined && resetsAt === undefined) return undefined;
  return {
    ...(used === undefined ? {} : { used_percent: used }),
    ...(minutes === undefined ? {} : { window_minutes: minutes }),
    ...(resetsAt === undefined ? {} : { resets_at: resetsAt }),
  };
}

/**
 * Reads the subscription's usage windows from Codex response headers (wire.md §2.5, codex-rs
 * `rate_limits.rs`): `x-codex-{primary,secondary}-{used-percent,window-minutes,reset-at}` (or
 * `reset-after-seconds`), the credits trio, plan type and active limit. Undefined when the
 * response carries none of them. Header names are matched lower-case (undici lower-cases them).
 *
 * @example
 * parseCodexQuota({ 'x-codex-primary-used-percent': '42' }, 'codex'); // { provider: 'codex', primary: { used_percent: 42 } }
 */
export function parseCodexQuota(
  headers: HeaderBag,
  provider: string,
  nowMs = Date.now(),
): QuotaSnapshot | undefined {
  const primary = window(headers, 'primary', nowMs);
  const secondary = window(headers, 'secondary', nowMs);
  const hasCredits = bool(headers, 'x-codex-credits-has-credits');
  const unlimited = bool(headers, 'x-codex-credits-unlimited');
  const balance = header(headers, 'x-codex-credits-balance');
  const credits =
    hasCredits === undefined && unlimited === undefined && balance === undefined
      ? undefined
      : {
          ...(hasCredits === undefined ? {} : { has_credits: hasCredits }),
          ...(unlimited === undefined ? {} : { unlimited }),
          ...(balance === undefined ? {} : { balance }),
        };
  const planType = header(headers, 'x-codex-plan-type');
  const activeLimit = header(headers, 'x-codex-active-limit');
  if (!primary && !secondary && !credits && planType === undefined && activeLimit === undefined)
    return undefined;
  return {
    provider,
    ...(planType === undefined ? {} : { plan_type: planType }),
    ...(activeLimit === undefined ? {} : { active_limit: activeLimit }),
    ...(primary ? { primary } : {}),
    ...(secondary ? { secondary } : {}),
    ...(credits ? { credits } : {}),
  };
}
