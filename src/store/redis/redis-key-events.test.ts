import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { type RedisServer, startRedisServer } from '../../testing/redis-server.js';
import { openRedis } from './redis-client.js';
import { KEY_EVENTS_CHANNEL, RedisKeyEvents } from './redis-key-events.js';

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedisServer();
});
afterAll(() => redis?.stop());

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One gateway instance: its client, its events, and what it heard. */
async function instance() {
  const client = await openRedis(redis.url, { maxBackoffMs: 200 });
  const heard: { ids: readonly string[]; at: number }[] = [];
  const errors: Error[] = [];
  let resyncs = 0;
  const events = await RedisKeyEvents.open(client, {
    onChange: (ids) => heard.push({ ids, at: Date.now() }),
    onResync: () => {
      resyncs += 1;
    },
    onError: (error) => errors.push(error),
  });
  return {
    client,
    events,
    heard,
    errors,
    resyncs: () => resyncs,
    close: async () => {
      await events.close();
      client.disconnect();
    },
  };
}

async function until(check: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await sleep(10);
  return check();
}

describe('RedisKeyEvents', () => {
  it('delivers a change published on one instance to the others within a second', async () => {
    const [a, b] = [await instance(), await instance()];
    try {
      const sent = Date.now();
      expect(await a.events.publish(['k1', 'k2'])).toBe(2); // both instances listen
      expect(await until(() => b.heard.length === 1, 1000)).toBe(true);
      expect(b.heard[0]?.ids).toEqual(['k1', 'k2']);
      expect((b.heard[0]?.at ?? Number.POSITIVE_INFINITY) - sent).toBeLessThan(1000);
      expect(await until(() => a.heard.length === 1, 1000)).toBe(true);
      expect(await a.events.publish([])).toBe(0);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('reports a malformed message and carries on', async () => {
    const [a, b] = [await instance(), await instance()];
    try {
      await a.client.publish(KEY_EVENTS_CHANNEL, 'not json');
      await a.client.publish(KEY_EVENTS_CHANNEL, JSON.stringify({ ids: [1] }));
      await a.events.publish(['k3']);
      expect(await until(() => b.heard.length === 1, 1000)).toBe(true);
      expect(b.heard[0]?.ids).toEqual(['k3']);
      expect(b.errors.map((e) => e.message)).toEqual([
        expect.stringContaining('malformed message'),
        expect.stringContaining('malformed message'),
      ]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('stops hearing after close', async () => {
    const [a, b] = [await instance(), await instance()];
    try {
      await b.events.close();
      expect(b.events.listening).toBe(false);
      expect(await a.events.publish(['k4'])).toBe(1);
      await sleep(100);
      expect(b.heard).toEqual([]);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  // Last: it stops and restarts the shared server.
  it('subscribes again after Redis restarts, saying so through onResync', async () => {
    const [a, b] = [await instance(), await instance()];
    try {
      await redis.stop();
      const error = await a.events.publish(['lost']).catch((e) => e);
      expect(NodexError.isInstance(error) && error.code).toBe('store_unavailable');
      await redis.restart();
      expect(await until(() => a.resyncs() === 1 && b.resyncs() === 1, 5000)).toBe(true);
      expect(b.events.listening).toBe(true);
      // The publishing client reconnects by itself too.
      expect(await until(() => a.client.status === 'ready', 5000)).toBe(true);
      const sent = Date.now();
      expect(await a.events.publish(['k5'])).toBe(2);
      expect(await until(() => b.heard.length === 1, 1000)).toBe(true);
      expect(b.heard[0]?.ids).toEqual(['k5']);
      expect((b.heard[0]?.at ?? Number.POSITIVE_INFINITY) - sent).toBeLessThan(1000);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('RedisKeyEvents.open', () => {
  it('fails with store_unavailable when Redis cannot be reached', async () => {
    const client: Redis = await openRedis(redis.url);
    const dead = client.duplicate({ port: 1, host: '127.0.0.1' });
    try {
      const error = await RedisKeyEvents.open(dead, {
        onChange: () => undefined,
        connectTimeoutMs: 1000,
      }).catch((e) => e);
      expect(NodexError.isInstance(error) && error.code).toBe('store_unavailable');
    } finally {
      dead.disconnect();
      client.disconnect();
    }
  });
});
