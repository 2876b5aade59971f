import type { ErrorCode } from '../../core/error-codes.js';
import type { NodexError } from '../../core/errors.js';

/**
 * Codes Codex CLI acts on in `response.failed` (wire.md §3.1, codex-rs `process_sse`):
 * `context_length_exceeded` (fatal), `insufficient_quota` (QuotaExceeded, fatal), `usage_not_included`,
 * `rate_limit_exceeded` (retry after the delay in the message), `server_is_overloaded`. Every other
 * nodex code is sent as is (Codex retries the turn, then shows the message).
 */
const FAILURE_CODES: Partial<Record<ErrorCode, string>> = {
  context_length_exceeded: 'context_length_exceeded',
  quota_exceeded: 'insufficient_quota',
  payment_required: 'insufficient_quota',
  upstream_usage_limit: 'insufficient_quota',
  rate_limited: 'rate_limit_exceeded',
  upstream_rate_limited: 'rate_limit_exceeded',
  upstream_overloaded: 'server_is_overloaded',
};

/**
 * The `response.error` of a `response.failed` event, worded for Codex CLI: its codes (see
 * FAILURE_CODES) and, for rate limits with a known wait, "Please try again in N s." in the message,
 * the text codex-rs `try_parse_retry_after` reads.
 *
 * @example
 * encodeResponsesFailure(new NodexError('upstream_rate_limited', 'busy', { retryAfterMs: 1500 }));
 * // { code: 'rate_limit_exceeded', message: 'busy Please try again in 1.5s.' }
 */
export function encodeResponsesFailure(error: NodexError): {
  readonly code: string;
  readonly message: string;
} {
  let code = FAILURE_CODES[error.code] ?? error.code;
  if (error.code === 'upstream_usage_limit' && error.providerCode === 'usage_not_included')
    code = 'usage_not_included';
  let message = error.message;
  if (code === 'rate_limit_exceeded' && error.retryAfterMs !== undefined && !/try again in/i.test(message)) {
    message = `${message} Please try again in ${Number((error.retryAfterMs / 1000).toFixed(3))}s.`;
  }
  return { code, message };
}
