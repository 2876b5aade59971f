import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../testing/fixtures.js';
import { codexHttpError, codexStreamError, tryAgainInMs } from './codex-errors.js';
import { parseCodexQuota } from './codex-quota.js';

const NOW = Date.UTC(2026, 4, 4, 20, 0, 0); // before the fixture's resets_at (2026-05-04T23:16:08Z)
const USAGE_LIMIT = fixtureJson<{ headers: Record<string, string>; body: unknown }>(
  'codex-http-429-usage-limit.json',
);
const http = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  codexHttpError(status, typeof body === 'string' ? body : JSON.stringify(body), headers, 'codex', NOW);

describe('codexHttpError (wire.md §2.4)', () => {
  it('every {"detail":…} 400 of codex-http-errors.json → upstream_bad_request with the detail', () => {
    const { errors } = fixtureJson<{ errors: { status: number; body?: { detail?: unknown } }[] }>(
      'codex-http-errors.json',
    );
    const details = errors.filter((e) => e.status === 400 && typeof e.body?.detail === 'string');
    expect(details.length).toBeGreaterThan(5);
    for (const entry of details) {
      const error = http(400, entry.body);
      expect(error).toMatchObject({ code: 'upstream_bad_request', retryable: false, status: 502 });
      expect(error.message).toBe(`codex answered 400: ${String(entry.body?.detail)}`);
    }
  });

  it('429 usage_limit_reached → upstream_usage_limit: plan, reset time, delay from resets_at', () => {
    expect(http(429, USAGE_LIMIT.body, USAGE_LIMIT.headers)).toMatchObject({
      code: 'upstream_usage_limit',
      status: 429,
      retryable: true,
      providerCode: 'usage_limit_reached',
      retryAfterMs: 1777936568 * 1000 - NOW,
      message: 'codex: The usage limit has been reached (plan plus; resets at 2026-05-04T23:16:08.000Z)',
    });
  });

  it('usage_not_included has no reset: not retryable', () => {
    const error = http(429, { error: { type: 'usage_not_included', message: 'Upgrade to use Codex' } });
    expect(error).toMatchObject({
      code: 'upstream_usage_limit',
      retryable: false,
      providerCode: 'usage_not_included',
    });
    expect(error.retryAfterMs).toBeUndefined();
  });

  it('a usage-limit 404 is read as 429', () => {
    expect(http(404, { detail: 'You have hit your usage limit' })).toMatchObject({
      code: 'upstream_usage_limit',
    });
    expect(http(404, { detail: 'Not Found' })).toMatchObject({ code: 'upstream_bad_request' });
  });

  it('other 429s and "model at capacity" → retryable upstream_rate_limited, honouring retry-after', () => {
    expect(http(429, { detail: 'Too Many Requests' }, { 'retry-after': '3' })).toMatchObject({
      code: 'upstream_rate_limited',
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(
      http(400, { detail: 'Selected model is at capacity. Please try a different model.' }),
    ).toMatchObject({
      code: 'upstream_rate_limited',
      retryable: true,
      message: 'codex answered 400: Selected model is at capacity. Please try a different model.',
    });
  });

  it('401 → upstream_unauthorized; 5xx → retryable; context_length_exceeded keeps its code', () => {
    expect(http(401, { detail: 'Unauthorized' })).toMatchObject({
      code: 'upstream_unauthorized',
      retryable: false,
    });
    expect(http(500, 'Internal Server Error')).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(http(503, '')).toMatchObject({ code: 'upstream_overloaded', retryable: true });
    expect(
      http(400, {
        error: { message: 'Your input exceeds the context window', code: 'context_length_exceeded' },
      }),
    ).toMatchObject({ code: 'context_length_exceeded', status: 400 });
  });
});

describe('codexStreamError', () => {
  it('unknown codes become stream_error with the code in the message', () => {
    expect(codexStreamError({ code: 'server_error', message: 'oops' }, 'codex')).toMatchObject({
      code: 'stream_error',
      providerCode: 'server_error',
      message: 'codex: server_error: oops',
    });
  });

  it('reads "try again in" delays', () => {
    expect(tryAgainInMs('Please try again in 11.054s.')).toBeCloseTo(11054);
    expect(tryAgainInMs('try again in 20ms')).toBe(20);
    expect(tryAgainInMs('try again in 2 seconds')).toBe(2000);
    expect(tryAgainInMs('later')).toBeUndefined();
  });
});

describe('parseCodexQuota (wire.md §2.5)', () => {
  it('reads the full header set of the 429 fixture', () => {
    expect(parseCodexQuota(USAGE_LIMIT.headers, 'codex', NOW)).toEqual({
      provider: 'codex',
      plan_type: 'plus',
      active_limit: 'premium',
      primary: { used_percent: 100, window_minutes: 300, resets_at: 1777936568 },
      secondary: { used_percent: 80, window_minutes: 10080, resets_at: 1778239400 },
      credits: { has_credits: false, unlimited: false, balance: '0' },
    });
  });

  it('uses reset-after-seconds when reset-at is missing; undefined without x-codex headers', () => {
    expect(
      parseCodexQuota(
        { 'x-codex-primary-used-percent': '5', 'x-codex-primary-reset-after-seconds': '60' },
        'codex',
        NOW,
      ),
    ).toEqual({ provider: 'codex', primary: { used_percent: 5, resets_at: NOW / 1000 + 60 } });
    expect(parseCodexQuota({ 'content-type': 'text/event-stream' }, 'codex')).toBeUndefined();
  });
});
