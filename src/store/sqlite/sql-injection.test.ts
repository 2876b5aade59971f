import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { openNodexDb } from './nodex-db.js';
import type { SqliteDb } from './open-sqlite.js';
import { SqliteKeyStore } from './sqlite-key-store.js';
import { SqliteUsageStore } from './sqlite-usage-store.js';

// Every value reaches SQLite as a bound parameter: text that would break a concatenated statement
// is stored and found back literally, and the schema is untouched.

const HOSTILE = [
  "x'); DROP TABLE api_keys; --",
  "' OR '1'='1",
  'k1" OR 1=1 --',
  "robert'); DELETE FROM usage_hourly; --",
  '\u0000null-byte',
];

let dir: ReturnType<typeof tempDir>;
let db: SqliteDb;
beforeEach(() => {
  dir = tempDir('nodex-sql-');
  db = openNodexDb(join(dir.path, 'nodex.db'));
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const tables = () =>
  (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{
      name: string;
    }>
  ).map((t) => t.name);

describe('SQL is parameterized', () => {
  it('stores and finds hostile ids, labels, hashes, models and key ids literally', async () => {
    const before = tables();
    const keys = new SqliteKeyStore(db);
    const usage = new SqliteUsageStore(db);
    for (const [i, text] of HOSTILE.entries()) {
      const id = `id${i}${text}`;
      await keys.insert({ id, label: text, hash: `h${i}${text}`, created_at: 1, policy: {}, byok: true });
      expect(await keys.get(id)).toMatchObject({ id, label: text });
      expect(await keys.findByHash(`h${i}${text}`)).toMatchObject({ id });
      await keys.update(id, { label: `${text}!` });
      await keys.addTokens(id, 5);
      await usage.record(
        [
          {
            request_id: `r${i}${text}`,
            ts: 1000,
            key_id: text,
            route: text,
            model: text,
            provider: text,
            account: text,
            status: 200,
            stream: false,
            input_tokens: 1,
            cached_input_tokens: 0,
            output_tokens: 1,
            reasoning_tokens: 0,
            estimated: false,
            latency_ms: 1,
          },
        ],
        { history: true, windows: new Map([[text, 60_000]]) },
      );
      expect(await usage.totals({ keyId: text, groupBy: 'model' })).toEqual([
        expect.objectContaining({ key_id: text, model: text, provider: text, account: text, requests: 1 }),
      ]);
      expect(await usage.requests({ keyId: text })).toHaveLength(1);
    }
    expect(await keys.get("' OR '1'='1")).toBeUndefined();
    expect(await keys.list()).toHaveLength(HOSTILE.length);
    expect(tables()).toEqual(before);
  });
});
