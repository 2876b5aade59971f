/**
 * A token bucket's shape: it holds up to `capacity` tokens and refills `capacity` tokens every
 * `periodMs`, continuously (`rpm: 50` is `{ capacity: 50, periodMs: 60_000 }`). A bucket nobody
 * has touched is full. Both are positive safe integers.
 *
 * Implementations keep a bucket's level in "token-milliseconds" (tokens × `periodMs`), so the refill
 * (`capacity` per elapsed ms) and every wait are exact integers: 50 rpm after 50 takes waits exactly
 * 1200 ms, not 1200.0000000000002. Redis Lua numbers are doubles, exact up to 2^53, which covers
 * capacity × periodMs for any realistic limit.
 */
export interface BucketSpec {
  readonly capacity: number;
  readonly periodMs: number;
}

/** A bucket after a call. */
export interface BucketState {
  /** Whole tokens left now, never below 0 (the level itself may be negative after `adjust`). */
  readonly remaining: number;
  /** Milliseconds until the bucket is full again (0 when full), rounded up. */
  readonly resetMs: number;
}

export interface TakeResult extends BucketState {
  /** True when `cost` was taken; false when nothing was taken. */
  readonly ok: boolean;
  /**
   * 0 when ok. Otherwise milliseconds until `cost` fits, rounded up, so at least 1; `Infinity`
   * when `cost` exceeds the capacity and can never fit (a Redis script returns -1 for it and its
   * client maps that back).
   */
  readonly retryAfterMs: number;
}

/** What the caller read from the usage store: the key's quota window and the tokens committed in it. */
export interface QuotaWindowRead {
  /** Unix ms the window started (it changes on roll-over and on a manual reset). */
  readonly start: number;
  /** The window's length in ms; the store may forget the name once `start + length` has passed and nothing is in flight. */
  readonly length: number;
  /** Tokens committed (metered) in that window when the caller read it. */
  readonly committed: number;
}

export interface QuotaRequest {
  /** The quota: committed + in flight + `cost` must stay ≤ `limit`. */
  readonly limit: number;
  /** Tokens to hold (a non-negative safe integer). */
  readonly cost: number;
  readonly window: QuotaWindowRead;
}

export interface QuotaResult {
  readonly ok: boolean;
  /** Tokens still free after this call (`limit - committed - in flight`, never below 0). */
  readonly available: number;
}

/**
 * The shared counters behind rate limits and quotas. Each method is one atomic step, so one Redis
 * Lua script (one round trip) can implement it; `LocalLimitStore` is the in-process one. Names are
 * opaque strings chosen by the limiter (a Redis implementation may prefix them). Times are Unix ms
 * from the caller's clock; a clock that runs backwards never refills a bucket twice.
 *
 * Quota semantics. A name holds the tokens reserved by requests in flight and the largest committed
 * total seen for the latest window (`start` compared first, then `committed`): a read of an older
 * window is ignored, a newer window replaces the old figure. So a caller whose committed read went
 * stale (another request's usage was committed and its reservation released meanwhile) is corrected
 * by the figure that request reported on release, and no request ever counts zero times. In-flight
 * tokens belong to the name, not to a window: reservations made before a roll-over still count after it.
 *
 * @example
 * const rpm50 = { capacity: 50, periodMs: 60_000 };
 * const result = await store.take('rpm:50:k1', rpm50, 1, Date.now());
 * if (!result.ok) console.log(`retry in ${result.retryAfterMs} ms`);
 */
export interface LimitStore {
  /**
   * All or nothing: refills the bucket to `now`, then takes `cost` (a non-negative safe integer)
   * when at least that many tokens are there; otherwise takes nothing. `remaining`/`resetMs`
   * describe the bucket after the call.
   */
  take(name: string, bucket: BucketSpec, cost: number, now: number): Promise<TakeResult>;
  /**
   * Settles an earlier take: `delta` > 0 takes that many more tokens unconditionally (the level may
   * go negative, which later takes must wait out), `delta` < 0 gives tokens back (never above the
   * capacity). Never refuses.
   */
  adjust(name: string, bucket: BucketSpec, delta: number, now: number): Promise<BucketState>;
  /**
   * Notes `request.window` (see above), then holds `cost` tokens when committed + in flight +
   * `cost` ≤ `limit`; otherwise holds nothing.
   */
  reserveQuota(name: string, request: QuotaRequest, now: number): Promise<QuotaResult>;
  /**
   * Gives back `cost` tokens held by `reserveQuota` (in flight never drops below 0). Pass `window`,
   * read after the request's usage was committed, so that readers with an older committed figure
   * still count that usage once the reservation is gone.
   */
  releaseQuota(name: string, cost: number, now: number, window?: QuotaWindowRead): Promise<void>;
}

/**
 * Rejects a bucket that is not two positive safe integers (a RangeError: a caller bug, not a
 * request error). Every LimitStore checks its arguments the same way.
 *
 * @example
 * assertBucket({ capacity: 50, periodMs: 60_000 });
 */
export function assertBucket(bucket: BucketSpec): void {
  if (!(Number.isSafeInteger(bucket.capacity) && bucket.capacity > 0))
    throw new RangeError(`bucket capacity must be a positive integer, got ${bucket.capacity}`);
  if (!(Number.isSafeInteger(bucket.periodMs) && bucket.periodMs > 0))
    throw new RangeError(`bucket periodMs must be a positive integer, got ${bucket.periodMs}`);
}

/**
 * Rejects a token count that is not a safe integer (or negative, unless `signed`).
 *
 * @example
 * assertTokens(cost, 'cost');
 */
export function assertTokens(value: number, what: string, signed = false): void {
  if (!Number.isSafeInteger(value) || (!signed && value < 0))
    throw new RangeError(`${what} must be ${signed ? 'an' : 'a non-negative'} integer, got ${value}`);
}
