import { describe, expect, it } from 'vitest';
import type { KeyPolicy } from '../../config/schema.js';
import { NodexError } from '../../core/errors.js';
import type { LimitStore } from '../../store/limit-store.js';
import { LocalLimitStore } from '../../store/local/local-limit-store.js';
import { type CommittedTokens, Limiter } from './limiter.js';

const caller = (policy: KeyPolicy) => ({ keyId: 'k1', policy });
const HOUR = 3_600_000;

/** A seeded generator, so the interleavings below are the same on every run. */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state % n;
  };
}

async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await Promise.resolve();
}

/** The local store behind random delays, as a remote store would be. */
function jittery(store: LimitStore, next: (n: number) => number): LimitStore {
  return {
    async take(...args) {
      await ticks(next(5));
      return store.take(...args);
    },
    async adjust(...args) {
      await ticks(next(5));
      return store.adjust(...args);
    },
    async reserveQuota(...args) {
      await ticks(next(5));
      return store.reserveQuota(...args);
    },
    async releaseQuota(...args) {
      await ticks(next(5));
      return store.releaseQuota(...args);
    },
  };
}

function setup(options: { committedTokens?: CommittedTokens; store?: LimitStore } = {}) {
  const clock = { t: 0 };
  const usage = { start: 0, tokens: 0 };
  const committedTokens: CommittedTokens =
    options.committedTokens ?? (async () => ({ window_start: usage.start, tokens: usage.tokens }));
  const limiter = new Limiter({
    store: options.store ?? new LocalLimitStore(),
    committedTokens,
    now: () => clock.t,
  });
  return { limiter, clock, usage };
}

describe('Limiter.reserveTokens: tpm', () => {
  it('reserves the estimate, refuses what does not fit and settles with the real usage', async () => {
    const { limiter } = setup();
    const first = await limiter.reserveTokens(caller({ tpm: 1000 }), 599.2);
    expect(first.tokens).toBe(600);
    expect(first.headers()).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '400',
      'x-ratelimit-reset-tokens': '36s',
    });
    await expect(limiter.reserveTokens(caller({ tpm: 1000 }), 600)).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: 12_000,
    });
    await first.settle(100); // 500 back
    const second = await limiter.reserveTokens(caller({ tpm: 1000 }), 600);
    await second.settle(1500); // 900 more: 600 in debt
    await expect(limiter.reserveTokens(caller({ tpm: 1000 }), 1)).rejects.toMatchObject({
      retryAfterMs: 36_060,
    });
  });

  it('takes at most the capacity, so a request bigger than tpm passes on a full bucket', async () => {
    const { limiter } = setup();
    const big = await limiter.reserveTokens(caller({ tpm: 1000 }), 5000);
    expect(big.headers()['x-ratelimit-remaining-tokens']).toBe('0');
    await expect(limiter.reserveTokens(caller({ tpm: 1000 }), 5000)).rejects.toMatchObject({
      retryAfterMs: 60_000,
    });
  });

  it('applies a changed tpm on the next request', async () => {
    const { limiter } = setup();
    await limiter.reserveTokens(caller({ tpm: 100 }), 100);
    await expect(limiter.reserveTokens(caller({ tpm: 100 }), 1)).rejects.toMatchObject({
      code: 'rate_limited',
    });
    await expect(limiter.reserveTokens(caller({ tpm: 500 }), 400)).resolves.toMatchObject({ tokens: 400 });
  });
});

