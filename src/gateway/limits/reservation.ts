import type { BucketSpec, LimitStore, QuotaWindowRead } from '../../store/limit-store.js';
import type { LimitHeaders } from './rate-limit-headers.js';

/** A key's quota window as the usage store reports it (`UsageStore.window` fits). */
export interface CommittedWindow {
  readonly window_start: number;
  readonly tokens: number;
}

/** Reads a key's committed tokens in its current quota window (rolling it over when elapsed). */
export type CommittedTokens = (keyId: string, windowMs: number, now: number) => Promise<CommittedWindow>;

/** Tokens taken from a tpm bucket. */
export interface TpmHold {
  readonly name: string;
  readonly bucket: BucketSpec;
  readonly cost: number;
}

/** Tokens held against a quota. */
export interface QuotaHold {
  readonly name: string;
  readonly keyId: string;
  readonly windowMs: number;
  readonly cost: number;
}

export interface ReservationDeps {
  readonly store: LimitStore;
  readonly committedTokens: CommittedTokens;
  readonly now: () => number;
  /** Gets store failures during settle/commit/release, which never fail the request. */
  readonly onError: (error: unknown) => void;
}

/**
 * A request's token budget, held from before it is forwarded until its usage is metered. Call
 * `settle(actual)` once the upstream reported usage, then `committed()` once the metering write
 * has stored it; or `release()` when the request never reached the upstream. Every method is
 * idempotent, runs at most once in that order, and never rejects (store failures go to `onError`).
 */
export interface Reservation {
  /** Tokens held against tpm and quota (the estimate rounded up; tpm takes at most its capacity). */
  readonly tokens: number;
  /** `x-ratelimit-*-tokens` when the key has a tpm limit, else empty. */
  headers(): LimitHeaders;
  /** Charges the tpm bucket `actualTokens - estimate` more (or gives the difference back). */
  settle(actualTokens: number): Promise<void>;
  /** The usage is committed: drops the quota hold (the committed total counts it from now on). */
  committed(): Promise<void>;
  /** Never forwarded: gives tpm tokens (unless settled) and the quota hold back. */
  release(): Promise<void>;
}

/**
 * The Reservation the Limiter hands out; holds undefined for limits the key does not have.
 *
 * @example
 * const reservation = new TokenReservation(deps, undefined, undefined, 120, {}); // a key without limits
 * await reservation.release();
 */
export class TokenReservation implements Reservation {
  readonly tokens: number;
  readonly #deps: ReservationDeps;
  readonly #tpm: TpmHold | undefined;
  readonly #quota: QuotaHold | undefined;
  readonly #headers: LimitHeaders;
  #state: 'held' | 'settled' | 'done' = 'held';

  constructor(
    deps: ReservationDeps,
    tpm: TpmHold | undefined,
    quota: QuotaHold | undefined,
    tokens: number,
    headers: LimitHeaders,
  ) {
    this.#deps = deps;
    this.#tpm = tpm;
    this.#quota = quota;
    this.tokens = tokens;
    this.#headers = headers;
  }

  headers(): LimitHeaders {
    return { ...this.#headers };
  }

  async settle(actualTokens: number): Promise<void> {
    if (this.#state !== 'held') return;
    this.#state = 'settled';
    const tpm = this.#tpm;
    if (tpm === undefined) return;
    if (!(Number.isFinite(actualTokens) && actualTokens >= 0)) {
      this.#deps.onError(new RangeError(`actual tokens must be a non-negative number, got ${actualTokens}`));
      return;
    }
    const delta = Math.ceil(actualTokens) - tpm.cost;
    if (delta !== 0)
      await this.#safely(() => this.#deps.store.adjust(tpm.name, tpm.bucket, delta, this.#deps.now()));
  }

  async committed(): Promise<void> {
    if (this.#state === 'done') return;
    this.#state = 'done';
    const quota = this.#quota;
    if (quota === undefined) return;
    const now = this.#deps.now();
    // The committed total now includes this request: hand it to the store with the release, so a
    // reader that fetched the total just before the commit still counts this usage.
    let window: QuotaWindowRead | undefined;
    try {
      const read = await this.#deps.committedTokens(quota.keyId, quota.windowMs, now);
      window = { start: read.window_start, length: quota.windowMs, committed: read.tokens };
    } catch (error) {
      this.#deps.onError(error);
    }
    await this.#safely(() => this.#deps.store.releaseQuota(quota.name, quota.cost, now, window));
  }

  async release(): Promise<void> {
    if (this.#state === 'done') return;
    const refund = this.#state === 'held';
    this.#state = 'done';
    const now = this.#deps.now();
    const tpm = this.#tpm;
    const quota = this.#quota;
    await Promise.all([
      refund && tpm !== undefined
        ? this.#safely(() => this.#deps.store.adjust(tpm.name, tpm.bucket, -tpm.cost, now))
        : undefined,
      quota === undefined
        ? undefined
        : this.#safely(() => this.#deps.store.releaseQuota(quota.name, quota.cost, now)),
    ]);
  }

  async #safely(run: () => Promise<unknown>): Promise<void> {
    try {
      await run();
    } catch (error) {
      this.#deps.onError(error);
    }
  }
}
