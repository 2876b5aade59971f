import { describe, expect, it } from 'vitest';
import { chatHttpError, chatStreamError, parseChatErrorBody, redactSecrets } from './chat-errors.js';

describe('chat errors', () => {
  it('reads the OpenAI object, the Google array and the plain-string envelopes', () => {
    expect(parseChatErrorBody('{"error":{"message":"m","type":"t","param":null,"code":"c"}}')).toMatchObject({
      code: 'c',
    });
    expect(parseChatErrorBody('[{"error":{"code":503,"message":"m","status":"UNAVAILABLE"}}]')).toMatchObject(
      { code: 503 },
    );
    expect(parseChatErrorBody('{"error":"model not loaded"}')).toEqual({ message: 'model not loaded' });
    expect(parseChatErrorBody('<html>bad gateway</html>')).toBeUndefined();
  });

  it('maps by code first, then by status', () => {
    const context =
      '{"error":{"message":"This model\'s maximum context length is 8192 tokens.","code":"context_length_exceeded"}}';
    expect(chatHttpError(400, context, {}, 'h', []).code).toBe('context_length_exceeded');
    expect(
      chatHttpError(400, '{"error":{"message":"bad value","type":"invalid_request_error"}}', {}, 'h', []),
    ).toMatchObject({
      code: 'upstream_bad_request',
      message: 'h answered 400: bad value',
      retryable: false,
    });
    expect(chatHttpError(502, '<html>Bad Gateway</html>', {}, 'h', [])).toMatchObject({
      code: 'upstream_error',
      retryable: true,
    });
    expect(chatHttpError(503, '', {}, 'h', []).code).toBe('upstream_overloaded');
    expect(
      chatHttpError(
        403,
        '[{"error":{"code":403,"message":"denied","status":"PERMISSION_DENIED"}}]',
        {},
        'h',
        [],
      ).code,
    ).toBe('upstream_unauthorized');
  });

  it('takes the retry delay from retry-after-ms, Google RetryInfo, or "try again in"', () => {
    const limited = (body: string, headers = {}) => chatHttpError(429, body, headers, 'h', []).retryAfterMs;
    expect(
      limited('{"error":{"code":"rate_limit_exceeded","message":"x"}}', { 'retry-after-ms': '250' }),
    ).toBe(250);
    expect(
      limited('[{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[{"retryDelay":"12s"}]}}]'),
    ).toBe(12_000);
    expect(limited('{"error":{"code":"rate_limit_exceeded","message":"Please try again in 1.5s."}}')).toBe(
      1500,
    );
  });

  it('never lets a key through', () => {
    expect(
      redactSecrets('key sk-proj-abc123 and AIzaSyA1234567890abcdef and Bearer t0k and my-own-key', [
        'my-own-key',
      ]),
    ).toBe('key [redacted] and [redacted] and Bearer [redacted] and [redacted]');
    expect(
      chatStreamError({ message: 'bad key sk-live-9999', type: 'invalid_request_error' }, 'h').message,
    ).toBe('h: invalid_request_error: bad key [redacted]');
  });
});