describe('Limiter.reserveTokens: quota', () => {
  it('counts committed + in flight + estimate against the quota and retries at the window end', async () => {
    const { limiter, clock, usage } = setup();
    const policy = { quota: { tokens: 1000, window: HOUR } };
    usage.tokens = 700;
    clock.t = 1_000_000;
    const held = await limiter.reserveTokens(caller(policy), 200);
    const denied = await limiter.reserveTokens(caller(policy), 101).catch((error: unknown) => error);
    expect(denied).toMatchObject({ code: 'quota_exceeded', status: 429, retryAfterMs: HOUR - 1_000_000 });
    await held.release();
    await expect(limiter.reserveTokens(caller(policy), 300)).resolves.toMatchObject({ tokens: 300 });
  });

  it('is all or nothing: a quota refusal gives the tpm tokens back', async () => {
    const { limiter, usage } = setup();
    usage.tokens = 950;
    const policy = { tpm: 100, quota: { tokens: 1000, window: HOUR } };
    await expect(limiter.reserveTokens(caller(policy), 100)).rejects.toMatchObject({
      code: 'quota_exceeded',
    });
    const whole = await limiter.reserveTokens(caller({ tpm: 100 }), 100);
    expect(whole.headers()['x-ratelimit-remaining-tokens']).toBe('0');
  });

  it('refuses an estimate larger than the whole quota without a retry time', async () => {
    const { limiter } = setup();
    const error = await limiter
      .reserveTokens(caller({ quota: { tokens: 10, window: HOUR } }), 11)
      .catch((e) => e);
    expect(error).toMatchObject({ code: 'quota_exceeded', retryAfterMs: undefined });
  });

  it('holds the reservation until committed(), and every call is idempotent', async () => {
    const { limiter, usage } = setup();
    const policy = { tpm: 1000, quota: { tokens: 1000, window: HOUR } };
    const a = await limiter.reserveTokens(caller(policy), 600);
    await a.settle(300);
    await a.settle(0); // ignored
    await expect(limiter.reserveTokens(caller(policy), 500)).rejects.toMatchObject({
      code: 'quota_exceeded',
    });
    usage.tokens += 300; // the metering write
    await a.committed();
    await a.committed();
    await a.release(); // too late: ignored
    const b = await limiter.reserveTokens(caller(policy), 700);
    await b.release();
    await b.release(); // gives back once only
    const c = await limiter.reserveTokens(caller(policy), 700);
    expect(c.headers()['x-ratelimit-remaining-tokens']).toBe('0');
    await expect(limiter.reserveTokens(caller(policy), 1)).rejects.toMatchObject({ code: 'rate_limited' });
  });

  it('counts usage committed while another request was reading the committed total', async () => {
    let gate: Promise<void> | undefined;
    const usage = { tokens: 0 };
    const { limiter } = setup({
      committedTokens: async () => {
        const snapshot = usage.tokens;
        if (gate !== undefined) await gate;
        return { window_start: 0, tokens: snapshot };
      },
    });
    const policy = { quota: { tokens: 100, window: HOUR } };
    const a = await limiter.reserveTokens(caller(policy), 60);
    let open = () => {};
    gate = new Promise((resolve) => {
      open = resolve;
    });
    const b = limiter.reserveTokens(caller(policy), 50); // reads 0, then waits
    gate = undefined;
    await a.settle(60);
    usage.tokens = 60;
    await a.committed(); // releases the 60 held: only the committed total counts them now
    open();
    await expect(b).rejects.toMatchObject({ code: 'quota_exceeded' });
  });

  it('never lets committed + reserved exceed the quota under concurrency', async () => {
    const next = random(7);
    const { limiter, usage } = setup({ store: jittery(new LocalLimitStore(), next) });
    const quota = 5000;
    const policy = { tpm: 1_000_000, quota: { tokens: quota, window: HOUR } };
    let outstanding = 0;
    let peak = 0;
    const refusals: NodexError[] = [];
    const worker = async () => {
      for (let i = 0; i < 20; i++) {
        const estimate = 50 + next(200);
        const reservation = await limiter.reserveTokens(caller(policy), estimate).catch((error: unknown) => {
          if (NodexError.isInstance(error)) refusals.push(error);
          else throw error;
        });
        if (reservation === undefined) continue;
        outstanding += estimate;
        peak = Math.max(peak, usage.tokens + outstanding);
        expect(usage.tokens + outstanding).toBeLessThanOrEqual(quota);
        await ticks(next(10));
        const actual = next(estimate + 1);
        await reservation.settle(actual);
        usage.tokens += actual; // the metering write…
        outstanding -= estimate;
        await ticks(next(10));
        await reservation.committed(); // …then the reservation goes
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusals.every((error) => error.code === 'quota_exceeded')).toBe(true);
    expect(peak).toBeGreaterThan(quota * 0.8);
    expect(usage.tokens).toBeLessThanOrEqual(quota);
  });
});
