import { ERROR_CODES, isErrorCode } from '../../core/error-codes.js';
import type { NodexError } from '../../core/errors.js';
import type { EncodedError } from '../client-protocol.js';

/** The Messages error envelope (wire.md §5.2), in HTTP bodies and `event: error` frames. */
export interface AnthropicErrorBody {
  readonly type: 'error';
  readonly error: { readonly type: string; readonly message: string };
  readonly request_id?: string;
}

/**
 * The Anthropic error `type` for a nodex error code (error-codes.ts `anthropicType`); codes nodex
 * does not know (from a newer peer) are `api_error`.
 *
 * @example
 * anthropicErrorType('upstream_overloaded'); // 'overloaded_error'
 */
export function anthropicErrorType(code: string): string {
  return isErrorCode(code) ? ERROR_CODES[code].anthropicType : 'api_error';
}

/**
 * Builds the error envelope.
 *
 * @example
 * anthropicErrorBody('rate_limited', 'slow down', 'req_1');
 * // { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' }, request_id: 'req_1' }
 */
export function anthropicErrorBody(code: string, message: string, requestId?: string): AnthropicErrorBody {
  return {
    type: 'error',
    error: { type: anthropicErrorType(code), message },
    ...(requestId ? { request_id: requestId } : {}),
  };
}

/**
 * Renders a NodexError as a Messages HTTP error (wire.md §5.2): the envelope with `request_id`;
 * status 529 for an overloaded upstream (what Claude Code and the SDK expect), the error's status
 * otherwise. Headers steer the SDK's retry loop (anthropic-sdk `shouldRetry`, `retryAfter`):
 * `x-should-retry` says whether retrying can help (so a used-up subscription's 429 is not retried
 * ten times), and `retry-after` / `retry-after-ms` carry the delay when the error knows it.
 *
 * @example
 * encodeAnthropicError(new NodexError('upstream_overloaded', 'Overloaded'), { requestId: 'req_1' }).status; // 529
 */
export function encodeAnthropicError(
  error: NodexError,
  context: { readonly requestId: string },
): EncodedError {
  const headers: Record<string, string> = { 'x-should-retry': String(error.retryable) };
  if (error.retryAfterMs !== undefined && Number.isFinite(error.retryAfterMs)) {
    const ms = Math.max(0, Math.round(error.retryAfterMs));
    headers['retry-after-ms'] = String(ms);
    headers['retry-after'] = String(Math.ceil(ms / 1000));
  }
  return {
    status: error.code === 'upstream_overloaded' ? 529 : error.status,
    body: anthropicErrorBody(error.code, error.message, context.requestId),
    headers,
  };
}
