import { describe, expect, it } from 'vitest';
import type { KeyPolicy } from '../../config/schema.js';
import { NodexError } from '../../core/errors.js';
import type { LimitStore } from '../../store/limit-store.js';
import { LocalLimitStore } from '../../store/local/local-limit-store.js';
import { LimitDeniedError, Limiter, limitHeaders } from './limiter.js';

const caller = (policy: KeyPolicy, keyId = 'k1') => ({ keyId, policy });
const noUsage = async () => ({ window_start: 0, tokens: 0 });

function setup(store: LimitStore = new LocalLimitStore()) {
  const clock = { t: 0 };
  const errors: unknown[] = [];
  const limiter = new Limiter({
    store,
    committedTokens: noUsage,
    now: () => clock.t,
    onError: (error) => errors.push(error),
  });
  return { limiter, clock, errors };
}

async function outcome<T>(promise: Promise<T>): Promise<T | NodexError> {
  try {
    return await promise;
  } catch (error) {
    if (NodexError.isInstance(error)) return error;
    throw error;
  }
}

/** A store whose every call fails, counting the calls. */
class BrokenStore implements LimitStore {
  calls = 0;
  #fail(): Promise<never> {
    this.calls++;
    return Promise.reject(new Error('ECONNREFUSED redis://:secret@10.0.0.9:6379'));
  }
  take = () => this.#fail();
  adjust = () => this.#fail();
  reserveQuota = () => this.#fail();
  releaseQuota = () => this.#fail();
}

