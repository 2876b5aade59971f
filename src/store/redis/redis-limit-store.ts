import type { Redis } from 'ioredis';
import { NodexError } from '../../core/errors.js';
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
import { ADJUST_LUA, RELEASE_QUOTA_LUA, RESERVE_QUOTA_LUA, TAKE_LUA } from './limit-scripts.js';

export interface RedisLimitStoreOptions {
  /** Put before every name (default `nodex:limit:`); buckets live under `<prefix>b:`, quotas under `<prefix>q:`. */
  readonly prefix?: string;
  /** Kept past the moment a bucket has refilled, or a quota window has ended (default 1000 ms). */
  readonly marginMs?: number;
  /**
   * How long past its window a quota entry with tokens in flight is kept (default 1 h), counted
   * again at every call on it: reservations left behind by an instance that died go with it.
   */
  readonly inflightGraceMs?: number;
  /** Told about every call refused because Redis could not be reached (for a metric; must not throw). */
  readonly onUnavailable?: (error: NodexError) => void;
}

type Script = (key: string, ...args: string[]) => Promise<unknown>;

const COMMANDS = {
  nodexLimitTake: TAKE_LUA,
  nodexLimitAdjust: ADJUST_LUA,
  nodexLimitReserve: RESERVE_QUOTA_LUA,
  nodexLimitRelease: RELEASE_QUOTA_LUA,
} as const;

function assertNumber(value: number, what: string): void {
  if (!Number.isFinite(value)) throw new RangeError(`${what} must be a finite number, got ${value}`);
}

function numbers(reply: unknown, length: number): number[] {
  if (!Array.isArray(reply) || reply.length !== length || !reply.every((n) => typeof n === 'number'))
    throw new Error(`unexpected reply from a limit script: ${JSON.stringify(reply)}`);
  return reply as number[];
}

/**
 * The `LimitStore` shared by several gateway instances: each method is one Lua script, one round
 * trip (EVALSHA, falling back to EVAL after a Redis restart emptied the script cache), so every
 * read-modify-write is atomic across instances. The arithmetic is LocalLimitStore's, in integer
 * token-milliseconds, from the caller's `now` (not Redis TIME). Keys expire once idle: a bucket
 * when it has refilled, a quota entry when its window has ended with nothing in flight.
 *
 * Fails closed: when Redis cannot be reached, every method rejects at once (or after the client's
 * command timeout) with NodexError `limits_unavailable` (503) and `onUnavailable` hears of it; the
 * client reconnects on its own (see `openRedis`), and the same store works again once Redis is back.
 *
 * @example
 * const client = await openRedis(config.limits.url);
 * const store = new RedisLimitStore(client, { onUnavailable: () => unavailableTotal.inc() });
 * await store.take('rpm:50:k1', { capacity: 50, periodMs: 60_000 }, 1, Date.now()); // { ok: true, remaining: 49, … }
 */
export class RedisLimitStore implements LimitStore {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #margin: string;
  readonly #grace: string;
  readonly #onUnavailable: ((error: NodexError) => void) | undefined;
  #failures = 0;

  constructor(client: Redis, options: RedisLimitStoreOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'nodex:limit:';
    this.#margin = String(Math.max(0, Math.ceil(options.marginMs ?? 1000)));
    this.#grace = String(Math.max(0, Math.ceil(options.inflightGraceMs ?? 3_600_000)));
    this.#onUnavailable = options.onUnavailable;
    for (const [name, lua] of Object.entries(COMMANDS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  }

  /** Whether the connection to Redis is up right now (for a "limit store available" gauge). */
  get available(): boolean {
    return this.#client.status === 'ready';
  }

  /** Calls refused so far because Redis could not be reached. */
  get failures(): number {
    return this.#failures;
  }

  async take(name: string, bucket: BucketSpec, cost: number, now: number): Promise<TakeResult> {
    assertBucket(bucket);
    assertTokens(cost, 'cost');
    assertNumber(now, 'now');
    const reply = await this.#run('nodexLimitTake', `${this.#prefix}b:${name}`, [
      bucket.capacity,
      bucket.periodMs,
      cost,
      now,
      this.#margin,
    ]);
    const [ok, remaining, resetMs, retry] = numbers(reply, 4);
    return {
      ok: ok === 1,
      retryAfterMs: retry === -1 ? Number.POSITIVE_INFINITY : (retry as number),
      remaining: remaining as number,
      resetMs: resetMs as number,
    };
  }

  async adjust(name: string, bucket: BucketSpec, delta: number, now: number): Promise<BucketState> {
    assertBucket(bucket);
    assertTokens(delta, 'delta', true);
    assertNumber(now, 'now');
    const reply = await this.#run('nodexLimitAdjust', `${this.#prefix}b:${name}`, [
      bucket.capacity,
      bucket.periodMs,
      delta,
      now,
      this.#margin,
    ]);
    const [remaining, resetMs] = numbers(reply, 2);
    return { remaining: remaining as number, resetMs: resetMs as number };
  }

  async reserveQuota(name: string, request: QuotaRequest, now: number): Promise<QuotaResult> {
    assertTokens(request.cost, 'cost');
    assertNumber(request.limit, 'limit');
    assertNumber(now, 'now');
    assertWindow(request.window);
    const { start, length, committed } = request.window;
    const reply = await this.#run('nodexLimitReserve', `${this.#prefix}q:${name}`, [
      now,
      this.#margin,
      this.#grace,
      request.limit,
      request.cost,
      start,
      length,
      committed,
    ]);
    const [ok, available] = numbers(reply, 2);
    return { ok: ok === 1, available: available as number };
  }

  async releaseQuota(name: string, cost: number, now: number, window?: QuotaWindowRead): Promise<void> {
    assertTokens(cost, 'cost');
    assertNumber(now, 'now');
    const args: (string | number)[] = [now, this.#margin, this.#grace, cost];
    if (window !== undefined) {
      assertWindow(window);
      args.push(window.start, window.length, window.committed);
    }
    await this.#run('nodexLimitRelease', `${this.#prefix}q:${name}`, args);
  }

  async #run(command: keyof typeof COMMANDS, key: string, args: (string | number)[]): Promise<unknown> {
    const script = (this.#client as unknown as Record<string, Script>)[command] as Script;
    try {
      return await script.call(this.#client, key, ...args.map(String));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const failure = new NodexError('limits_unavailable', `the rate-limit store (Redis) failed: ${reason}`, {
        cause: error,
      });
      this.#failures++;
      try {
        this.#onUnavailable?.(failure);
      } catch {
        // a metric hook must not change the answer
      }
      throw failure;
    }
  }
}

function assertWindow(window: QuotaWindowRead): void {
  assertNumber(window.start, 'window start');
  assertNumber(window.length, 'window length');
  assertNumber(window.committed, 'committed');
}
