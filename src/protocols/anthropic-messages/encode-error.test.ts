import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../core/error-codes.js';
import { NodexError } from '../../core/errors.js';
import { encodeAnthropicError } from './encode-error.js';

function sdkAnswering(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = {},
): Anthropic {
  return new Anthropic({
    apiKey: 'x',
    baseURL: 'http://fake',
    maxRetries: 0,
    fetch: async () =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      }),
  });
}

describe('encodeAnthropicError', () => {
  it('renders the envelope with request_id and the anthropicType of every code', () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const encoded = encodeAnthropicError(new NodexError(code, `failed: ${code}`), { requestId: 'req_9' });
      expect(encoded.body).toEqual({
        type: 'error',
        error: { type: ERROR_CODES[code].anthropicType, message: `failed: ${code}` },
        request_id: 'req_9',
      });
      expect(encoded.status).toBe(ERROR_CODES[code].status);
    }
  });

  it('an overloaded upstream is 529 even when the error says otherwise', () => {
    const error = new NodexError('upstream_overloaded', 'Overloaded', { status: 503 });
    expect(encodeAnthropicError(error, { requestId: 'r' }).status).toBe(529);
  });

  it('retry headers: the delay when known, and whether a retry can help', () => {
    const limited = new NodexError('upstream_rate_limited', 'slow down', { retryAfterMs: 2500 });
    expect(encodeAnthropicError(limited, { requestId: 'r' }).headers).toEqual({
      'x-should-retry': 'true',
      'retry-after-ms': '2500',
      'retry-after': '3',
    });
    const usedUp = new NodexError('upstream_usage_limit', 'limit reached');
    expect(encodeAnthropicError(usedUp, { requestId: 'r' }).headers).toEqual({ 'x-should-retry': 'false' });
  });

  it.each([
    ['upstream_overloaded', 'InternalServerError', 'overloaded_error'],
    ['rate_limited', 'RateLimitError', 'rate_limit_error'],
    ['invalid_request', 'BadRequestError', 'invalid_request_error'],
    ['authentication_required', 'AuthenticationError', 'authentication_error'],
    ['model_not_found', 'NotFoundError', 'not_found_error'],
  ] as const)('@anthropic-ai/sdk reads %s as %s with type %s', async (code, errorClass, type) => {
    const encoded = encodeAnthropicError(new NodexError(code, 'boom'), { requestId: 'req_5' });
    const error = await sdkAnswering(encoded.status, encoded.body, encoded.headers)
      .messages.create({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic[errorClass]);
    expect(error).toMatchObject({ status: encoded.status, error: { error: { type, message: 'boom' } } });
  });
});
