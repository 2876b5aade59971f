import { describe, expect, it } from 'vitest';
import { usePgHarness } from '../../testing/pg-store-harness.js';
import { usageStoreContract } from '../../testing/store-contract.js';
import { newKey } from '../../testing/store-harness.js';
import type { UsageRecord } from '../usage-store.js';

const open = usePgHarness();

// The cases every UsageStore passes (src/testing/usage-store-contract.ts), on a real PostgreSQL.
usageStoreContract('PgUsageStore', open);

const T0 = Date.UTC(2026, 10, 1, 10, 0, 0);
const DAY = 86_400_000;

function rec(i: number, fields: Partial<UsageRecord> = {}): UsageRecord {
  return {
    request_id: `r${i}`,
    ts: T0 + i,
    key_id: 'k1',
    route: '/v1/responses',
    model: 'm',
    provider: 'p',
    account: '',
    status: 200,
    stream: false,
    input_tokens: 3,
    cached_input_tokens: 0,
    output_tokens: 2,
    reasoning_tokens: 0,
    estimated: false,
    latency_ms: 1,
    ...fields,
  };
}

describe('PgUsageStore (PostgreSQL only)', () => {
  it('three instances writing overlapping batches at once stay exact (no lost update, no deadlock)', async () => {
    const h = await open();
    try {
      const stores = [h.usage, (await h.another()).usage, (await h.another()).usage];
      const keyIds = ['k1', 'k2', 'k3', 'k4'];
      for (const id of keyIds) await h.keys.insert(newKey(id, { token_balance: 1_000_000 }));
      const windows = new Map(keyIds.map((id) => [id, DAY]));
      // Each batch touches every key and model in a different order: the rows two batches share
      // are the same, the order they name them in is not.
      const batches = Array.from({ length: 60 }, (_, b) =>
        Array.from({ length: 8 }, (_, j) =>
          rec(b * 8 + j, { key_id: keyIds[(b + j) % 4], model: `m${(b * 3 + j) % 5}` }),
        ).reverse(),
      );
      const keyTouches = Array.from({ length: 30 }, (_, i) =>
        h.keys.touch(new Map(keyIds.map((id, j) => [keyIds[(i + j) % 4] ?? id, T0 + i]))),
      );
      await Promise.all([
        ...batches.map((batch, b) => stores[b % 3]?.record(batch, { history: true, windows })),
        ...keyTouches,
      ]);
      const totals = await h.usage.totals({});
      expect(totals.map((t) => [t.key_id, t.requests, t.total_tokens])).toEqual(
        keyIds.map((id) => [id, 120, 600]),
      );
      for (const id of keyIds) {
        expect((await h.keys.get(id))?.token_balance).toBe(1_000_000 - 600);
        expect(await h.usage.window(id, DAY, T0 + DAY - 1)).toMatchObject({
          window_start: expect.any(Number),
          tokens: 600,
        });
      }
      expect(await h.usage.requests({ limit: 1000 })).toHaveLength(480);
    } finally {
      await h.close();
    }
  }, 30_000);

  it('stores text PostgreSQL cannot hold with U+FFFD for U+0000, never failing the batch', async () => {
    const h = await open();
    try {
      await h.usage.record([rec(1, { model: 'gpt\u0000x', request_id: '\u0000' })], {
        history: true,
        windows: new Map(),
      });
      expect((await h.usage.totals({ groupBy: 'model' }))[0]?.model).toBe('gpt\uFFFDx');
      expect((await h.usage.requests({}))[0]?.request_id).toBe('\uFFFD');
    } finally {
      await h.close();
    }
  });

  it('keeps figures past 2^31 exact and clamps those past 2^53', async () => {
    const h = await open();
    try {
      const big = 2 ** 40;
      await h.usage.record([rec(1, { input_tokens: big, latency_ms: 2 ** 60 })], {
        history: true,
        windows: new Map([['k1', DAY]]),
      });
      expect((await h.usage.totals({}))[0]).toMatchObject({ input_tokens: big, total_tokens: big + 2 });
      expect((await h.usage.requests({}))[0]).toMatchObject({
        input_tokens: big,
        latency_ms: Number.MAX_SAFE_INTEGER,
      });
      expect((await h.usage.window('k1', DAY, T0 + 2)).tokens).toBe(big + 2);
    } finally {
      await h.close();
    }
  });
});
