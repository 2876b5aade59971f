import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqliteHarness } from '../../testing/sqlite-store-harness.js';
import { keyStoreContract } from '../../testing/store-contract.js';
import { newKey, type StoreHarness } from '../../testing/store-harness.js';

// The behaviour every KeyStore shares lives in the contract (src/testing/key-store-contract.ts);
// what follows is SQLite's own.
keyStoreContract('SqliteKeyStore', openSqliteHarness);

describe('SqliteKeyStore (SQLite only)', () => {
  let h: StoreHarness;
  beforeEach(async () => {
    h = await openSqliteHarness();
  });
  afterEach(() => h.close());

  it('keeps text with a NUL character as it is', async () => {
    const record = await h.keys.insert(newKey('a\u0000b', { label: 'x\u0000y' }));
    expect(await h.keys.get('a\u0000b')).toEqual(record);
    expect(record.label).toBe('x\u0000y');
  });
});
