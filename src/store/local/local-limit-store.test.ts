import { describe, expect, it } from 'vitest';
import { LocalLimitStore } from './local-limit-store.js';

const rpm50 = { capacity: 50, periodMs: 60_000 };
const window = (committed: number, start = 0) => ({ start, length: 3_600_000, committed });

describe('LocalLimitStore buckets', () => {
  it('starts full, takes all or nothing, and waits exactly until the cost fits', async () => {
    const store = new LocalLimitStore();
    expect(await store.take('b', rpm50, 1, 0)).toEqual({
      ok: true,
      retryAfterMs: 0,
      remaining: 49,
      resetMs: 1200,
    });
    for (let i = 0; i < 49; i++) expect((await store.take('b', rpm50, 1, 0)).ok).toBe(true);
    expect(await store.take('b', rpm50, 1, 0)).toEqual({
      ok: false,
      retryAfterMs: 1200,
      remaining: 0,
      resetMs: 60_000,
    });
    expect((await store.take('b', rpm50, 1, 1199)).ok).toBe(false);
    expect(await store.take('b', rpm50, 1, 1200)).toMatchObject({ ok: true, remaining: 0 });
  });

  it('refills continuously and never above capacity', async () => {
    const store = new LocalLimitStore();
    const tpm = { capacity: 1000, periodMs: 60_000 };
    expect(await store.take('t', tpm, 900, 0)).toMatchObject({ ok: true, remaining: 100 });
    const denied = await store.take('t', tpm, 400, 0);
    expect(denied).toMatchObject({ ok: false, remaining: 100, retryAfterMs: 18_000 });
    expect(await store.take('t', tpm, 400, 18_000)).toMatchObject({ ok: true, remaining: 0 });
    expect(await store.take('t', tpm, 0, 10 * 60_000)).toMatchObject({
      ok: true,
      remaining: 1000,
      resetMs: 0,
    });
  });

  it('says a cost above the capacity never fits', async () => {
    const store = new LocalLimitStore();
    const result = await store.take('b', rpm50, 51, 0);
    expect(result.ok).toBe(false);
    expect(result.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
  });

  it('adjust gives back up to the capacity and takes more into debt', async () => {
    const store = new LocalLimitStore();
    const tpm = { capacity: 100, periodMs: 60_000 };
    await store.take('t', tpm, 80, 0);
    expect(await store.adjust('t', tpm, -500, 0)).toEqual({ remaining: 100, resetMs: 0 });
    await store.take('t', tpm, 100, 0);
    expect(await store.adjust('t', tpm, 50, 0)).toEqual({ remaining: 0, resetMs: 90_000 });
    // 50 in debt: a cost of 10 waits for 60 tokens (36 s).
    expect(await store.take('t', tpm, 10, 0)).toMatchObject({ ok: false, retryAfterMs: 36_000 });
    expect((await store.take('t', tpm, 10, 36_000)).ok).toBe(true);
  });

  it('does not refill twice when the clock goes backwards', async () => {
    const store = new LocalLimitStore();
    for (let i = 0; i < 50; i++) await store.take('b', rpm50, 1, 10_000);
    expect((await store.take('b', rpm50, 1, 5_000)).ok).toBe(false);
    expect((await store.take('b', rpm50, 1, 11_199)).ok).toBe(false);
    expect((await store.take('b', rpm50, 1, 11_200)).ok).toBe(true);
  });

  it('rejects malformed costs and specs instead of corrupting a bucket', async () => {
    const store = new LocalLimitStore();
    await expect(store.take('b', rpm50, 1.5, 0)).rejects.toThrow(RangeError);
    await expect(store.take('b', rpm50, -1, 0)).rejects.toThrow(RangeError);
    await expect(store.take('b', { capacity: 0, periodMs: 1 }, 1, 0)).rejects.toThrow(RangeError);
    await expect(store.adjust('b', rpm50, Number.NaN, 0)).rejects.toThrow(RangeError);
  });

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
});

describe('LocalLimitStore quotas', () => {
  it('holds reservations until released and refuses what does not fit', async () => {
    const store = new LocalLimitStore();
    expect(await store.reserveQuota('q', { limit: 100, cost: 60, window: window(10) }, 0)).toEqual({
      ok: true,
      available: 30,
    });
    expect(await store.reserveQuota('q', { limit: 100, cost: 31, window: window(10) }, 0)).toEqual({
      ok: false,
      available: 30,
    });
    await store.releaseQuota('q', 60, 0);
    expect((await store.reserveQuota('q', { limit: 100, cost: 90, window: window(10) }, 0)).ok).toBe(true);
  });

  it('keeps the largest committed figure of the latest window, so a stale read still counts released usage', async () => {
    const store = new LocalLimitStore();
    expect((await store.reserveQuota('q', { limit: 100, cost: 50, window: window(0) }, 0)).ok).toBe(true);
    // That request used 50; the usage store now says 50, and the reservation goes.
    await store.releaseQuota('q', 50, 0, window(50));
    // Another request read committed = 0 before the commit: the store still counts the 50.
    expect(await store.reserveQuota('q', { limit: 100, cost: 60, window: window(0) }, 0)).toEqual({
      ok: false,
      available: 50,
    });
    // An older window's figure is ignored; a newer window replaces it.
    expect((await store.reserveQuota('q', { limit: 100, cost: 60, window: window(0, -5) }, 0)).ok).toBe(
      false,
    );
    expect(
      (await store.reserveQuota('q', { limit: 100, cost: 60, window: window(0, 3_600_000) }, 0)).ok,
    ).toBe(true);
  });

  it('keeps in-flight reservations across a window roll-over', async () => {
    const store = new LocalLimitStore();
    await store.reserveQuota('q', { limit: 100, cost: 70, window: window(0) }, 0);
    const next = await store.reserveQuota(
      'q',
      { limit: 100, cost: 40, window: window(0, 3_600_000) },
      3_600_000,
    );
    expect(next).toEqual({ ok: false, available: 30 });
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
