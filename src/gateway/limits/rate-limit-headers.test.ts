import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { encodeOpenAIError } from '../../protocols/openai-error.js';
import { bucketHeaders, formatResetDuration, LimitDeniedError, limitHeaders } from './rate-limit-headers.js';

describe('formatResetDuration', () => {
  it('writes durations as OpenAI does (Go style)', () => {
    expect(formatResetDuration(0)).toBe('0s');
    expect(formatResetDuration(0.2)).toBe('1ms');
    expect(formatResetDuration(20)).toBe('20ms');
    expect(formatResetDuration(1000)).toBe('1s');
    expect(formatResetDuration(1200)).toBe('1.2s');
    expect(formatResetDuration(61_500)).toBe('1m1.5s');
    expect(formatResetDuration(360_000)).toBe('6m0s');
    expect(formatResetDuration(3_600_000)).toBe('1h0m0s');
    expect(formatResetDuration(90_061_001)).toBe('25h1m1.001s');
  });
});

describe('LimitDeniedError', () => {
  it('is a NodexError carrying the bucket headers and the retry headers', () => {
    const error = new LimitDeniedError('rate_limited', 'slow down', {
      retryAfterMs: 1200,
      headers: bucketHeaders('tokens', 1000, { remaining: 0, resetMs: 360_000 }),
    });
    expect(NodexError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 1200 });
    expect(limitHeaders(error)).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '6m0s',
      'retry-after': '2',
      'retry-after-ms': '1200',
    });
    // The protocol encoders derive the same retry headers from retryAfterMs.
    expect(encodeOpenAIError(error).headers).toEqual({ 'retry-after': '2', 'retry-after-ms': '1200' });
  });

  it('adds nothing for other errors', () => {
    expect(limitHeaders(new NodexError('rate_limited', 'x', { retryAfterMs: 5 }))).toEqual({});
    expect(limitHeaders(new Error('x'))).toEqual({});
  });
});
