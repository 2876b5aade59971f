import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openNodexDb } from '../../store/sqlite/nodex-db.js';
import { SqliteUsageStore } from '../../store/sqlite/sqlite-usage-store.js';
import type {
  KeyWindow,
  RecordOptions,
  UsageRecord,
  UsageStore,
  UsageTotals,
} from '../../store/usage-store.js';
import { tempDir } from '../../testing/capture-io.js';
import { Meter, type MeterErrorInfo } from './meter.js';

const H = 3_600_000;
const DAY = 86_400_000;

let seq = 0;
function rec(fields: Partial<UsageRecord> = {}): UsageRecord {
  seq += 1;
  return {
    request_id: `req_${seq}`,
    ts: Date.UTC(2026, 10, 1),
    key_id: 'k1',
    route: '/v1/chat/completions',
    model: 'gpt-5.5',
    provider: 'codex',
    account: '',
    status: 200,
    stream: true,
    input_tokens: 10,
    cached_input_tokens: 0,
    output_tokens: 5,
    reasoning_tokens: 0,
    estimated: false,
    latency_ms: 100,
    ...fields,
  };
}

/** Records batches; can be told to fail, or to hold a write until released. */
class FakeStore implements UsageStore {
  readonly batches: UsageRecord[][] = [];
  readonly options: RecordOptions[] = [];
  readonly prunes: number[] = [];
  failures = 0;
  pruneFails = false;
  active = 0;
  maxActive = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  entered: (() => void) | undefined;

  hold(): () => void {
    this.gate = new Promise((resolve) => {
      this.open = resolve;
    });
    return () => {
      this.gate = undefined;
      this.open?.();
    };
  }

  async record(records: readonly UsageRecord[], options: RecordOptions): Promise<void> {
    this.active += 1;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      this.entered?.();
      if (this.gate !== undefined) await this.gate;
      if (this.failures > 0) {
        this.failures -= 1;
        throw new Error('database is locked');
      }
      this.batches.push([...records]);
      this.options.push(options);
    } finally {
      this.active -= 1;
    }
  }
  async totals(): Promise<UsageTotals[]> {
    return [];
  }
  async requests(): Promise<UsageRecord[]> {
    return [];
  }
  async window(keyId: string): Promise<KeyWindow> {
    return { key_id: keyId, window_start: 0, tokens: 0 };
  }
  async reset(): Promise<void> {}
  async prune(before: number): Promise<number> {
    this.prunes.push(before);
    if (this.pruneFails) throw new Error('prune failed');
    return 0;
  }
}

const noWindows = () => new Map<string, number>();

describe('Meter batching', () => {
  it('commits every record of one turn in one transaction and resolves each only after it', async () => {
    const store = new FakeStore();
    const asked: string[][] = [];
    const meter = new Meter({
      store,
      history: true,
      windowsFor: (ids) => {
        asked.push([...ids]);
        return new Map([['k1', DAY]]);
      },
    });
    const records = [rec(), rec({ key_id: 'k2' }), rec()];
    const order: string[] = [];
    const done = records.map((r) => meter.record(r).then(() => order.push(r.request_id)));
    expect(meter.stats()).toEqual({ queued: 3, committed: 0, flushes: 0, failedFlushes: 0 });
    await Promise.all(done);
    expect(store.batches).toEqual([records]);
    expect(order).toEqual(records.map((r) => r.request_id));
    expect(asked).toEqual([['k1', 'k2']]);
    expect(store.options).toEqual([{ history: true, windows: new Map([['k1', DAY]]) }]);
    expect(meter.stats()).toEqual({ queued: 0, committed: 3, flushes: 1, failedFlushes: 0 });
  });

  it('flushes at maxBatch without waiting for the turn to end, keeping the order', async () => {
    const store = new FakeStore();
    const meter = new Meter({ store, history: false, windowsFor: noWindows, maxBatch: 3 });
    const records = Array.from({ length: 7 }, () => rec());
    await Promise.all(records.map((r) => meter.record(r)));
    expect(store.batches.map((b) => b.length)).toEqual([3, 3, 1]);
    expect(store.batches.flat()).toEqual(records);
  });

  it('runs one transaction at a time; what arrives meanwhile forms the next batch', async () => {
    const store = new FakeStore();
    const release = store.hold();
    const entered = new Promise<void>((resolve) => {
      store.entered = resolve;
    });
    const meter = new Meter({ store, history: false, windowsFor: noWindows });
    const a = rec();
    let aDone = false;
    const first = meter.record(a).then(() => {
      aDone = true;
    });
    await entered;
    store.entered = undefined;
    const rest = [rec(), rec()];
    const later = rest.map((r) => meter.record(r));
    await new Promise((resolve) => setImmediate(resolve));
    expect(aDone).toBe(false);
    expect(store.active).toBe(1);
    release();
    await Promise.all([first, ...later]);
    expect(store.maxActive).toBe(1);
    expect(store.batches).toEqual([[a], rest]);
  });
});

