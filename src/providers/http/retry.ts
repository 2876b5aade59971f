import { setTimeout as sleep } from 'node:timers/promises';
import { NodexError, toNodexError } from '../../core/errors.js';

/** How upstream calls are retried (DESIGN.md §4; the openai-node and Anthropic SDK defaults). */
export interface RetryPolicy {
  /** Retries after the first attempt. */
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** The longest `retry-after` honoured; a longer one fails at once (a reset hours away, say). */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  initialDelayMs: 500,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The delay an upstream asked for: `retry-after-ms`, else `retry-after` (seconds or an HTTP date).
 * Undefined when it asked for nothing (or nonsense).
 */
export function retryAfterMs(headers: HeaderBag, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(header(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = header(headers, 'retry-after');
  if (value === undefined) return undefined;
  const seconds = Number.parseFloat(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

/**
 * Whether a status is worth retrying: an explicit `x-should-retry` wins; otherwise 408, 409, 429
 * and 5xx.
 */
export function isRetryableStatus(status: number, headers: HeaderBag = {}): boolean {
  const explicit = header(headers, 'x-should-retry');
  if (explicit === 'true') return true;
  if (explicit === 'false') return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Exponential backoff from `initialDelayMs` to `maxDelayMs`, minus up to 25 % jitter. */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const base = Math.min(policy.initialDelayMs * 2 ** retry, policy.maxDelayMs);
  return base * (1 - 0.25 * random());
}

export interface RetryOptions {
  readonly policy?: RetryPolicy;
  readonly signal?: AbortSignal;
  /** Called before each wait, for logs and hooks. */
  readonly onRetry?: (error: NodexError, retry: number, delayMs: number) => void;
}

/**
 * Runs `attempt` and retries it while it fails with a retryable NodexError, honouring the error's
 * `retryAfterMs` (up to `maxRetryAfterMs`) or backing off exponentially. The one retry loop of
 * upstream calls: it must wrap only what happens before the first byte reaches the caller.
 *
 * @example
 * const response = await withRetries((n) => openStream(n), { policy, signal });
 */
export async function withRetries<T>(
  attempt: (retry: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (thrown) {
      const error = toNodexError(thrown);
      if (!error.retryable || retry >= policy.maxRetries || options.signal?.aborted) throw error;
      const asked = error.retryAfterMs;
      if (asked !== undefined && asked > policy.maxRetryAfterMs) throw error;
      const delay = asked ?? backoffMs(retry, policy);
      options.onRetry?.(error, retry + 1, delay);
      try {
        await sleep(delay, undefined, options.signal ? { signal: options.signal } : undefined);
      } catch {
        throw new NodexError('aborted', 'the request was cancelled while waiting to retry', { cause: error });
      }
    }
  }
}
