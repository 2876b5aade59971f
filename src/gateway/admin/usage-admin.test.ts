import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { openNodexDb } from '../../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../../store/sqlite/open-sqlite.js';
import { SqliteUsageStore } from '../../store/sqlite/sqlite-usage-store.js';
import type { UsageRecord } from '../../store/usage-store.js';
import { tempDir } from '../../testing/capture-io.js';
import { type KeyQuota, LocalUsageApi } from './usage-admin.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1, 12);

let dir: ReturnType<typeof tempDir>;
let db: SqliteDb;
let store: SqliteUsageStore;
let now = T0;
const quotas = new Map<string, KeyQuota | undefined>([
  ['k1', { tokens: 1000, window: DAY }],
  ['k2', undefined],
]);
const quotaOf = (id: string) => {
  if (!quotas.has(id)) throw new NodexError('not_found', `no key ${id}`);
  return quotas.get(id);
};

beforeEach(() => {
  dir = tempDir();
  db = openNodexDb(join(dir.path, 'nodex.db'));
  store = new SqliteUsageStore(db);
  now = T0;
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

function rec(id: string, fields: Partial<UsageRecord> = {}): UsageRecord {
  return {
    request_id: id,
    ts: T0,
    key_id: 'k1',
    route: '/v1/messages',
    model: 'claude-sonnet-4-5',
    provider: 'anthropic',
    account: 'a@example.com',
    status: 200,
    stream: true,
    input_tokens: 30,
    cached_input_tokens: 10,
    output_tokens: 20,
    reasoning_tokens: 0,
    estimated: false,
    latency_ms: 900,
    ttft_ms: 120,
    ...fields,
  };
}

async function seed(history: boolean) {
  const windows = new Map([['k1', DAY]]);
  const records = [
    rec('r1'),
    rec('r2', { ts: T0 + 1, model: 'claude-haiku-4-5' }),
    rec('r3', { key_id: 'k2' }),
  ];
  await store.record(records, { history, windows });
  return records;
}

describe('LocalUsageApi', () => {
  it('lists totals per key (or finer when asked)', async () => {
    await seed(false);
    const api = new LocalUsageApi(store, quotaOf, () => now);
    expect((await api.list({})).map((t) => [t.key_id, t.requests, t.total_tokens])).toEqual([
      ['k1', 2, 100],
      ['k2', 1, 50],
    ]);
    expect((await api.list({ groupBy: 'model' })).map((t) => t.model)).toEqual([
      'claude-haiku-4-5',
      'claude-sonnet-4-5',
      'claude-sonnet-4-5',
    ]);
  });

  it('shows a key by model, its quota window with limit, and recent requests', async () => {
    const records = await seed(true);
    now = T0 + 60_000;
    const api = new LocalUsageApi(store, quotaOf, () => now, { recentRequests: 1 });
    const shown = await api.show('k1', {});
    expect(shown.key_id).toBe('k1');
    expect(shown.totals.map((t) => [t.model, t.provider, t.account, t.requests])).toEqual([
      ['claude-haiku-4-5', 'anthropic', 'a@example.com', 1],
      ['claude-sonnet-4-5', 'anthropic', 'a@example.com', 1],
    ]);
    expect(shown.window).toEqual({
      key_id: 'k1',
      window_start: T0,
      tokens: 100,
      limit: 1000,
      window_ms: DAY,
    });
    expect(shown.requests).toEqual([records[1]]);
    expect(await api.show('k1', { since: T0 + 3_600_000 })).toMatchObject({ totals: [], requests: [] });
  });

  it('shows no window for a key without a quota, and rejects an unknown key', async () => {
    await seed(false);
    const api = new LocalUsageApi(store, quotaOf, () => now);
    const shown = await api.show('k2', {});
    expect(shown).not.toHaveProperty('window');
    expect(shown.requests).toEqual([]);
    expect(shown.totals).toHaveLength(1);
    await expect(api.show('nope', {})).rejects.toMatchObject({ code: 'not_found' });
    await expect(api.reset('nope')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('reset starts a new window now (manual) and keeps the totals', async () => {
    await seed(false);
    const api = new LocalUsageApi(store, quotaOf, () => now);
    now = T0 + 5000;
    await api.reset('k1');
    expect((await api.show('k1', {})).window).toMatchObject({ window_start: T0 + 5000, tokens: 0 });
    expect((await api.list({}))[0]?.total_tokens).toBe(100);
    now = T0 + 9000;
    await api.reset();
    const reasons = db.prepare('SELECT key_id, at, reason FROM usage_resets ORDER BY rowid').all();
    expect(reasons).toEqual([
      { key_id: 'k1', at: T0 + 5000, reason: 'manual' },
      { key_id: 'k1', at: T0 + 9000, reason: 'manual' },
    ]);
  });
});
