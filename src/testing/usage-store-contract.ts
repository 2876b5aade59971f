import { describe, expect, it } from 'vitest';
import type { UsageRecord } from '../store/usage-store.js';
import { newKey, type OpenHarness, useHarness } from './store-harness.js';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 1, 10, 0, 0);
const DAY = 86_400_000;

let seq = 0;
function rec(fields: Partial<UsageRecord> = {}): UsageRecord {
  seq += 1;
  return {
    request_id: `req_${seq}`,
    ts: T0,
    key_id: 'k1',
    route: '/v1/responses',
    model: 'gpt-5.5',
    provider: 'codex',
    account: 'acct-1',
    status: 200,
    stream: false,
    input_tokens: 100,
    cached_input_tokens: 40,
    output_tokens: 10,
    reasoning_tokens: 3,
    estimated: false,
    latency_ms: 200,
    ...fields,
  };
}

const plain = { history: false, windows: new Map<string, number>() };

/**
 * The behaviour every UsageStore implementation shares (totals, history, quota windows, balances,
 * atomic batches, concurrent writers): the same cases run against SQLite and PostgreSQL.
 *
 * @example
 * usageStoreContract('PgUsageStore', async () => openPgHarness(await server.createDatabase()));
 */
export function usageStoreContract(name: string, open: OpenHarness): void {
  describe(`${name} (usage store contract)`, () => {
    const h = useHarness(open);

    it('sums by key and by key × model × provider × account, counting errors and streams', async () => {
      const store = h().usage;
      await store.record(
        [
          rec({ stream: true, ttft_ms: 50, latency_ms: 300 }),
          rec({
            status: 500,
            input_tokens: 5,
            output_tokens: 0,
            cached_input_tokens: 0,
            reasoning_tokens: 0,
          }),
          rec({ status: 200, error_code: 'stream_error', model: 'gpt-5.5-mini', ts: T0 + H + 5 }),
          rec({ key_id: 'k2', provider: 'anthropic', model: 'claude-sonnet-4-5', account: '' }),
        ],
        plain,
      );
      const byKey = await store.totals({});
      expect(byKey).toEqual([
        {
          key_id: 'k1',
          requests: 3,
          errors: 2,
          streamed: 1,
          input_tokens: 205,
          cached_input_tokens: 80,
          output_tokens: 20,
          reasoning_tokens: 6,
          total_tokens: 225,
          latency_ms_avg: 233,
          first_ts: T0,
          last_ts: T0 + H,
        },
        expect.objectContaining({ key_id: 'k2', requests: 1, total_tokens: 110, errors: 0 }),
      ]);
      expect(byKey[1]).not.toHaveProperty('model');
      const byModel = await store.totals({ keyId: 'k1', groupBy: 'model' });
      expect(byModel.map((t) => [t.model, t.provider, t.account, t.requests, t.total_tokens])).toEqual([
        ['gpt-5.5', 'codex', 'acct-1', 2, 115],
        ['gpt-5.5-mini', 'codex', 'acct-1', 1, 110],
      ]);
    });

    it('orders keys by their text, byte by byte', async () => {
      await h().usage.record([rec({ key_id: 'b' }), rec({ key_id: 'B' }), rec({ key_id: 'a' })], plain);
      expect((await h().usage.totals({})).map((t) => t.key_id)).toEqual(['B', 'a', 'b']);
    });

    it('filters on the hour: since includes the hour it falls in, until the hours starting by then', async () => {
      const store = h().usage;
      await store.record([rec({ ts: T0 }), rec({ ts: T0 + H + 10 }), rec({ ts: T0 + 2 * H })], plain);
      const requests = async (since?: number, until?: number) =>
        (await store.totals({ since, until }))[0]?.requests ?? 0;
      expect(await requests(T0 + H + 30 * 60_000)).toBe(2);
      expect(await requests(undefined, T0 + H)).toBe(2);
      expect(await requests(T0 + 3 * H)).toBe(0);
    });

    it('clamps malformed figures instead of failing the batch', async () => {
      await h().usage.record([rec({ input_tokens: Number.NaN, output_tokens: -4, latency_ms: 1.7 })], plain);
      expect((await h().usage.totals({}))[0]).toMatchObject({
        input_tokens: 0,
        output_tokens: 0,
        latency_ms_avg: 1,
      });
    });

    it('keeps per-request rows only with history on, newest first, filtered and limited', async () => {
      const store = h().usage;
      await store.record([rec({ request_id: 'off' })], plain);
      expect(await store.requests({})).toEqual([]);
      const first = rec({ ts: T0 + 1, stream: true, ttft_ms: 20, error_code: 'aborted', estimated: true });
      const second = rec({ ts: T0 + 2 });
      await store.record([first, second, rec({ key_id: 'k2', ts: T0 + 3 })], { ...plain, history: true });
      expect(await store.requests({ keyId: 'k1' })).toEqual([second, first]);
      expect((await store.requests({ limit: 1 })).map((r) => r.key_id)).toEqual(['k2']);
      expect(await store.requests({ since: T0 + 2, until: T0 + 2 })).toEqual([second]);
      // Same time: the later record first.
      const [x, y] = [rec({ ts: T0 + 9, request_id: 'x' }), rec({ ts: T0 + 9, request_id: 'w' })];
      await store.record([x, y], { ...plain, history: true });
      expect((await store.requests({ limit: 2 })).map((r) => r.request_id)).toEqual(['w', 'x']);
    });

    it('counts a reused request id again (no quota dodging) but keeps its first history row', async () => {
      const store = h().usage;
      await store.record([rec({ request_id: 'same', output_tokens: 1 })], { ...plain, history: true });
      await store.record(
        [rec({ request_id: 'same', output_tokens: 2 }), rec({ request_id: 'same', output_tokens: 4 })],
        { ...plain, history: true },
      );
      expect((await store.totals({}))[0]).toMatchObject({ requests: 3, output_tokens: 7 });
      expect((await store.requests({})).map((r) => r.output_tokens)).toEqual([1]);
    });

    it('prunes rows older than a time', async () => {
      const store = h().usage;
      await store.record([rec({ ts: T0 - 2 * DAY }), rec({ ts: T0 })], { ...plain, history: true });
      expect(await store.prune(T0 - DAY)).toBe(1);
      expect((await store.requests({})).map((r) => r.ts)).toEqual([T0]);
      expect((await store.totals({}))[0]?.requests).toBe(2);
    });

    it('rolls a failed batch back entirely, so retrying it counts everything exactly once', async () => {
      const { usage: store, keys } = h();
      const undo = await h().failHistoryInsert('poison', 'disk full');
      await keys.insert(newKey('k1', { token_balance: 1000 }));
      const windows = new Map([['k1', DAY]]);
      const batch = [rec(), rec({ request_id: 'poison' })];
      await expect(store.record(batch, { history: true, windows })).rejects.toThrow('disk full');
      expect(await store.totals({})).toEqual([]);
      expect(await h().windowKeys()).toEqual([]);
      expect((await keys.get('k1'))?.token_balance).toBe(1000);
      await undo();
      await store.record(batch, { history: true, windows });
      expect((await store.totals({}))[0]).toMatchObject({ requests: 2, total_tokens: 220 });
      expect(await store.window('k1', DAY, T0)).toEqual({ key_id: 'k1', window_start: T0, tokens: 220 });
      expect((await keys.get('k1'))?.token_balance).toBe(780);
    });

    it('adds tokens to the windows of keys with a quota, rolling over on the start + k × window grid', async () => {
      const store = h().usage;
      const windows = new Map([['k1', DAY]]);
      await store.record([rec({ ts: T0 + 5 }), rec({ key_id: 'k2' })], { ...plain, windows });
      await store.record([rec({ ts: T0 + DAY - 1 })], { ...plain, windows });
      expect(await store.window('k1', DAY, T0 + 10)).toEqual({
        key_id: 'k1',
        window_start: T0 + 5,
        tokens: 220,
      });
      // Three windows later, in the middle of one: the window starts on the grid, not at the record.
      await store.record([rec({ ts: T0 + 5 + 3 * DAY + H }), rec({ ts: T0 + 6 })], { ...plain, windows });
      expect(await store.window('k1', DAY, T0 + 3 * DAY + 2 * H)).toEqual({
        key_id: 'k1',
        window_start: T0 + 5 + 3 * DAY,
        tokens: 110,
      });
      expect(await h().resets()).toEqual([{ key_id: 'k1', at: T0 + 5 + 3 * DAY, reason: 'window' }]);
      expect(await h().windowKeys()).toEqual(['k1']);
    });

    it('window() creates a window at now when absent and rolls it over once elapsed', async () => {
      const store = h().usage;
      expect(await store.window('k9', DAY, T0)).toEqual({ key_id: 'k9', window_start: T0, tokens: 0 });
      await store.record([rec({ key_id: 'k9', ts: T0 + H })], { ...plain, windows: new Map([['k9', DAY]]) });
      expect((await store.window('k9', DAY, T0 + DAY - 1)).tokens).toBe(110);
      expect(await store.window('k9', DAY, T0 + 2 * DAY + 7)).toEqual({
        key_id: 'k9',
        window_start: T0 + 2 * DAY,
        tokens: 0,
      });
      expect(await h().resets()).toEqual([{ key_id: 'k9', at: T0 + 2 * DAY, reason: 'window' }]);
    });

    it('reset starts a new window now for one key or every key, noting why', async () => {
      const store = h().usage;
      const windows = new Map([
        ['k1', DAY],
        ['k2', DAY],
      ]);
      await store.record([rec(), rec({ key_id: 'k2' })], { ...plain, windows });
      await store.reset('k1', T0 + H, 'manual');
      expect(await store.window('k1', DAY, T0 + H)).toEqual({
        key_id: 'k1',
        window_start: T0 + H,
        tokens: 0,
      });
      expect((await store.window('k2', DAY, T0 + H)).tokens).toBe(110);
      await store.reset(undefined, T0 + 2 * H, 'manual');
      expect((await store.window('k2', DAY, T0 + 2 * H)).tokens).toBe(0);
      await store.reset('k3', T0 + 3 * H, 'window');
      expect(await h().resets()).toEqual([
        { key_id: 'k1', at: T0 + H, reason: 'manual' },
        { key_id: 'k1', at: T0 + 2 * H, reason: 'manual' },
        { key_id: 'k2', at: T0 + 2 * H, reason: 'manual' },
        { key_id: 'k3', at: T0 + 3 * H, reason: 'window' },
      ]);
      expect((await store.totals({}))[0]?.requests).toBe(1);
    });

    it('deducts input + output tokens from keys that keep a balance, and only those', async () => {
      const { usage: store, keys } = h();
      await keys.insert(newKey('k1', { token_balance: 1000 }));
      await keys.insert(newKey('k2'));
      await store.record([rec(), rec(), rec({ key_id: 'k2' }), rec({ key_id: 'k3' })], plain);
      expect((await keys.get('k1'))?.token_balance).toBe(780);
      expect(await keys.get('k2')).not.toHaveProperty('token_balance');
    });

    it('two stores (two processes) land 50 parallel batches exactly: totals, window, balance', async () => {
      const { usage: store, keys } = h();
      const other = (await h().another()).usage;
      await keys.insert(newKey('k1', { token_balance: 20_000 }));
      const windows = new Map([['k1', DAY]]);
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        writes.push(
          (i % 2 ? store : other).record([rec({ ts: T0 + i }), rec({ ts: T0 + i })], { ...plain, windows }),
        );
      }
      await Promise.all(writes);
      expect((await other.totals({}))[0]).toMatchObject({ requests: 100, total_tokens: 11_000 });
      expect((await store.window('k1', DAY, T0 + 100)).tokens).toBe(11_000);
      expect((await keys.get('k1'))?.token_balance).toBe(9_000);
      await other.reset('k1', T0 + 200, 'manual');
      expect(await store.window('k1', DAY, T0 + 300)).toEqual({
        key_id: 'k1',
        window_start: T0 + 200,
        tokens: 0,
      });
    });
  });
}
