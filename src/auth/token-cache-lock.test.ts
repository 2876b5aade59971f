import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../core/errors.js';
import { openRedis } from '../store/redis/redis-client.js';
import { RedisRefreshLock } from '../store/redis/redis-lock.js';
import { type RedisServer, startRedisServer } from '../testing/redis-server.js';
import { CodexAuthFileStore } from './codex/codex-auth-file-store.js';
import type { CodexCredentials } from './codex/codex-credentials.js';
import { InProcessRefreshLock, type RefreshLock, refreshLockName } from './refresh-lock.js';
import { TokenCache } from './token-cache.js';

/**
 * A token endpoint with rotating refresh tokens, as ChatGPT's: each refresh token works once, and
 * spending one twice is what revokes a whole token family in real life. Answers after `delayMs`.
 */
function fakeTokenEndpoint(delayMs: number) {
  let live = 'rt0';
  let generation = 0;
  const spent: string[] = [];
  return {
    spent,
    get calls() {
      return spent.length;
    },
    async refresh(current: CodexCredentials): Promise<CodexCredentials> {
      const presented = current.refreshToken ?? '';
      spent.push(presented);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (presented !== live)
        throw new NodexError('credentials_expired', 'refresh token already used', {
          providerCode: 'refresh_token_reused',
        });
      generation += 1;
      live = `rt${generation}`;
      return { accessToken: `at${generation}`, refreshToken: live, expiresAt: Date.now() + 3_600_000 };
    },
  };
}

/** An expired token in a fresh credential file; returns the file's path. */
async function expiredFile(dir: string): Promise<string> {
  const path = join(dir, 'codex.json');
  await new CodexAuthFileStore({ path, kind: 'nodex-file' }).save({
    accessToken: 'at0',
    refreshToken: 'rt0',
    expiresAt: Date.now() - 1000,
  });
  return path;
}

/** One gateway instance's view: its own store object on the shared file, its own cache and lock. */
function instance(path: string, endpoint: ReturnType<typeof fakeTokenEndpoint>, lock?: RefreshLock) {
  return new TokenCache<CodexCredentials>({
    store: new CodexAuthFileStore({ path, kind: 'nodex-file' }),
    refresh: (current) => endpoint.refresh(current),
    toAccessToken: (c) => ({ accessToken: c.accessToken }),
    refreshAheadMs: 60_000,
    loginHint: 'run `nodex login codex`',
    provider: 'codex',
    ...(lock ? { lock } : {}),
  });
}

/** Every instance asks `perInstance` times at once; resolves to the access tokens handed out. */
async function stampede(caches: TokenCache<CodexCredentials>[], perInstance: number): Promise<string[]> {
  const calls = caches.flatMap((cache) => Array.from({ length: perInstance }, () => cache.getToken()));
  return (await Promise.all(calls)).map((token) => token.accessToken);
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nodex-token-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('TokenCache with a refresh lock (in process: the protocol)', () => {
  it('refreshes once for three caches sharing one file, and every caller gets the new token', async () => {
    const path = await expiredFile(dir);
    const endpoint = fakeTokenEndpoint(50);
    const lock = new InProcessRefreshLock();
    const caches = [
      instance(path, endpoint, lock),
      instance(path, endpoint, lock),
      instance(path, endpoint, lock),
    ];
    const tokens = await stampede(caches, 5);
    expect(tokens).toEqual(Array(15).fill('at1'));
    expect(endpoint.spent).toEqual(['rt0']);
    expect(await new CodexAuthFileStore({ path, kind: 'nodex-file' }).load()).toMatchObject({
      accessToken: 'at1',
      refreshToken: 'rt1',
    });
    expect(lock.size).toBe(0);
  });

  it('without the lock, the same stampede spends the refresh token more than once', async () => {
    const path = await expiredFile(dir);
    const endpoint = fakeTokenEndpoint(100);
    const caches = [instance(path, endpoint), instance(path, endpoint), instance(path, endpoint)];
    await Promise.allSettled(caches.map((cache) => cache.getToken()));
    expect(endpoint.spent.filter((token) => token === 'rt0').length).toBeGreaterThan(1);
  });

  it('runs holders of one name one at a time, other names in parallel, and releases on a throw', async () => {
    const lock = new InProcessRefreshLock();
    const log: string[] = [];
    const hold = (name: string, tag: string, fail = false) =>
      lock.withLock(name, async () => {
        log.push(`+${tag}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        log.push(`-${tag}`);
        if (fail) throw new Error('boom');
        return tag;
      });
    const results = await Promise.allSettled([hold('a', 'a1', true), hold('a', 'a2'), hold('b', 'b1')]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'fulfilled']);
    expect(log.indexOf('-a1')).toBeLessThan(log.indexOf('+a2'));
    expect(log.indexOf('+b1')).toBeLessThan(log.indexOf('-a1'));
    expect(lock.size).toBe(0);
    expect(refreshLockName('codex', undefined, '/x/codex.json')).toBe('refresh:codex:/x/codex.json');
    expect(refreshLockName('codex', 'acct_1', '/x/codex.json')).toBe('refresh:codex:acct_1');
  });
});

describe('TokenCache with a Redis refresh lock (three instances)', () => {
  let redis: RedisServer;
  let clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());
  afterEach(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    clients = [];
  });

  async function redisLock(): Promise<RedisRefreshLock> {
    const client = await openRedis(redis.url);
    clients.push(client);
    return new RedisRefreshLock(client, { ttlMs: 5000, waitMs: 10_000 });
  }

  it('calls the token endpoint exactly once and never spends a rotated refresh token twice', async () => {
    const path = await expiredFile(dir);
    const endpoint = fakeTokenEndpoint(50);
    const caches = [
      instance(path, endpoint, await redisLock()),
      instance(path, endpoint, await redisLock()),
      instance(path, endpoint, await redisLock()),
    ];
    const tokens = await stampede(caches, 5);
    expect(tokens).toEqual(Array(15).fill('at1'));
    expect(endpoint.calls).toBe(1);
    expect(new Set(endpoint.spent).size).toBe(endpoint.spent.length);
    // Later rounds: nothing due, nothing refreshed.
    expect(await stampede(caches, 3)).toEqual(Array(9).fill('at1'));
    expect(endpoint.calls).toBe(1);
    expect(await clients[0]?.keys('nodex:lock:*')).toEqual([]);
  });

  it('after a forced refresh on one instance, a 401 on another adopts the new token without refreshing', async () => {
    const path = await expiredFile(dir);
    const endpoint = fakeTokenEndpoint(10);
    const [a, b] = [instance(path, endpoint, await redisLock()), instance(path, endpoint, await redisLock())];
    expect((await a.getToken()).accessToken).toBe('at1');
    expect((await b.getToken()).accessToken).toBe('at1');
    expect(await a.refreshIfNeeded(true)).toBe(true);
    expect((await b.refreshAfterReject('at1')).accessToken).toBe('at2');
    expect(endpoint.spent).toEqual(['rt0', 'rt1']);
  });
});
