/**
 * A named mutual-exclusion lock that TokenCache holds around a refresh, so that several processes
 * sharing one credential (gateway instances behind a load balancer) never spend the same rotating
 * refresh token twice. The holder re-reads the credential store first: whoever waited finds the
 * tokens the previous holder saved and adopts them. `RedisRefreshLock` (store/redis) implements it
 * across hosts; `InProcessRefreshLock` within one process.
 *
 * @example
 * const cache = new TokenCache({ ...options, lock: new RedisRefreshLock(redisClient) });
 */
export interface RefreshLock {
  /**
   * Runs `run` while holding the lock `name` (waiting for it first), then releases it, whether
   * `run` resolved or threw. Rejects with a NodexError when the lock cannot be had in time.
   */
  withLock<T>(name: string, run: () => Promise<T>): Promise<T>;
}

/**
 * The lock name for one credential: `refresh:<provider>:<account id, else the store's location>`.
 *
 * @example
 * refreshLockName('codex', 'acct_123', '/home/me/.nodex/credentials/codex.json'); // 'refresh:codex:acct_123'
 */
export function refreshLockName(provider: string, accountId: string | undefined, location: string): string {
  return `refresh:${provider}:${accountId || location}`;
}

/**
 * A RefreshLock for one process: callers of the same name run one after another, in arrival order.
 * Useful where several TokenCaches in one process share a credential, and to show the protocol in
 * tests; across processes use a shared lock (RedisRefreshLock).
 *
 * @example
 * const lock = new InProcessRefreshLock();
 * await lock.withLock('refresh:codex:acct_123', async () => refreshAndSave());
 */
export class InProcessRefreshLock implements RefreshLock {
  /** Name → the tail of its queue: resolves when the last holder so far is done. */
  readonly #tails = new Map<string, Promise<void>>();

  /** Names somebody holds or waits for. */
  get size(): number {
    return this.#tails.size;
  }

  async withLock<T>(name: string, run: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(name) ?? Promise.resolve();
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.#tails.set(name, tail);
    await previous;
    try {
      return await run();
    } finally {
      release();
      if (this.#tails.get(name) === tail) this.#tails.delete(name);
    }
  }
}
