import type { ErrorCode } from '../../core/error-codes.js';
import { NodexError, type NodexErrorOptions } from '../../core/errors.js';
import type { BucketState } from '../../store/limit-store.js';

/** Response headers, lower-case names. */
export type LimitHeaders = Record<string, string>;

/**
 * Formats milliseconds the way OpenAI's `x-ratelimit-reset-*` headers do (Go durations): `0s`,
 * `20ms`, `1.2s`, `6m0s`, `1h0m0s`.
 *
 * @example
 * formatResetDuration(360_000); // '6m0s'
 */
export function formatResetDuration(ms: number): string {
  const total = Math.max(0, Math.ceil(ms));
  if (total === 0) return '0s';
  if (total < 1000) return `${total}ms`;
  const hours = Math.floor(total / 3_600_000);
  const minutes = Math.floor((total % 3_600_000) / 60_000);
  const seconds = `${String((total % 60_000) / 1000)}s`;
  if (hours > 0) return `${hours}h${minutes}m${seconds}`;
  if (minutes > 0) return `${minutes}m${seconds}`;
  return seconds;
}

/**
 * OpenAI's `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` for one bucket.
 *
 * @example
 * bucketHeaders('requests', 60, { remaining: 59, resetMs: 1000 });
 * // { 'x-ratelimit-limit-requests': '60', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-reset-requests': '1s' }
 */
export function bucketHeaders(kind: 'requests' | 'tokens', limit: number, state: BucketState): LimitHeaders {
  return {
    [`x-ratelimit-limit-${kind}`]: String(limit),
    [`x-ratelimit-remaining-${kind}`]: String(state.remaining),
    [`x-ratelimit-reset-${kind}`]: formatResetDuration(state.resetMs),
  };
}

/**
 * `retry-after` (whole seconds, rounded up) and `retry-after-ms`, as the protocol encoders also
 * derive them from `NodexError.retryAfterMs`.
 *
 * @example
 * retryAfterHeaders(1200); // { 'retry-after': '2', 'retry-after-ms': '1200' }
 */
export function retryAfterHeaders(ms: number): LimitHeaders {
  const wait = Math.max(0, Math.ceil(ms));
  return { 'retry-after': String(Math.ceil(wait / 1000)), 'retry-after-ms': String(wait) };
}

/**
 * A limit refused the request (`rate_limited`, `quota_exceeded`). It is a NodexError with the usual
 * code, status and `retryAfterMs`; `headers` adds what NodexError has no room for: the
 * `x-ratelimit-*` headers of the bucket that refused, plus `retry-after` / `retry-after-ms`. The
 * protocol encoders emit only the retry headers, so the gateway adds `limitHeaders(error)` itself.
 *
 * @example
 * throw new LimitDeniedError('rate_limited', 'rate limit of 60 requests per minute reached', {
 *   retryAfterMs: 1000,
 *   headers: bucketHeaders('requests', 60, { remaining: 0, resetMs: 60_000 }),
 * });
 */
export class LimitDeniedError extends NodexError {
  readonly headers: Readonly<LimitHeaders>;

  constructor(
    code: ErrorCode,
    message: string,
    options: NodexErrorOptions & { readonly headers?: LimitHeaders } = {},
  ) {
    super(code, message, options);
    this.name = 'LimitDeniedError';
    this.headers = {
      ...options.headers,
      ...(options.retryAfterMs === undefined ? {} : retryAfterHeaders(options.retryAfterMs)),
    };
  }
}

/**
 * The headers a denial answer carries: a LimitDeniedError's own, nothing for any other error.
 *
 * @example
 * reply.headers(limitHeaders(error));
 */
export function limitHeaders(error: unknown): LimitHeaders {
  return error instanceof LimitDeniedError ? { ...error.headers } : {};
}
