import { describe, expect, it } from 'vitest';
import { limitStoreContract } from '../../testing/limit-store-contract.js';
import { LocalLimitStore } from './local-limit-store.js';

const rpm50 = { capacity: 50, periodMs: 60_000 };
const window = (committed: number, start = 0) => ({ start, length: 3_600_000, committed });

// One process has one store: "another instance" is the same store.
limitStoreContract('LocalLimitStore', async () => {
  const store = new LocalLimitStore();
  return { store, another: async () => store, close: async () => undefined };
});

describe('LocalLimitStore memory', () => {
  it('drops buckets once they have refilled, so idle keys cost no memory', async () => {
    const store = new LocalLimitStore();
    for (let i = 0; i < 1000; i++) await store.take(`k${i}`, rpm50, 1, 0);
    expect(store.size).toBeGreaterThan(0);
    expect(store.sweep(1199)).toBe(0);
    expect(store.sweep(1200)).toBeGreaterThan(0);
    expect(store.size).toBe(0);
    // Sweeps also run by themselves as calls go by.
    for (let i = 0; i < 1000; i++) await store.take(`j${i}`, rpm50, 1, 0);
    for (let i = 0; i < 2000; i++) await store.take('hot', rpm50, 0, 5_000);
    expect(store.size).toBe(0);
    // A give-back that fills a bucket drops it at once.
    await store.take('x', rpm50, 5, 0);
    await store.adjust('x', rpm50, -5, 0);
    expect(store.size).toBe(0);
  });

  it('forgets a quota entry after its window ends with nothing in flight', async () => {
    const store = new LocalLimitStore();
    await store.reserveQuota('q', { limit: 100, cost: 10, window: window(0) }, 0);
    expect(store.sweep(3_600_000)).toBe(0);
    await store.releaseQuota('q', 10, 10);
    expect(store.sweep(3_599_999)).toBe(0);
    expect(store.sweep(3_600_000)).toBe(1);
    expect(store.size).toBe(0);
  });
});
