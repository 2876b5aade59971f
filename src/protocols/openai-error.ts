import { ERROR_CODES, isErrorCode } from '../core/error-codes.js';
import type { NodexError } from '../core/errors.js';
import type { EncodedError } from './client-protocol.js';

/** The OpenAI error body (wire.md §6.1): `type` is the code's `openaiType`, `code` the nodex code. */
export interface OpenAIErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string;
  };
}

/**
 * The OpenAI error body for a nodex code (an unknown code, from an upstream's error event, is an
 * `api_error`). Shared by error answers and the mid-stream error chunk.
 */
export function openaiErrorBody(message: string, code: string, param?: string): OpenAIErrorBody {
  const type = isErrorCode(code) ? ERROR_CODES[code].openaiType : 'api_error';
  return { error: { message, type, param: param ?? null, code } };
}

/**
 * The HTTP status an OpenAI client sees. 529 is Anthropic's "overloaded"; OpenAI answers an
 * overloaded engine with 503, which every HTTP client and proxy knows (the `openai` SDKs retry
 * both). Everything else passes through.
 */
export function openaiStatus(status: number): number {
  return status === 529 ? 503 : status;
}

/**
 * Renders a NodexError as an OpenAI error answer (`{error:{message,type,param,code}}`), with
 * `retry-after` (whole seconds, rounded up) and `retry-after-ms` (read first by the `openai` SDKs)
 * when the error knows how long to wait.
 *
 * @example
 * encodeOpenAIError(new NodexError('rate_limited', 'slow down', { retryAfterMs: 1500 }));
 * // { status: 429, body: { error: { …, type: 'rate_limit_error', code: 'rate_limited' } },
 * //   headers: { 'retry-after': '2', 'retry-after-ms': '1500' } }
 */
export function encodeOpenAIError(error: NodexError): EncodedError & { readonly body: OpenAIErrorBody } {
  const wait = error.retryAfterMs;
  const headers =
    wait !== undefined && Number.isFinite(wait) && wait >= 0
      ? { 'retry-after': String(Math.ceil(wait / 1000)), 'retry-after-ms': String(Math.ceil(wait)) }
      : undefined;
  return {
    status: openaiStatus(error.status),
    body: openaiErrorBody(error.message, error.code, error.param),
    ...(headers ? { headers } : {}),
  };
}
