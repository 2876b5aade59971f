import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../core/error-codes.js';
import { InvalidRequestError, NodexError } from '../core/errors.js';
import { encodeOpenAIError } from './openai-error.js';

describe('encodeOpenAIError (chat and responses)', () => {
  it('renders {error:{message,type,param,code}} with the status of the code', () => {
    expect(
      encodeOpenAIError(
        new InvalidRequestError('messages[2].tool_call_id: is required', {
          param: 'messages[2].tool_call_id',
        }),
      ),
    ).toEqual({
      status: 400,
      body: {
        error: {
          message: 'messages[2].tool_call_id: is required',
          type: 'invalid_request_error',
          param: 'messages[2].tool_call_id',
          code: 'invalid_request',
        },
      },
    });
  });

  it("uses each code's openaiType, and 503 for Anthropic's 529 overloaded", () => {
    for (const code of Object.keys(ERROR_CODES) as ErrorCode[]) {
      const { status, body } = encodeOpenAIError(new NodexError(code, 'x'));
      expect(body.error).toEqual({ message: 'x', type: ERROR_CODES[code].openaiType, param: null, code });
      expect(status).toBe(ERROR_CODES[code].status === 529 ? 503 : ERROR_CODES[code].status);
    }
  });

  it('adds retry-after in whole seconds (rounded up) and retry-after-ms when the wait is known', () => {
    expect(
      encodeOpenAIError(new NodexError('upstream_rate_limited', 'x', { retryAfterMs: 1001 })).headers,
    ).toEqual({
      'retry-after': '2',
      'retry-after-ms': '1001',
    });
    expect(encodeOpenAIError(new NodexError('rate_limited', 'x')).headers).toBeUndefined();
  });

  it('is what the openai SDK turns into a typed APIError (status, code, type, param)', async () => {
    const { status, body, headers } = encodeOpenAIError(
      new NodexError('context_length_exceeded', 'too long', { param: 'input' }),
    );
    const client = new OpenAI({
      apiKey: 'x',
      baseURL: 'http://fake/v1',
      maxRetries: 0,
      fetch: async () =>
        new Response(JSON.stringify(body), {
          status,
          headers: { 'content-type': 'application/json', ...headers },
        }),
    });
    const error = await client.responses.create({ model: 'm', input: 'hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      code: 'context_length_exceeded',
      type: 'invalid_request_error',
      param: 'input',
    });
  });
});
