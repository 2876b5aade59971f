import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { tempDir } from '../../testing/capture-io.js';
import type { NewKeyRecord } from '../key-store.js';
import { openNodexDb } from './nodex-db.js';
import type { SqliteDb } from './open-sqlite.js';
import { SqliteKeyStore } from './sqlite-key-store.js';

let dir: ReturnType<typeof tempDir>;
let dbs: SqliteDb[];
beforeEach(() => {
  dir = tempDir();
  dbs = [];
});
afterEach(() => {
  for (const db of dbs) db.close();
  dir.cleanup();
});

/** A store on its own connection to the shared file, as the CLI and the gateway each have. */
function openStore(): SqliteKeyStore {
  const db = openNodexDb(join(dir.path, 'nodex.db'));
  dbs.push(db);
  return new SqliteKeyStore(db);
}

function newKey(id: string, extra: Partial<NewKeyRecord> = {}): NewKeyRecord {
  return {
    id,
    label: `label ${id}`,
    hash: `hash-${id}`,
    created_at: 1000,
    policy: {},
    byok: false,
    ...extra,
  };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return NodexError.isInstance(error) ? error.code : `not a NodexError: ${String(error)}`;
  }
  return 'resolved';
}

describe('SqliteKeyStore', () => {
  it('inserts and reads back every field, leaving unset optional fields absent', async () => {
    const store = openStore();
    const policy = {
      rpm: 10,
      tpm: 5000,
      quota: { tokens: 1_000_000, window: 86_400_000 },
      models: ['gpt-*'],
    };
    const full = await store.insert(
      newKey('aaaaaaaaaaaa', { expires_at: 5000, policy, token_balance: 42, byok: true }),
    );
    expect(full).toEqual({
      id: 'aaaaaaaaaaaa',
      label: 'label aaaaaaaaaaaa',
      hash: 'hash-aaaaaaaaaaaa',
      created_at: 1000,
      expires_at: 5000,
      policy,
      token_balance: 42,
      byok: true,
    });
    expect(await store.get('aaaaaaaaaaaa')).toEqual(full);
    expect(await store.findByHash('hash-aaaaaaaaaaaa')).toEqual(full);
    const bare = await store.insert(newKey('bbbbbbbbbbbb'));
    expect(Object.keys(bare).sort()).toEqual(['byok', 'created_at', 'hash', 'id', 'label', 'policy']);
    expect(await store.get('nope')).toBeUndefined();
    expect(await store.findByHash('nope')).toBeUndefined();
  });

  it('rejects a taken id or hash with conflict, saying which', async () => {
    const store = openStore();
    await store.insert(newKey('aaaaaaaaaaaa'));
    await expect(store.insert(newKey('aaaaaaaaaaaa', { hash: 'other' }))).rejects.toThrow(/id aaaaaaaaaaaa/);
    expect(await codeOf(store.insert(newKey('aaaaaaaaaaaa', { hash: 'other' })))).toBe('conflict');
    await expect(store.insert(newKey('cccccccccccc', { hash: 'hash-aaaaaaaaaaaa' }))).rejects.toThrow(
      /already in use/,
    );
    expect(await store.list({ includeRevoked: true })).toHaveLength(1);
  });

  it('lists oldest first, revoked keys only when asked', async () => {
    const store = openStore();
    await store.insert(newKey('second000000', { created_at: 2000 }));
    await store.insert(newKey('first0000000', { created_at: 1000 }));
    await store.insert(newKey('third0000000', { created_at: 3000 }));
    await store.update('second000000', { revoked_at: 4000 });
    expect((await store.list()).map((k) => k.id)).toEqual(['first0000000', 'third0000000']);
    expect((await store.list({ includeRevoked: true })).map((k) => k.id)).toEqual([
      'first0000000',
      'second000000',
      'third0000000',
    ]);
  });

  it('updates only the fields in the patch, and null clears one', async () => {
    const store = openStore();
    await store.insert(newKey('aaaaaaaaaaaa', { expires_at: 5000, token_balance: 7, policy: { rpm: 1 } }));
    const relabelled = await store.update('aaaaaaaaaaaa', { label: 'new' });
    expect(relabelled).toMatchObject({
      label: 'new',
      expires_at: 5000,
      token_balance: 7,
      policy: { rpm: 1 },
    });
    const cleared = await store.update('aaaaaaaaaaaa', { expires_at: null, token_balance: null, policy: {} });
    expect(cleared?.expires_at).toBeUndefined();
    expect(cleared?.token_balance).toBeUndefined();
    expect(cleared?.policy).toEqual({});
    expect(cleared?.label).toBe('new');
    const rotated = await store.update('aaaaaaaaaaaa', { hash: 'hash-2', rotated_at: 9000, byok: true });
    expect(rotated).toMatchObject({ hash: 'hash-2', rotated_at: 9000, label: 'new', byok: true });
    expect(await store.findByHash('hash-aaaaaaaaaaaa')).toBeUndefined();
    expect(await store.update('missing00000', { label: 'x' })).toBeUndefined();
  });

  it('refuses a rotation to a hash another key holds', async () => {
    const store = openStore();
    await store.insert(newKey('aaaaaaaaaaaa'));
    await store.insert(newKey('bbbbbbbbbbbb'));
    await expect(store.update('aaaaaaaaaaaa', { hash: 'hash-bbbbbbbbbbbb' })).rejects.toThrow(/UNIQUE/);
  });

  it('adds tokens atomically from no balance, negative deltas included', async () => {
    const store = openStore();
    await store.insert(newKey('aaaaaaaaaaaa'));
    expect((await store.addTokens('aaaaaaaaaaaa', 100))?.token_balance).toBe(100);
    expect((await store.addTokens('aaaaaaaaaaaa', -30))?.token_balance).toBe(70);
    const other = openStore();
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).addTokens('aaaaaaaaaaaa', 1)),
    );
    expect((await store.get('aaaaaaaaaaaa'))?.token_balance).toBe(90);
    expect(await store.addTokens('missing00000', 1)).toBeUndefined();
    expect(await codeOf(store.addTokens('aaaaaaaaaaaa', 1.5))).toBe('invalid_request');
  });

  it('touches many keys in one call and never moves last_used_at backwards', async () => {
    const store = openStore();
    await store.insert(newKey('aaaaaaaaaaaa'));
    await store.insert(newKey('bbbbbbbbbbbb'));
    await store.touch(
      new Map([
        ['aaaaaaaaaaaa', 5000],
        ['bbbbbbbbbbbb', 6000],
        ['unknown00000', 7000],
      ]),
    );
    expect((await store.get('aaaaaaaaaaaa'))?.last_used_at).toBe(5000);
    expect((await store.get('bbbbbbbbbbbb'))?.last_used_at).toBe(6000);
    await store.touch(new Map([['aaaaaaaaaaaa', 4000]]));
    expect((await store.get('aaaaaaaaaaaa'))?.last_used_at).toBe(5000);
    await store.touch(new Map());
  });

  it('two stores on one file (the CLI and the gateway) see each other at once', async () => {
    const cli = openStore();
    const gateway = openStore();
    await cli.insert(newKey('aaaaaaaaaaaa', { policy: { rpm: 5 } }));
    expect(await gateway.findByHash('hash-aaaaaaaaaaaa')).toMatchObject({ id: 'aaaaaaaaaaaa' });
    await gateway.touch(new Map([['aaaaaaaaaaaa', 8000]]));
    await cli.update('aaaaaaaaaaaa', { revoked_at: 9000, policy: { rpm: 1 } });
    expect(await gateway.get('aaaaaaaaaaaa')).toMatchObject({
      revoked_at: 9000,
      policy: { rpm: 1 },
      last_used_at: 8000,
    });
    await gateway.addTokens('aaaaaaaaaaaa', 3);
    expect((await cli.get('aaaaaaaaaaaa'))?.token_balance).toBe(3);
    expect(await codeOf(gateway.insert(newKey('aaaaaaaaaaaa', { hash: 'x' })))).toBe('conflict');
  });

  it('treats key text in SQL-looking form as plain data', async () => {
    const store = openStore();
    const id = "x' OR '1'='1";
    await store.insert(newKey(id, { label: "'); DROP TABLE api_keys; --" }));
    expect(await store.get("anything' OR '1'='1")).toBeUndefined();
    expect((await store.get(id))?.label).toBe("'); DROP TABLE api_keys; --");
  });

  it('reports a corrupt stored policy instead of returning it', async () => {
    const store = openStore();
    await store.insert(newKey('aaaaaaaaaaaa'));
    dbs[0]?.prepare('UPDATE api_keys SET policy = ? WHERE id = ?').run('{"rpm":"many"}', 'aaaaaaaaaaaa');
    expect(await codeOf(store.get('aaaaaaaaaaaa'))).toBe('internal_error');
  });
});
