import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { encodeResponsesFailure } from './encode-error.js';

describe('encodeResponsesFailure (response.failed error, wire.md §3.1)', () => {
  it('uses the codes Codex CLI acts on and keeps other nodex codes', () => {
    const cases: Array<[NodexError, string]> = [
      [new NodexError('context_length_exceeded', 'x'), 'context_length_exceeded'],
      [new NodexError('payment_required', 'x'), 'insufficient_quota'],
      [
        new NodexError('upstream_usage_limit', 'x', { providerCode: 'usage_limit_reached' }),
        'insufficient_quota',
      ],
      [
        new NodexError('upstream_usage_limit', 'x', { providerCode: 'usage_not_included' }),
        'usage_not_included',
      ],
      [new NodexError('rate_limited', 'x'), 'rate_limit_exceeded'],
      [new NodexError('upstream_overloaded', 'x'), 'server_is_overloaded'],
      [new NodexError('stream_error', 'x'), 'stream_error'],
      [new NodexError('upstream_bad_request', 'x'), 'upstream_bad_request'],
    ];
    for (const [error, code] of cases) expect(encodeResponsesFailure(error).code).toBe(code);
  });

  it('words a known wait the way codex-rs parses it ("try again in N s"), never twice', () => {
    expect(
      encodeResponsesFailure(new NodexError('rate_limited', 'Slow down.', { retryAfterMs: 250 })),
    ).toEqual({
      code: 'rate_limit_exceeded',
      message: 'Slow down. Please try again in 0.25s.',
    });
    const already = 'Rate limit reached. Please try again in 11.054s.';
    expect(
      encodeResponsesFailure(new NodexError('upstream_rate_limited', already, { retryAfterMs: 11054 }))
        .message,
    ).toBe(already);
    expect(
      encodeResponsesFailure(new NodexError('upstream_overloaded', 'busy', { retryAfterMs: 5 })).message,
    ).toBe('busy');
  });
});
