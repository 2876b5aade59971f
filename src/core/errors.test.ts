import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from './error-codes.js';
import { errorEvent, errorFromEvent, InvalidRequestError, NodexError, toNodexError } from './errors.js';

describe('NodexError', () => {
  it('takes status and retryability from its code, and options override them', () => {
    const error = new NodexError('upstream_rate_limited', 'slow down', {
      retryAfterMs: 2000,
      provider: 'codex',
    });
    expect(error).toMatchObject({
      code: 'upstream_rate_limited',
      status: 429,
      retryable: true,
      retryAfterMs: 2000,
      provider: 'codex',
    });
    expect(new NodexError('upstream_error', 'x', { status: 503 }).status).toBe(503);
    expect(new InvalidRequestError('bad').code).toBe('invalid_request');
  });

  it('is recognised across package copies by its brand', () => {
    expect(NodexError.isInstance(new NodexError('internal_error', 'x'))).toBe(true);
    expect(NodexError.isInstance(new Error('x'))).toBe(false);
    expect(NodexError.isInstance({ code: 'internal_error' })).toBe(false);
  });

  it('wraps unknown errors and aborts', () => {
    expect(toNodexError(new Error('boom')).code).toBe('internal_error');
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    expect(toNodexError(abort).code).toBe('aborted');
    const original = new NodexError('not_found', 'x');
    expect(toNodexError(original)).toBe(original);
  });

  it('round-trips through an error event', () => {
    const event = errorEvent(new NodexError('upstream_overloaded', 'Overloaded'), 'resp_1');
    expect(event).toEqual({
      schema_version: 'v1',
      type: 'error',
      error: 'Overloaded',
      code: 'upstream_overloaded',
      status: 529,
      retryable: true,
      response_id: 'resp_1',
    });
    expect(errorFromEvent(event)).toMatchObject({ code: 'upstream_overloaded', status: 529 });
    expect(errorFromEvent({ ...event, code: 'something_new' }).code).toBe('stream_error');
  });
});

describe('docs/errors.md', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  const rows = new Map(
    [...doc.matchAll(/^\|\s*`([a-z_]+)`\s*\|\s*(\d{3})\s*\|\s*(yes|no)\s*\|/gm)].map((m) => [
      m[1],
      { status: Number(m[2]), retryable: m[3] === 'yes' },
    ]),
  );

  it('lists every error code with its status and retryability, and nothing else', () => {
    const fromCode = Object.entries(ERROR_CODES).map(([code, info]) => [
      code,
      { status: info.status, retryable: info.retryable },
    ]);
    expect(Object.fromEntries(rows)).toEqual(Object.fromEntries(fromCode));
  });
});
