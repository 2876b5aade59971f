import type { KeyPolicy } from '../../config/schema.js';
import { NodexError } from '../../core/errors.js';
import type { BucketSpec, LimitStore } from '../../store/limit-store.js';
import {
  bucketHeaders,
  formatResetDuration,
  LimitDeniedError,
  type LimitHeaders,
} from './rate-limit-headers.js';
import {
  type CommittedTokens,
  type QuotaHold,
  type Reservation,
  type ReservationDeps,
  TokenReservation,
  type TpmHold,
} from './reservation.js';

/** Who is asking: the gateway key's id and its effective policy (own fields over the default). */
export interface LimitCaller {
  readonly keyId: string;
  readonly policy: KeyPolicy;
}

/** A request let through by the rpm limit. */
export interface Admission {
  /** Whether an rpm limit applied. */
  readonly limited: boolean;
  /** `x-ratelimit-*-requests` when the key has an rpm limit, else empty. */
  headers(): LimitHeaders;
}

export interface LimiterOptions {
  readonly store: LimitStore;
  /** The key's committed tokens in its quota window: `(id, ms, now) => usageStore.window(id, ms, now)`. */
  readonly committedTokens: CommittedTokens;
  readonly now?: () => number;
  /** Store failures while settling or releasing (which never fail a request); ignored by default. */
  readonly onError?: (error: unknown) => void;
}

const MINUTE_MS = 60_000;
const perMinute = (capacity: number): BucketSpec => ({ capacity, periodMs: MINUTE_MS });
const UNLIMITED: Admission = { limited: false, headers: () => ({}) };

/** Runs a store call; any failure becomes `limits_unavailable` (503) so limited keys fail closed. */
async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (NodexError.isInstance(error) && error.code === 'limits_unavailable') throw error;
    // The cause keeps the details for the log; the message never shows a store URL.
    throw new NodexError('limits_unavailable', 'rate limits and quotas cannot be checked right now', {
      cause: error,
    });
  }
}

/**
 * Enforces a key's rpm, tpm and token quota on a LimitStore. Buckets are named by key id *and*
 * limit (`rpm:50:<id>`), so a changed policy applies from the next request (with a fresh, full
 * bucket). Keys without a limit never touch the store; a store failure refuses limited keys (503).
 *
 * @example
 * const limiter = new Limiter({ store: new LocalLimitStore(), committedTokens: (id, ms, now) => usage.window(id, ms, now) });
 * const admission = await limiter.admitRequest(caller); // throws rate_limited (429)
 * const reservation = await limiter.reserveTokens(caller, inputTokens + maxOutputTokens);
 * await reservation.settle(usage.input_tokens + usage.output_tokens);
 * // … after the metering write: await reservation.committed();
 */
export class Limiter {
  readonly #deps: ReservationDeps;

  constructor(options: LimiterOptions) {
    this.#deps = {
      store: options.store,
      committedTokens: options.committedTokens,
      now: options.now ?? Date.now,
      onError: options.onError ?? (() => undefined),
    };
  }

  /** Takes one request from the key's rpm bucket (capacity rpm, refilled rpm per minute). */
  async admitRequest(caller: LimitCaller): Promise<Admission> {
    const rpm = caller.policy.rpm;
    if (rpm === undefined) return UNLIMITED;
    const { store, now } = this.#deps;
    const result = await guarded(() => store.take(`rpm:${rpm}:${caller.keyId}`, perMinute(rpm), 1, now()));
    const headers = bucketHeaders('requests', rpm, result);
    if (!result.ok) {
      throw new LimitDeniedError(
        'rate_limited',
        `rate limit reached: ${rpm} requests per minute; try again in ${formatResetDuration(result.retryAfterMs)}`,
        { retryAfterMs: result.retryAfterMs, headers },
      );
    }
    return { limited: true, headers: () => ({ ...headers }) };
  }

  /**
   * Reserves `estimate` tokens (input estimate + max output tokens) against tpm and quota, all or
   * nothing. tpm takes at most its capacity, so a request larger than a whole minute's budget
   * passes when the bucket is full and `settle` charges the rest as debt.
   */
  async reserveTokens(caller: LimitCaller, estimate: number): Promise<Reservation> {
    if (!(Number.isFinite(estimate) && estimate >= 0))
      throw new RangeError(`the token estimate must be a non-negative number, got ${estimate}`);
    const tokens = Math.ceil(estimate);
    const { tpm, quota } = caller.policy;
    const now = this.#deps.now();
    let tpmHold: TpmHold | undefined;
    let headers: LimitHeaders = {};
    if (tpm !== undefined) {
      const hold = {
        name: `tpm:${tpm}:${caller.keyId}`,
        bucket: perMinute(tpm),
        cost: Math.min(tokens, tpm),
      };
      const result = await guarded(() => this.#deps.store.take(hold.name, hold.bucket, hold.cost, now));
      headers = bucketHeaders('tokens', tpm, result);
      if (!result.ok) {
        throw new LimitDeniedError(
          'rate_limited',
          `rate limit reached: ${tpm} tokens per minute, this request reserves ${hold.cost}; try again in ${formatResetDuration(result.retryAfterMs)}`,
          { retryAfterMs: result.retryAfterMs, headers },
        );
      }
      tpmHold = hold;
    }
    let quotaHold: QuotaHold | undefined;
    if (quota !== undefined) {
      try {
        quotaHold = await this.#reserveQuota(caller.keyId, quota, tokens, now);
      } catch (error) {
        if (tpmHold !== undefined)
          await new TokenReservation(this.#deps, tpmHold, undefined, 0, {}).release();
        throw error;
      }
    }
    return new TokenReservation(this.#deps, tpmHold, quotaHold, tokens, headers);
  }

  async #reserveQuota(
    keyId: string,
    quota: NonNullable<KeyPolicy['quota']>,
    tokens: number,
    now: number,
  ): Promise<QuotaHold> {
    if (tokens > quota.tokens) {
      throw new LimitDeniedError(
        'quota_exceeded',
        `this request may use ${tokens} tokens, more than the key's whole quota of ${quota.tokens}; lower max output tokens`,
      );
    }
    const { store, committedTokens } = this.#deps;
    const read = await guarded(() => committedTokens(keyId, quota.window, now));
    const name = `quota:${keyId}`;
    const window = { start: read.window_start, length: quota.window, committed: read.tokens };
    const result = await guarded(() =>
      store.reserveQuota(name, { limit: quota.tokens, cost: tokens, window }, now),
    );
    if (!result.ok) {
      const retryAfterMs = Math.max(1, read.window_start + quota.window - now);
      throw new LimitDeniedError(
        'quota_exceeded',
        `token quota used up: ${result.available} of ${quota.tokens} left, this request reserves ${tokens}; the window resets in ${formatResetDuration(retryAfterMs)}`,
        { retryAfterMs },
      );
    }
    return { name, keyId, windowMs: quota.window, cost: tokens };
  }
}

export { checkModel, modelAllowed } from './model-access.js';
export { LimitDeniedError, limitHeaders } from './rate-limit-headers.js';
export type { CommittedTokens, CommittedWindow, Reservation } from './reservation.js';