describe('Meter failures', () => {
  it('keeps a failed batch queued, retries it with backoff and resolves only on commit', async () => {
    const store = new FakeStore();
    store.failures = 2;
    const errors: MeterErrorInfo[] = [];
    let resolved = 0;
    const meter = new Meter({
      store,
      history: false,
      windowsFor: noWindows,
      retry: { initialMs: 1, maxMs: 2 },
      onError: (_error, info) => {
        expect(resolved).toBe(0);
        expect(meter.stats().queued).toBe(2);
        errors.push(info);
      },
    });
    const records = [rec(), rec()];
    await Promise.all(records.map((r) => meter.record(r).then(() => (resolved += 1))));
    expect(errors).toEqual([
      { during: 'flush', records: 2, attempt: 1, retryInMs: 1 },
      { during: 'flush', records: 2, attempt: 2, retryInMs: 2 },
    ]);
    expect(store.batches).toEqual([records]);
    expect(meter.stats()).toEqual({ queued: 0, committed: 2, flushes: 1, failedFlushes: 2 });
  });

  it('treats a failing windowsFor like a failing store', async () => {
    const store = new FakeStore();
    let calls = 0;
    const meter = new Meter({
      store,
      history: false,
      retry: { initialMs: 1, maxMs: 1 },
      windowsFor: () => {
        calls += 1;
        if (calls === 1) throw new Error('key store down');
        return new Map();
      },
    });
    await meter.record(rec());
    expect(store.batches).toHaveLength(1);
    expect(meter.stats().failedFlushes).toBe(1);
  });

  it('close flushes what is queued, skipping a pending backoff, then refuses records', async () => {
    const store = new FakeStore();
    store.failures = 1;
    let failed: () => void = () => undefined;
    const firstFailure = new Promise<void>((resolve) => {
      failed = resolve;
    });
    const meter = new Meter({
      store,
      history: false,
      windowsFor: noWindows,
      retry: { initialMs: 600_000, maxMs: 600_000 },
      onError: () => failed(),
    });
    const pending = meter.record(rec());
    await firstFailure;
    expect(meter.stats()).toMatchObject({ queued: 1, failedFlushes: 1 });
    const queuedLater = meter.record(rec());
    await meter.close();
    await pending;
    await queuedLater;
    expect(store.batches.flat()).toHaveLength(2);
    await expect(meter.record(rec())).rejects.toThrow('closed');
    await meter.close();
  });
});

describe('Meter retention', () => {
  it('prunes history at most hourly after a commit, and never with history off', async () => {
    const store = new FakeStore();
    let now = Date.UTC(2026, 10, 1);
    const meter = new Meter({
      store,
      history: true,
      windowsFor: noWindows,
      retentionMs: DAY,
      clock: () => now,
    });
    await meter.record(rec());
    await meter.record(rec());
    now += H;
    await meter.record(rec());
    expect(store.prunes).toEqual([now - H - DAY, now - DAY]);

    const off = new FakeStore();
    const quiet = new Meter({ store: off, history: false, windowsFor: noWindows, retentionMs: DAY });
    await quiet.record(rec());
    expect(off.prunes).toEqual([]);
  });

  it('reports a failed prune without holding up records', async () => {
    const store = new FakeStore();
    store.pruneFails = true;
    const errors: MeterErrorInfo[] = [];
    const meter = new Meter({
      store,
      history: true,
      windowsFor: noWindows,
      retentionMs: DAY,
      onError: (_error, info) => errors.push(info),
    });
    await meter.record(rec());
    await meter.record(rec());
    expect(errors).toEqual([{ during: 'prune', records: 0, attempt: 1 }]);
    expect(store.batches).toHaveLength(2);
  });
});

describe('Meter over SQLite', () => {
  it('thousands of concurrent records: the totals equal the sum of what was recorded', async () => {
    const dir = tempDir();
    const db = openNodexDb(join(dir.path, 'nodex.db'));
    try {
      const store = new SqliteUsageStore(db);
      const meter = new Meter({ store, history: true, windowsFor: () => new Map([['k0', DAY]]) });
      const expected = new Map<string, number>();
      const records = Array.from({ length: 5000 }, (_, i) => {
        const r = rec({ key_id: `k${i % 4}`, input_tokens: i % 97, output_tokens: i % 13 });
        expected.set(r.key_id, (expected.get(r.key_id) ?? 0) + r.input_tokens + r.output_tokens);
        return r;
      });
      await Promise.all(records.map((r) => meter.record(r)));
      const totals = await store.totals({});
      expect(new Map(totals.map((t) => [t.key_id, t.total_tokens]))).toEqual(expected);
      expect(totals.reduce((sum, t) => sum + t.requests, 0)).toBe(5000);
      expect((await store.window('k0', DAY, records[0]?.ts ?? 0)).tokens).toBe(expected.get('k0'));
      expect((await store.requests({ limit: 10_000 })).length).toBe(5000);
      expect(meter.stats()).toMatchObject({ queued: 0, committed: 5000, failedFlushes: 0 });
      expect(meter.stats().flushes).toBeGreaterThanOrEqual(10);
      await meter.close();
    } finally {
      db.close();
      dir.cleanup();
    }
  });
});
