import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { NodexError } from '../../core/errors.js';

export interface RedisRefreshLockOptions {
  /** Put before every lock name (default `nodex:lock:`). */
  readonly prefix?: string;
  /**
   * How long a lock outlives a holder that died (default 30 s). A live holder renews it every third
   * of that, so a refresh may take longer (its own timeout is 30 s).
   */
  readonly ttlMs?: number;
  /** How long a caller waits for a lock another holds before it gives up (default 60 s). */
  readonly waitMs?: number;
  /** First pause between attempts (default 20 ms); it grows by half each time, up to `maxPollMs`. */
  readonly minPollMs?: number;
  /** Longest pause between attempts (default 250 ms). */
  readonly maxPollMs?: number;
  /** A renewal found the lock gone or taken (Redis lost it, or the holder stalled past the TTL). */
  readonly onLost?: (name: string) => void;
}

type Script = (key: string, ...args: string[]) => Promise<unknown>;

// Only the holder's token may extend or delete a lock: one that expired and was taken by another
// caller is never released by the old holder.
const COMMANDS = {
  nodexLockRenew: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`,
  nodexLockRelease: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
} as const;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A lock shared by every process on one Redis, for OAuth refreshes (it is the `RefreshLock` that
 * `TokenCache` takes, structurally: the store layer does not import auth). `SET key token NX PX ttl`
 * with a random token takes it; the holder renews it while `run` runs and releases it with a Lua
 * compare-and-delete. Waiters poll with a growing pause (20 ms to 250 ms, jittered) and give up
 * after `waitMs` with `upstream_timeout`; Redis unreachable → `store_unavailable`, at once.
 *
 * @example
 * const lock = new RedisRefreshLock(await openRedis(config.limits.url));
 * const cache = new TokenCache({ ...options, lock });
 * await lock.withLock('refresh:codex:acct_123', async () => refreshAndSave());
 */
export class RedisRefreshLock {
  readonly #client: Redis;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #waitMs: number;
  readonly #minPollMs: number;
  readonly #maxPollMs: number;
  readonly #onLost: ((name: string) => void) | undefined;

  constructor(client: Redis, options: RedisRefreshLockOptions = {}) {
    this.#client = client;
    this.#prefix = options.prefix ?? 'nodex:lock:';
    this.#ttlMs = Math.max(30, Math.ceil(options.ttlMs ?? 30_000));
    this.#waitMs = Math.max(0, options.waitMs ?? 60_000);
    this.#minPollMs = Math.max(1, options.minPollMs ?? 20);
    this.#maxPollMs = Math.max(this.#minPollMs, options.maxPollMs ?? 250);
    this.#onLost = options.onLost;
    for (const [name, lua] of Object.entries(COMMANDS)) client.defineCommand(name, { numberOfKeys: 1, lua });
  }

  async withLock<T>(name: string, run: () => Promise<T>): Promise<T> {
    const key = this.#prefix + name;
    const token = randomBytes(16).toString('hex');
    await this.#acquire(name, key, token);
    const renewal = setInterval(
      () => {
        this.#script('nodexLockRenew', key, token, String(this.#ttlMs)).then(
          (renewed) => {
            if (renewed === 1) return;
            clearInterval(renewal); // once lost, stays lost: report it once
            this.#lost(name);
          },
          () => undefined, // Redis unreachable: try again next time; the TTL still holds meanwhile
        );
      },
      Math.floor(this.#ttlMs / 3),
    );
    renewal.unref();
    try {
      return await run();
    } finally {
      clearInterval(renewal);
      // Unreachable now: the lock goes by itself when its TTL ends.
      await this.#script('nodexLockRelease', key, token).catch(() => undefined);
    }
  }

  async #acquire(name: string, key: string, token: string): Promise<void> {
    const deadline = Date.now() + this.#waitMs;
    for (let pause = this.#minPollMs; ; pause = Math.min(this.#maxPollMs, pause * 1.5)) {
      let taken: unknown;
      try {
        taken = await this.#client.set(key, token, 'PX', this.#ttlMs, 'NX');
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new NodexError('store_unavailable', `cannot take the lock "${name}": Redis failed: ${reason}`, {
          cause: error,
        });
      }
      if (taken === 'OK') return;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new NodexError(
          'upstream_timeout',
          `waited ${this.#waitMs} ms for the lock "${name}", held by another nodex instance (a token ` +
            'refresh that does not finish); try again',
        );
      await sleep(Math.min(left, pause * (0.75 + Math.random() * 0.5)));
    }
  }

  #script(command: keyof typeof COMMANDS, key: string, ...args: string[]): Promise<unknown> {
    const script = (this.#client as unknown as Record<string, Script>)[command] as Script;
    return script.call(this.#client, key, ...args);
  }

  #lost(name: string): void {
    try {
      this.#onLost?.(name);
    } catch {
      // a notification hook must not break the holder
    }
  }
}
