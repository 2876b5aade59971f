import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../../testing/fixtures.js';
import { anthropicHttpError, anthropicStreamError } from './anthropic-errors.js';

interface Entry {
  readonly status: number;
  readonly body: { readonly error: { readonly type: string; readonly message: string } };
  readonly trigger: string;
}
const entries = fixtureJson<{ errors: Entry[] }>('anthropic-http-errors.json').errors;
const entry = (message: string) => entries.find((e) => e.body.error.message.startsWith(message)) as Entry;
const map = (e: Entry, mode: 'oauth' | 'api_key' = 'oauth', headers = {}) =>
  anthropicHttpError(e.status, JSON.stringify(e.body), headers, 'anthropic', mode, 1_767_225_600_000);

describe('anthropicHttpError over fixtures/anthropic-http-errors.json', () => {
  it('maps every observed body to a typed error that keeps the upstream type', () => {
    expect(
      entries.map((e) => {
        const error = map(e);
        return [e.status, error.code, error.retryable, error.providerCode];
      }),
    ).toEqual([
      [401, 'upstream_unauthorized', false, 'authentication_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [429, 'upstream_rate_limited', true, 'rate_limit_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [401, 'upstream_unauthorized', false, 'authentication_error'],
      [429, 'upstream_rate_limited', true, 'rate_limit_error'],
      [529, 'upstream_overloaded', true, 'overloaded_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [400, 'upstream_bad_request', false, 'invalid_request_error'],
      [400, 'context_length_exceeded', false, 'invalid_request_error'],
    ]);
  });

  it('explains the subscription restriction for OAuth refusals, and the missing beta', () => {
    for (const message of ['This credential is only authorized', "You're out of extra usage", 'Error']) {
      const error = map(entry(message));
      expect(error.message).toContain(
        'Claude subscription tokens only work for requests shaped like Claude Code',
      );
      expect(map(entry(message), 'api_key').message).not.toContain('Claude subscription tokens');
    }
    expect(map(entry('OAuth authentication is currently not supported')).message).toContain(
      'without the oauth-2025-04-20 beta',
    );
    expect(map(entry('OAuth authentication is currently not allowed')).message).toContain(
      'subscription still active',
    );
  });

  it('honours retry-after and x-should-retry; a rejected unified window is a usage limit until its reset', () => {
    const rate = entry('This request would exceed');
    expect(map(rate, 'api_key', { 'retry-after': '12' }).retryAfterMs).toBe(12_000);
    expect(map(entry('Overloaded'), 'oauth', { 'x-should-retry': 'false' }).retryable).toBe(false);
    const limited = map(rate, 'oauth', {
      'anthropic-ratelimit-unified-status': 'rejected',
      'anthropic-ratelimit-unified-5h-reset': String(1_767_225_600 + 3600),
    });
    expect(limited).toMatchObject({ code: 'upstream_usage_limit', retryable: true, retryAfterMs: 3_600_000 });
    expect(
      anthropicHttpError(
        404,
        '{"type":"error","error":{"type":"not_found_error","message":"model: claude-x"}}',
        {},
        'anthropic',
        'api_key',
      ).code,
    ).toBe('model_not_found');
    expect(anthropicHttpError(500, 'oops', {}, 'anthropic', 'api_key')).toMatchObject({
      code: 'upstream_error',
      retryable: true,
    });
  });

  it('in-stream errors: overloaded and rate limits stay typed; others are stream errors', () => {
    expect(
      anthropicStreamError({ type: 'overloaded_error', message: 'Overloaded' }, 'anthropic'),
    ).toMatchObject({
      code: 'upstream_overloaded',
      retryable: true,
    });
    expect(anthropicStreamError({ type: 'api_error', message: 'x' }, 'anthropic')).toMatchObject({
      code: 'stream_error',
      providerCode: 'api_error',
    });
  });
});
