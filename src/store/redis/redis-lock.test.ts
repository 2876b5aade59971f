import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { type RedisServer, startRedisServer } from '../../testing/redis-server.js';
import { openRedis } from './redis-client.js';
import { RedisRefreshLock, type RedisRefreshLockOptions } from './redis-lock.js';

let redis: RedisServer;
let clients: Redis[] = [];
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());
afterEach(async () => {
  await Promise.all(
    clients.map((client) => (client.status === 'ready' ? client.quit() : client.disconnect())),
  );
  clients = [];
});

async function lock(
  options: RedisRefreshLockOptions = {},
): Promise<{ lock: RedisRefreshLock; client: Redis }> {
  const client = await openRedis(redis.url, { maxBackoffMs: 200 });
  clients.push(client);
  return { lock: new RedisRefreshLock(client, options), client };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return NodexError.isInstance(error) ? error.code : `not a NodexError: ${String(error)}`;
  }
}

describe('RedisRefreshLock', () => {
  it('lets one holder at a time in, across three clients, and releases on a throw', async () => {
    const locks = [(await lock()).lock, (await lock()).lock, (await lock()).lock];
    let inside = 0;
    let most = 0;
    const runs = Array.from({ length: 30 }, (_, i) =>
      (locks[i % 3] as RedisRefreshLock).withLock('n', async () => {
        inside += 1;
        most = Math.max(most, inside);
        await sleep(2);
        inside -= 1;
        if (i % 7 === 0) throw new Error(`boom ${i}`);
        return i;
      }),
    );
    const results = await Promise.allSettled(runs);
    expect(most).toBe(1);
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(5);
    expect(await clients[0]?.exists('nodex:lock:n')).toBe(0);
  });

  it('renews the lock while the holder runs past the TTL', async () => {
    const a = await lock({ ttlMs: 150 });
    const b = await lock({ ttlMs: 150, waitMs: 5000, maxPollMs: 20 });
    const order: string[] = [];
    const first = a.lock.withLock('slow', async () => {
      await sleep(500);
      order.push('a done');
    });
    await sleep(20);
    await b.lock.withLock('slow', async () => {
      order.push('b in');
    });
    await first;
    expect(order).toEqual(['a done', 'b in']);
  });

  it('gives up after waitMs with upstream_timeout', async () => {
    const a = await lock();
    const b = await lock({ waitMs: 200 });
    let release = (): void => undefined;
    const held = a.lock.withLock('stuck', () => new Promise<void>((resolve) => (release = resolve)));
    await sleep(20);
    const started = Date.now();
    const error = await b.lock.withLock('stuck', async () => 'never').catch((e) => e);
    expect(NodexError.isInstance(error) && error.code).toBe('upstream_timeout');
    expect(String(error.message)).toContain('"stuck"');
    expect(Date.now() - started).toBeLessThan(1000);
    release();
    await held;
  });

  it('never deletes a lock that expired and was taken by someone else', async () => {
    const lost: string[] = [];
    const a = await lock({ ttlMs: 90, onLost: (name) => lost.push(name) });
    const b = await lock({ ttlMs: 10_000 });
    let bHolds = false;
    let second: Promise<void> | undefined;
    await a.lock.withLock('x', async () => {
      // The key vanishes (Redis lost it) and b takes the lock meanwhile.
      await a.client.del('nodex:lock:x');
      second = b.lock.withLock('x', async () => {
        bHolds = true;
        await sleep(300);
      });
      await sleep(100);
    });
    expect(bHolds).toBe(true);
    expect(await a.client.exists('nodex:lock:x')).toBe(1);
    expect(lost).toEqual(['x']);
    await second;
    expect(await a.client.exists('nodex:lock:x')).toBe(0);
  });

  // Last: it stops and restarts the shared server.
  it('fails at once with store_unavailable while Redis is down, and works again after', async () => {
    const { lock: l } = await lock();
    await redis.stop();
    try {
      const started = Date.now();
      expect(await codeOf(l.withLock('down', async () => 1))).toBe('store_unavailable');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await redis.restart();
    }
    const deadline = Date.now() + 5000;
    let result = await l.withLock('down', async () => 1).catch(() => undefined);
    while (result === undefined && Date.now() < deadline) {
      await sleep(50);
      result = await l.withLock('down', async () => 1).catch(() => undefined);
    }
    expect(result).toBe(1);
  });
});
