import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LimitStore } from '../store/limit-store.js';

/** One LimitStore on fresh, empty state, and a way to reach the same state as another instance would. */
export interface LimitStoreHarness {
  readonly store: LimitStore;
  /**
   * Another store over the same state, on its own connection (another gateway instance). An
   * in-process store has no such thing and returns itself.
   */
  another(): Promise<LimitStore>;
  close(): Promise<void>;
}

export type OpenLimitStore = () => Promise<LimitStoreHarness>;

const rpm50 = { capacity: 50, periodMs: 60_000 };
const window = (committed: number, start = 0) => ({ start, length: 3_600_000, committed });

/**
 * The behaviour every LimitStore implementation shares (the interface's semantics, to the
 * millisecond, and atomicity under concurrent calls): the same cases run against LocalLimitStore
 * and RedisLimitStore. Call it at the top level of a test file with a function opening fresh state.
 *
 * @example
 * limitStoreContract('LocalLimitStore', async () => {
 *   const store = new LocalLimitStore();
 *   return { store, another: async () => store, close: async () => undefined };
 * });
 */
export function limitStoreContract(name: string, open: OpenLimitStore): void {
  describe(`${name} (limit store contract)`, () => {
    let harness: LimitStoreHarness | undefined;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });
    const h = (): LimitStoreHarness => {
      if (!harness) throw new Error('no harness: used outside a test');
      return harness;
    };

    it('starts full, takes all or nothing, and waits exactly until the cost fits', async () => {
      const { store } = h();
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

    it('keeps exact integer waits at real clock values', async () => {
      const { store } = h();
      const now = Date.UTC(2100, 0, 1) + 123;
      for (let i = 0; i < 50; i++) await store.take('b', rpm50, 1, now);
      expect(await store.take('b', rpm50, 1, now + 1)).toMatchObject({ ok: false, retryAfterMs: 1199 });
      expect((await store.take('b', rpm50, 1, now + 1199)).ok).toBe(false);
      expect((await store.take('b', rpm50, 1, now + 1200)).ok).toBe(true);
    });

    it('refills continuously and never above capacity', async () => {
      const { store } = h();
      const tpm = { capacity: 1000, periodMs: 60_000 };
      expect(await store.take('t', tpm, 900, 0)).toMatchObject({ ok: true, remaining: 100 });
      expect(await store.take('t', tpm, 400, 0)).toMatchObject({
        ok: false,
        remaining: 100,
        retryAfterMs: 18_000,
      });
      expect(await store.take('t', tpm, 400, 18_000)).toMatchObject({ ok: true, remaining: 0 });
      expect(await store.take('t', tpm, 0, 10 * 60_000)).toMatchObject({
        ok: true,
        remaining: 1000,
        resetMs: 0,
      });
    });

    it('says a cost above the capacity never fits', async () => {
      const result = await h().store.take('b', rpm50, 51, 0);
      expect(result.ok).toBe(false);
      expect(result.retryAfterMs).toBe(Number.POSITIVE_INFINITY);
      expect(result.remaining).toBe(50);
    });

    it('adjust gives back up to the capacity and takes more into debt', async () => {
      const { store } = h();
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
      const { store } = h();
      for (let i = 0; i < 50; i++) await store.take('b', rpm50, 1, 10_000);
      expect((await store.take('b', rpm50, 1, 5_000)).ok).toBe(false);
      expect((await store.take('b', rpm50, 1, 11_199)).ok).toBe(false);
      expect((await store.take('b', rpm50, 1, 11_200)).ok).toBe(true);
    });

    it('keeps names apart', async () => {
      const { store } = h();
      await store.take('a', rpm50, 50, 0);
      expect((await store.take('a', rpm50, 1, 0)).ok).toBe(false);
      expect(await store.take('b', rpm50, 1, 0)).toMatchObject({ ok: true, remaining: 49 });
      expect((await store.reserveQuota('a', { limit: 10, cost: 10, window: window(0) }, 0)).ok).toBe(true);
      expect((await store.reserveQuota('b', { limit: 10, cost: 10, window: window(0) }, 0)).ok).toBe(true);
    });

    it('rejects malformed costs and specs instead of corrupting a bucket', async () => {
      const { store } = h();
      await expect(store.take('b', rpm50, 1.5, 0)).rejects.toThrow(RangeError);
      await expect(store.take('b', rpm50, -1, 0)).rejects.toThrow(RangeError);
      await expect(store.take('b', { capacity: 0, periodMs: 1 }, 1, 0)).rejects.toThrow(RangeError);
      await expect(store.adjust('b', rpm50, Number.NaN, 0)).rejects.toThrow(RangeError);
      await expect(store.reserveQuota('q', { limit: 1, cost: -1, window: window(0) }, 0)).rejects.toThrow(
        RangeError,
      );
      expect(await store.take('b', rpm50, 1, 0)).toMatchObject({ ok: true, remaining: 49 });
    });

    it('takes exactly the capacity when 200 takes race, on one store and across three', async () => {
      const { store } = h();
      const one = await Promise.all(Array.from({ length: 200 }, () => store.take('one', rpm50, 1, 0)));
      expect(one.filter((r) => r.ok)).toHaveLength(50);
      const stores = [store, await h().another(), await h().another()];
      const three = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (stores[i % 3] as LimitStore).take('three', rpm50, 1, 0)),
      );
      expect(three.filter((r) => r.ok)).toHaveLength(50);
      expect(three.filter((r) => !r.ok).every((r) => r.retryAfterMs >= 1200)).toBe(true);
      expect(await stores[1]?.take('three', rpm50, 0, 0)).toMatchObject({ remaining: 0 });
    });

    it('loses no adjustment when they race across instances', async () => {
      const stores = [h().store, await h().another(), await h().another()];
      const tpm = { capacity: 1000, periodMs: 60_000 };
      await Promise.all(Array.from({ length: 300 }, (_, i) => stores[i % 3]?.adjust('t', tpm, 2, 0)));
      expect(await stores[0]?.adjust('t', tpm, 0, 0)).toEqual({ remaining: 400, resetMs: 36_000 });
    });
  });

  describe(`${name} (limit store contract: quotas)`, () => {
    let harness: LimitStoreHarness | undefined;
    beforeEach(async () => {
      harness = await open();
    });
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });
    const store = (): LimitStore => {
      if (!harness) throw new Error('no harness: used outside a test');
      return harness.store;
    };

    it('holds reservations until released and refuses what does not fit', async () => {
      const s = store();
      expect(await s.reserveQuota('q', { limit: 100, cost: 60, window: window(10) }, 0)).toEqual({
        ok: true,
        available: 30,
      });
      expect(await s.reserveQuota('q', { limit: 100, cost: 31, window: window(10) }, 0)).toEqual({
        ok: false,
        available: 30,
      });
      await s.releaseQuota('q', 60, 0);
      expect((await s.reserveQuota('q', { limit: 100, cost: 90, window: window(10) }, 0)).ok).toBe(true);
    });

    it('keeps the largest committed figure of the latest window, so a stale read still counts released usage', async () => {
      const s = store();
      expect((await s.reserveQuota('q', { limit: 100, cost: 50, window: window(0) }, 0)).ok).toBe(true);
      // That request used 50; the usage store now says 50, and the reservation goes.
      await s.releaseQuota('q', 50, 0, window(50));
      // Another request read committed = 0 before the commit: the store still counts the 50.
      expect(await s.reserveQuota('q', { limit: 100, cost: 60, window: window(0) }, 0)).toEqual({
        ok: false,
        available: 50,
      });
      // An older window's figure is ignored; a newer window replaces it.
      expect((await s.reserveQuota('q', { limit: 100, cost: 60, window: window(0, -5) }, 0)).ok).toBe(false);
      expect((await s.reserveQuota('q', { limit: 100, cost: 60, window: window(0, 3_600_000) }, 0)).ok).toBe(
        true,
      );
    });

    it('keeps in-flight reservations across a window roll-over', async () => {
      const s = store();
      await s.reserveQuota('q', { limit: 100, cost: 70, window: window(0) }, 0);
      const next = await s.reserveQuota(
        'q',
        { limit: 100, cost: 40, window: window(0, 3_600_000) },
        3_600_000,
      );
      expect(next).toEqual({ ok: false, available: 30 });
    });

    it('never lets in flight drop below zero, and a release of an unknown name is a no-op', async () => {
      const s = store();
      await s.releaseQuota('nobody', 5, 0);
      await s.reserveQuota('q', { limit: 100, cost: 10, window: window(0) }, 0);
      await s.releaseQuota('q', 50, 0);
      expect(await s.reserveQuota('q', { limit: 100, cost: 100, window: window(0) }, 0)).toEqual({
        ok: true,
        available: 0,
      });
    });

    it('holds exactly the limit when 200 reservations race across three instances', async () => {
      const stores = [store(), await harness?.another(), await harness?.another()] as LimitStore[];
      const request = { limit: 50, cost: 1, window: window(0) };
      const results = await Promise.all(
        Array.from({ length: 200 }, (_, i) => (stores[i % 3] as LimitStore).reserveQuota('q', request, 0)),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(50);
      await Promise.all(Array.from({ length: 50 }, (_, i) => stores[i % 3]?.releaseQuota('q', 1, 0)));
      expect(await stores[2]?.reserveQuota('q', { ...request, cost: 50 }, 0)).toEqual({
        ok: true,
        available: 0,
      });
    });
  });
}
