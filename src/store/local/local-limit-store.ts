import type {
  BucketSpec,
  BucketState,
  LimitStore,
  QuotaRequest,
  QuotaResult,
  QuotaWindowRead,
  TakeResult,
} from '../limit-store.js';
import { assertBucket, assertTokens } from '../limit-store.js';

interface BucketEntry {
  /** Level in token-milliseconds (tokens × periodMs); may be negative. */
  units: number;
  at: number;
  /** When the bucket is full again, so a sweep can drop it without its spec. */
  fullAt: number;
}

interface QuotaEntry {
  inflight: number;
  start: number;
  length: number;
  committed: number;
}

/** Sweeps run at most once per this many calls, or per as many calls as there are entries. */
const MIN_SWEEP_INTERVAL = 256;

/**
 * The in-process `LimitStore`, for one gateway instance. Every method body runs without an
 * `await`, so each read-modify-write is atomic on the single JS thread. Memory stays bounded: a
 * full bucket is the same as no bucket, so buckets that have refilled are dropped, and a quota
 * entry goes once its window has ended with nothing in flight.
 *
 * @example
 * const store = new LocalLimitStore();
 * await store.take('rpm:50:k1', { capacity: 50, periodMs: 60_000 }, 1, Date.now()); // { ok: true, remaining: 49, … }
 */
export class LocalLimitStore implements LimitStore {
  readonly #buckets = new Map<string, BucketEntry>();
  readonly #quotas = new Map<string, QuotaEntry>();
  #calls = 0;

  /** Buckets and quota entries currently held. */
  get size(): number {
    return this.#buckets.size + this.#quotas.size;
  }

  async take(name: string, bucket: BucketSpec, cost: number, now: number): Promise<TakeResult> {
    assertBucket(bucket);
    assertTokens(cost, 'cost');
    this.#maybeSweep(now);
    const { units, at } = this.#level(name, bucket, now);
    const need = cost * bucket.periodMs;
    if (need <= units) {
      this.#store(name, bucket, units - need, at);
      return { ok: true, retryAfterMs: 0, ...state(bucket, units - need) };
    }
    const retryAfterMs =
      cost > bucket.capacity ? Number.POSITIVE_INFINITY : Math.ceil((need - units) / bucket.capacity);
    return { ok: false, retryAfterMs, ...state(bucket, units) };
  }

  async adjust(name: string, bucket: BucketSpec, delta: number, now: number): Promise<BucketState> {
    assertBucket(bucket);
    assertTokens(delta, 'delta', true);
    this.#maybeSweep(now);
    const { units, at } = this.#level(name, bucket, now);
    const next = Math.min(bucket.capacity * bucket.periodMs, units - delta * bucket.periodMs);
    this.#store(name, bucket, next, at);
    return state(bucket, next);
  }

  async reserveQuota(name: string, request: QuotaRequest, now: number): Promise<QuotaResult> {
    assertTokens(request.cost, 'cost');
    this.#maybeSweep(now);
    const entry = this.#observe(name, request.window);
    const free = request.limit - entry.committed - entry.inflight;
    if (request.cost <= free) {
      entry.inflight += request.cost;
      return { ok: true, available: free - request.cost };
    }
    return { ok: false, available: Math.max(0, free) };
  }

  async releaseQuota(name: string, cost: number, now: number, window?: QuotaWindowRead): Promise<void> {
    assertTokens(cost, 'cost');
    this.#maybeSweep(now);
    const entry = window === undefined ? this.#quotas.get(name) : this.#observe(name, window);
    if (entry !== undefined) entry.inflight = Math.max(0, entry.inflight - cost);
  }

  /** Drops refilled buckets and ended, idle quota entries; returns how many. Runs by itself now and then. */
  sweep(now: number): number {
    let dropped = 0;
    for (const [name, entry] of this.#buckets) {
      if (entry.fullAt <= now && this.#buckets.delete(name)) dropped++;
    }
    for (const [name, entry] of this.#quotas) {
      if (entry.inflight <= 0 && entry.start + entry.length <= now && this.#quotas.delete(name)) dropped++;
    }
    return dropped;
  }

  #maybeSweep(now: number): void {
    this.#calls++;
    if (this.#calls < Math.max(MIN_SWEEP_INTERVAL, this.size)) return;
    this.#calls = 0;
    this.sweep(now);
  }

  /** The level refilled to `now`; `at` never moves backwards. */
  #level(name: string, bucket: BucketSpec, now: number): { units: number; at: number } {
    const full = bucket.capacity * bucket.periodMs;
    const entry = this.#buckets.get(name);
    if (entry === undefined) return { units: full, at: now };
    const elapsed = Math.max(0, now - entry.at);
    return { units: Math.min(full, entry.units + elapsed * bucket.capacity), at: Math.max(entry.at, now) };
  }

  #store(name: string, bucket: BucketSpec, units: number, at: number): void {
    const missing = bucket.capacity * bucket.periodMs - units;
    if (missing <= 0) this.#buckets.delete(name);
    else this.#buckets.set(name, { units, at, fullAt: at + Math.ceil(missing / bucket.capacity) });
  }

  #observe(name: string, window: QuotaWindowRead): QuotaEntry {
    const entry = this.#quotas.get(name);
    if (entry === undefined) {
      const created = { inflight: 0, ...window };
      this.#quotas.set(name, created);
      return created;
    }
    if (window.start > entry.start) {
      entry.start = window.start;
      entry.committed = window.committed;
    } else if (window.start === entry.start) {
      entry.committed = Math.max(entry.committed, window.committed);
    }
    if (window.start >= entry.start) entry.length = window.length;
    return entry;
  }
}

function state(bucket: BucketSpec, units: number): BucketState {
  const full = bucket.capacity * bucket.periodMs;
  return {
    remaining: Math.max(0, Math.floor(units / bucket.periodMs)),
    resetMs: Math.max(0, Math.ceil((full - units) / bucket.capacity)),
  };
}
