import type { ErrorCode } from '../../core/error-codes.js';
import { NodexError } from '../../core/errors.js';
import { isRetryableStatus, retryAfterMs } from './retry.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The most useful message in an upstream error body, whatever its shape. */
export function upstreamMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const error = parsed.error;
    if (
      typeof error === 'object' &&
      error !== null &&
      typeof (error as { message?: unknown }).message === 'string'
    ) {
      return (error as { message: string }).message;
    }
    if (typeof error === 'string') return error;
    if (typeof parsed.detail === 'string') return parsed.detail;
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  const text = body.trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text || '(empty body)';
}

function codeFor(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'upstream_unauthorized';
  if (status === 408 || status === 504) return 'upstream_timeout';
  if (status === 429) return 'upstream_rate_limited';
  if (status === 529 || status === 503) return 'upstream_overloaded';
  if (status >= 500) return 'upstream_error';
  return 'upstream_bad_request';
}

/**
 * The default typed error for a non-2xx upstream answer: the code follows the status, the message
 * comes from the body, retryability from the status and `x-should-retry`, and the delay from
 * `retry-after(-ms)`. Providers refine it with what their own bodies say.
 */
export function httpError(status: number, body: string, headers: HeaderBag, provider: string): NodexError {
  const delay = retryAfterMs(headers);
  return new NodexError(codeFor(status), `${provider} answered ${status}: ${upstreamMessage(body)}`, {
    provider,
    retryable: isRetryableStatus(status, headers),
    ...(delay === undefined ? {} : { retryAfterMs: delay }),
  });
}