describe('Limiter.admitRequest', () => {
  it('lets exactly rpm of 200 concurrent requests through and tells the rest when one fits', async () => {
    // Calls reach the store in a shuffled order, as they would a remote one.
    const local = new LocalLimitStore();
    let calls = 0;
    const { limiter } = setup({
      take: async (...args) => {
        for (let i = (calls++ * 7) % 5; i > 0; i--) await Promise.resolve();
        return local.take(...args);
      },
      adjust: (...args) => local.adjust(...args),
      reserveQuota: (...args) => local.reserveQuota(...args),
      releaseQuota: (...args) => local.releaseQuota(...args),
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, () => outcome(limiter.admitRequest(caller({ rpm: 50 })))),
    );
    const denied = results.filter((r) => r instanceof NodexError);
    expect(results.length - denied.length).toBe(50);
    expect(denied).toHaveLength(150);
    for (const error of denied) {
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterMs: 1200 });
    }
    expect(limitHeaders(denied[0])).toEqual({
      'x-ratelimit-limit-requests': '50',
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-reset-requests': '1m0s',
      'retry-after': '2',
      'retry-after-ms': '1200',
    });
  });

  it('refills continuously: one more request fits 1.2 s later at 50 rpm', async () => {
    const { limiter, clock } = setup();
    for (let i = 0; i < 50; i++) await limiter.admitRequest(caller({ rpm: 50 }));
    clock.t = 1199;
    await expect(limiter.admitRequest(caller({ rpm: 50 }))).rejects.toMatchObject({ retryAfterMs: 1 });
    clock.t = 1200;
    const admission = await limiter.admitRequest(caller({ rpm: 50 }));
    expect(admission.headers()).toMatchObject({ 'x-ratelimit-remaining-requests': '0' });
  });

  it('sends OpenAI headers on every admission', async () => {
    const { limiter } = setup();
    const admission = await limiter.admitRequest(caller({ rpm: 60 }));
    expect(admission.limited).toBe(true);
    expect(admission.headers()).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
  });

  it('keeps keys apart', async () => {
    const { limiter } = setup();
    await limiter.admitRequest(caller({ rpm: 1 }, 'a'));
    await expect(limiter.admitRequest(caller({ rpm: 1 }, 'a'))).rejects.toBeInstanceOf(LimitDeniedError);
    await expect(limiter.admitRequest(caller({ rpm: 1 }, 'b'))).resolves.toMatchObject({ limited: true });
  });

  it('applies a changed rpm on the next request', async () => {
    const { limiter } = setup();
    await limiter.admitRequest(caller({ rpm: 1 }));
    await expect(limiter.admitRequest(caller({ rpm: 1 }))).rejects.toMatchObject({ code: 'rate_limited' });
    const raised = await limiter.admitRequest(caller({ rpm: 3 }));
    expect(raised.headers()['x-ratelimit-limit-requests']).toBe('3');
    await limiter.admitRequest(caller({ rpm: 3 }));
    await limiter.admitRequest(caller({ rpm: 3 }));
    await expect(limiter.admitRequest(caller({ rpm: 3 }))).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('Limiter fails closed', () => {
  it('refuses limited keys with limits_unavailable (503) when the store fails, without leaking its error', async () => {
    const store = new BrokenStore();
    const { limiter } = setup(store);
    const rpm = await outcome(limiter.admitRequest(caller({ rpm: 10 })));
    expect(rpm).toMatchObject({ code: 'limits_unavailable', status: 503 });
    expect(rpm instanceof NodexError && rpm.message).not.toContain('secret');
    await expect(limiter.reserveTokens(caller({ tpm: 10 }), 5)).rejects.toMatchObject({
      code: 'limits_unavailable',
    });
    await expect(
      limiter.reserveTokens(caller({ quota: { tokens: 100, window: 60_000 } }), 5),
    ).rejects.toMatchObject({ code: 'limits_unavailable' });
    expect(store.calls).toBe(3);
  });

  it('refuses when the usage store fails, giving the tpm tokens back', async () => {
    const store = new LocalLimitStore();
    const limiter = new Limiter({
      store,
      committedTokens: () => Promise.reject(new Error('SQLITE_BUSY')),
    });
    const policy = { tpm: 100, quota: { tokens: 1000, window: 60_000 } };
    await expect(limiter.reserveTokens(caller(policy), 100)).rejects.toMatchObject({
      code: 'limits_unavailable',
    });
    const tpmOnly = await limiter.reserveTokens(caller({ tpm: 100 }), 100);
    expect(tpmOnly.headers()['x-ratelimit-remaining-tokens']).toBe('0');
  });

  it('never touches the store for keys without limits', async () => {
    const store = new BrokenStore();
    const limiter = new Limiter({ store, committedTokens: () => Promise.reject(new Error('down')) });
    const admission = await limiter.admitRequest(caller({ models: ['gpt-*'] }));
    expect(admission).toMatchObject({ limited: false });
    expect(admission.headers()).toEqual({});
    const reservation = await limiter.reserveTokens(caller({}), 1_000_000);
    expect(reservation.headers()).toEqual({});
    await reservation.settle(5);
    await reservation.committed();
    await reservation.release();
    expect(store.calls).toBe(0);
  });

  it('never fails a request while settling or releasing; the error goes to onError', async () => {
    const local = new LocalLimitStore();
    const flaky: LimitStore = {
      take: (...args) => local.take(...args),
      reserveQuota: (...args) => local.reserveQuota(...args),
      adjust: () => Promise.reject(new Error('down')),
      releaseQuota: () => Promise.reject(new Error('down')),
    };
    const { limiter, errors } = setup(flaky);
    const policy = { tpm: 100, quota: { tokens: 1000, window: 60_000 } };
    const settled = await limiter.reserveTokens(caller(policy), 50);
    await expect(settled.settle(10)).resolves.toBeUndefined();
    await expect(settled.committed()).resolves.toBeUndefined();
    const released = await limiter.reserveTokens(caller(policy), 50);
    await expect(released.release()).resolves.toBeUndefined();
    expect(errors).toHaveLength(4);
  });

  it('rejects a malformed estimate as a bug, not as a limit', async () => {
    const { limiter } = setup();
    await expect(limiter.reserveTokens(caller({ tpm: 10 }), Number.NaN)).rejects.toThrow(RangeError);
    await expect(limiter.reserveTokens(caller({ tpm: 10 }), -1)).rejects.toThrow(RangeError);
  });
});
