import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodexError } from '../../core/errors.js';
import { hashKey, parseKey } from '../../store/api-key-text.js';
import { openNodexDb } from '../../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../../store/sqlite/open-sqlite.js';
import { SqliteKeyStore } from '../../store/sqlite/sqlite-key-store.js';
import { tempDir } from '../../testing/capture-io.js';
import { LocalKeysApi } from './key-admin.js';

const DAY = 86_400_000;
let dir: ReturnType<typeof tempDir>;
let db: SqliteDb;
let store: SqliteKeyStore;
let clock: number;
let api: LocalKeysApi;

beforeEach(() => {
  dir = tempDir();
  db = openNodexDb(join(dir.path, 'nodex.db'));
  store = new SqliteKeyStore(db);
  clock = 1_700_000_000_000;
  api = new LocalKeysApi(store, { rpm: 60, tpm: 10_000 }, () => clock);
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return NodexError.isInstance(error) ? error.code : `not a NodexError: ${String(error)}`;
  }
  return 'resolved';
}

describe('LocalKeysApi', () => {
  it('adds a generated key: shown once, stored only as its hash, with the effective policy', async () => {
    const { key, record } = await api.add({ label: 'ci', policy: { rpm: 5 } });
    expect(parseKey(key)).toEqual({ id: record.id });
    expect(record).toEqual({
      id: record.id,
      label: 'ci',
      created_at: clock,
      status: 'active',
      policy: { rpm: 5 },
      effective_policy: { rpm: 5, tpm: 10_000 },
      byok: false,
    });
    expect(record).not.toHaveProperty('hash');
    expect((await store.get(record.id))?.hash).toBe(hashKey(key));
    const row = db.prepare('SELECT * FROM api_keys').get();
    expect(JSON.stringify(row)).not.toContain(key.slice(16));
  });

  it('adds with expiry and a starting balance', async () => {
    const { record } = await api.add({ label: 'trial', expires_in: 30 * DAY, token_balance: 1000 });
    expect(record).toMatchObject({ expires_at: clock + 30 * DAY, token_balance: 1000, status: 'active' });
    clock += 30 * DAY;
    expect((await api.get(record.id)).status).toBe('expired');
  });

  it('adds a bring-your-own key under a generated id, and refuses its text twice', async () => {
    const { key, record } = await api.add({ label: 'mine', key: 'my-team-key-0123456789' });
    expect(key).toBe('my-team-key-0123456789');
    expect(record).toMatchObject({ byok: true, label: 'mine' });
    expect(record.id).toMatch(/^[a-z0-9]{12}$/);
    expect((await store.findByHash(hashKey(key)))?.id).toBe(record.id);
    expect(await codeOf(api.add({ label: 'again', key: 'my-team-key-0123456789' }))).toBe('conflict');
    expect(await codeOf(api.add({ label: 'short', key: 'short' }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'nk', key: `nk-${record.id}-${'a'.repeat(43)}` }))).toBe(
      'invalid_request',
    );
  });

  it('retries a clashing generated id, but not a clash on the key text', async () => {
    const taken = (await api.add({ label: 'taken' })).record;
    const insert = vi.spyOn(store, 'insert');
    insert.mockRejectedValueOnce(new NodexError('conflict', 'id taken'));
    vi.spyOn(store, 'get').mockResolvedValueOnce(await store.get(taken.id));
    expect((await api.add({ label: 'retried' })).record.label).toBe('retried');
    expect(insert).toHaveBeenCalledTimes(2);
    insert.mockRejectedValueOnce(new NodexError('conflict', 'key text taken'));
    expect(await codeOf(api.add({ label: 'raced', key: 'raced-byok-key-0000' }))).toBe('conflict');
    expect(insert).toHaveBeenCalledTimes(3);
  });

  it('validates label, policy, expiry and balance', async () => {
    expect(await codeOf(api.add({ label: ' ' }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'x'.repeat(201) }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'two\nlines' }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'red \u001b[31m' }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'a', policy: { rpm: -1 } }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'a', expires_in: 0 }))).toBe('invalid_request');
    expect(await codeOf(api.add({ label: 'a', token_balance: -5 }))).toBe('invalid_request');
    expect(await api.list({ includeRevoked: true })).toEqual([]);
  });

  it('lists active and expired keys, revoked ones only with includeRevoked', async () => {
    const a = (await api.add({ label: 'a' })).record;
    clock += 1;
    const b = (await api.add({ label: 'b', expires_in: 10 })).record;
    clock += 1;
    const c = (await api.add({ label: 'c' })).record;
    await api.revoke(c.id);
    clock += 100;
    expect((await api.list()).map((k) => [k.label, k.status])).toEqual([
      ['a', 'active'],
      ['b', 'expired'],
    ]);
    expect((await api.list({ includeRevoked: true })).map((k) => k.status)).toEqual([
      'active',
      'expired',
      'revoked',
    ]);
    expect((await api.get(a.id)).id).toBe(a.id);
    expect((await api.get(b.id)).status).toBe('expired');
    expect(await codeOf(api.get('nope'))).toBe('not_found');
  });

  it('updates: policy merged with null removing a field, label, expiry set and cleared', async () => {
    const { record } = await api.add({ label: 'a', policy: { rpm: 5, models: ['gpt-*'] } });
    const merged = await api.update(record.id, { policy: { tpm: 99, models: null }, label: 'b' });
    expect(merged.policy).toEqual({ rpm: 5, tpm: 99 });
    expect(merged.effective_policy).toEqual({ rpm: 5, tpm: 99 });
    expect(merged.label).toBe('b');
    const noRpm = await api.update(record.id, { policy: { rpm: null } });
    expect(noRpm.policy).toEqual({ tpm: 99 });
    expect(noRpm.effective_policy).toEqual({ rpm: 60, tpm: 99 });
    expect((await api.update(record.id, { expires_at: clock + 5 })).expires_at).toBe(clock + 5);
    expect((await api.update(record.id, { expires_at: null })).expires_at).toBeUndefined();
    expect(await codeOf(api.update(record.id, { policy: { rpm: 0 } }))).toBe('invalid_request');
    expect(await codeOf(api.update(record.id, { label: '' }))).toBe('invalid_request');
    expect(await codeOf(api.update('nope', { label: 'x' }))).toBe('not_found');
    expect((await api.get(record.id)).policy).toEqual({ tpm: 99 });
  });

  it('revokes idempotently, keeping the first revocation time', async () => {
    const { record } = await api.add({ label: 'a' });
    const revoked = await api.revoke(record.id);
    expect(revoked).toMatchObject({ status: 'revoked', revoked_at: clock });
    const first = clock;
    clock += 1000;
    expect((await api.revoke(record.id)).revoked_at).toBe(first);
    expect(await codeOf(api.revoke('nope'))).toBe('not_found');
  });

  it('rotates: same id and history, new secret, the old key no longer matches', async () => {
    const { key, record } = await api.add({ label: 'a', policy: { rpm: 1 }, token_balance: 7 });
    clock += 5000;
    const rotated = await api.rotate(record.id);
    expect(rotated.key).not.toBe(key);
    expect(parseKey(rotated.key)).toEqual({ id: record.id });
    expect(rotated.record).toMatchObject({
      id: record.id,
      label: 'a',
      created_at: record.created_at,
      rotated_at: clock,
      policy: { rpm: 1 },
      token_balance: 7,
    });
    expect((await store.get(record.id))?.hash).toBe(hashKey(rotated.key));
    expect(await store.findByHash(hashKey(key))).toBeUndefined();
    expect(await codeOf(api.rotate('nope'))).toBe('not_found');
  });

  it('rotates a bring-your-own key into a generated one with the same id', async () => {
    const { record } = await api.add({ label: 'mine', key: 'my-team-key-0123456789' });
    const rotated = await api.rotate(record.id);
    expect(parseKey(rotated.key)).toEqual({ id: record.id });
    expect(rotated.record.byok).toBe(false);
    expect(await store.findByHash(hashKey('my-team-key-0123456789'))).toBeUndefined();
  });

  it('refuses to rotate a revoked key', async () => {
    const { record } = await api.add({ label: 'a' });
    await api.revoke(record.id);
    expect(await codeOf(api.rotate(record.id))).toBe('invalid_request');
    expect((await store.get(record.id))?.rotated_at).toBeUndefined();
  });

  it('adds and removes tokens (whole numbers only)', async () => {
    const { record } = await api.add({ label: 'a' });
    expect((await api.addTokens(record.id, 500)).token_balance).toBe(500);
    expect((await api.addTokens(record.id, -200)).token_balance).toBe(300);
    expect(await codeOf(api.addTokens(record.id, 0.5))).toBe('invalid_request');
    expect(await codeOf(api.addTokens(record.id, Number.NaN))).toBe('invalid_request');
    expect(await codeOf(api.addTokens('nope', 1))).toBe('not_found');
  });
});
