import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { limitStoreContract } from '../../testing/limit-store-contract.js';
import { type RedisServer, startRedisServer } from '../../testing/redis-server.js';
import { openRedis } from './redis-client.js';
import { RedisLimitStore } from './redis-limit-store.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

let prefixes = 0;
const rpm50 = { capacity: 50, periodMs: 60_000 };
const window = (committed: number, start = 0) => ({ start, length: 3_600_000, committed });

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return NodexError.isInstance(error) ? error.code : `not a NodexError: ${String(error)}`;
  }
}

// Each test gets its own key prefix on the shared server; `another()` is a new client (instance).
limitStoreContract('RedisLimitStore', async () => {
  const prefix = `nodex:test${++prefixes}:`;
  const clients: Redis[] = [];
  const open = async () => {
    const client = await openRedis(redis.url);
    clients.push(client);
    return new RedisLimitStore(client, { prefix });
  };
  const store = await open();
  return {
    store,
    another: open,
    close: async () => {
      await Promise.all(clients.map((client) => client.quit()));
    },
  };
});

describe('RedisLimitStore keys', () => {
  let client: Redis;
  beforeAll(async () => {
    client = await openRedis(redis.url);
  });
  afterAll(() => client?.quit());

  it('prefixes its keys and lets a bucket expire when it has refilled', async () => {
    const store = new RedisLimitStore(client, { marginMs: 0 });
    await store.take('ttl-1', rpm50, 1, 0);
    const ttl = await client.pttl('nodex:limit:b:ttl-1');
    expect(ttl).toBeGreaterThan(1000);
    expect(ttl).toBeLessThanOrEqual(1200);
    // Refilled (by the caller's clock): the key goes at once.
    await store.take('ttl-1', rpm50, 0, 60_000);
    expect(await client.exists('nodex:limit:b:ttl-1')).toBe(0);
    // A give-back that fills the bucket drops it too; a take of nothing stores nothing.
    await store.take('ttl-2', rpm50, 5, 0);
    await store.adjust('ttl-2', rpm50, -5, 0);
    await store.take('ttl-3', rpm50, 0, 0);
    expect(await client.exists('nodex:limit:b:ttl-2', 'nodex:limit:b:ttl-3')).toBe(0);
  });

  it('keeps a quota entry until its window ends, longer while tokens are in flight', async () => {
    const store = new RedisLimitStore(client, { marginMs: 1000, inflightGraceMs: 600_000 });
    const key = 'nodex:limit:q:quota-ttl';
    await store.reserveQuota('quota-ttl', { limit: 100, cost: 10, window: window(0) }, 3_000_000);
    const held = await client.pttl(key);
    expect(held).toBeGreaterThan(600_000 + 599_000);
    expect(held).toBeLessThanOrEqual(600_000 + 600_000);
    await store.releaseQuota('quota-ttl', 10, 3_000_000);
    const idle = await client.pttl(key);
    expect(idle).toBeGreaterThan(600_000);
    expect(idle).toBeLessThanOrEqual(601_000);
    // Window over, nothing in flight: forgotten.
    await store.releaseQuota('quota-ttl', 0, 3_600_000);
    expect(await client.exists(key)).toBe(0);
  });

  it('recovers when Redis forgot its scripts (SCRIPT FLUSH)', async () => {
    const store = new RedisLimitStore(client, { prefix: 'nodex:flush:' });
    await store.take('b', rpm50, 1, 0);
    await client.script('FLUSH');
    expect(await store.take('b', rpm50, 1, 0)).toMatchObject({ ok: true, remaining: 48 });
  });
});

describe('openRedis', () => {
  it('fails at startup with store_unavailable and the password masked when nothing listens', async () => {
    const started = Date.now();
    const error = await openRedis('redis://:s3cret@127.0.0.1:1/0', { connectTimeoutMs: 2000 }).catch(
      (e) => e,
    );
    expect(NodexError.isInstance(error) && error.code).toBe('store_unavailable');
    expect(String(error.message)).toContain('redis://:***@127.0.0.1:1/0');
    expect(String(error.message)).not.toContain('s3cret');
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it('rejects a URL that is not redis:// with config_invalid', async () => {
    expect(await codeOf(openRedis('http://127.0.0.1:6379'))).toBe('config_invalid');
  });
});

// Last: it stops and restarts the shared server.
describe('RedisLimitStore when Redis goes away', () => {
  it('fails closed at once with limits_unavailable, then works again by itself once Redis is back', async () => {
    const client = await openRedis(redis.url, { maxBackoffMs: 200 });
    const seen: NodexError[] = [];
    const store = new RedisLimitStore(client, {
      prefix: 'nodex:outage:',
      onUnavailable: (e) => seen.push(e),
    });
    try {
      expect((await store.take('b', rpm50, 1, 0)).ok).toBe(true);
      expect(store.available).toBe(true);
      await redis.stop();
      for (const call of [
        () => store.take('b', rpm50, 1, 0),
        () => store.adjust('b', rpm50, 1, 0),
        () => store.reserveQuota('q', { limit: 10, cost: 1, window: window(0) }, 0),
        () => store.releaseQuota('q', 1, 0),
      ]) {
        const started = Date.now();
        expect(await codeOf(call())).toBe('limits_unavailable');
        expect(Date.now() - started).toBeLessThan(1000);
      }
      expect(store.available).toBe(false);
      expect(store.failures).toBe(4);
      expect(seen.map((e) => e.status)).toEqual([503, 503, 503, 503]);

      await redis.restart();
      const deadline = Date.now() + 5000;
      let result = await store.take('b', rpm50, 1, 0).catch(() => undefined);
      while (result === undefined && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        result = await store.take('b', rpm50, 1, 0).catch(() => undefined);
      }
      // The restarted server is empty (nothing is saved), and its script cache too.
      expect(result).toMatchObject({ ok: true, remaining: 49 });
      expect(store.available).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});
