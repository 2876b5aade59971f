import * as crypto from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { NodexError } from '../core/errors.js';
import { openNodexDb } from '../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../store/sqlite/open-sqlite.js';
import { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.js';
import { tempDir } from '../testing/capture-io.js';
import { LocalKeysApi } from './admin/key-admin.js';
import { KeyAuthenticator, type KeyAuthOptions } from './key-auth.js';

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const DEFAULT_POLICY = { rpm: 60 };
let dir: ReturnType<typeof tempDir>;
let dbs: SqliteDb[];
let clock: number;
let store: SqliteKeyStore;
let api: LocalKeysApi;

function openStore(): SqliteKeyStore {
  const db = openNodexDb(join(dir.path, 'nodex.db'));
  dbs.push(db);
  return new SqliteKeyStore(db);
}

beforeEach(() => {
  dir = tempDir();
  dbs = [];
  clock = 1_700_000_000_000;
  store = openStore();
  // The CLI: another connection to the same file, as another process would have.
  api = new LocalKeysApi(openStore(), DEFAULT_POLICY, () => clock);
});
afterEach(() => {
  vi.useRealTimers();
  for (const db of dbs) db.close();
  dir.cleanup();
});

function authenticator(options: Partial<KeyAuthOptions> = {}): KeyAuthenticator {
  return new KeyAuthenticator({ store, defaultPolicy: DEFAULT_POLICY, now: () => clock, ...options });
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

async function failure(auth: KeyAuthenticator, headers: Record<string, string>): Promise<NodexError> {
  try {
    await auth.authenticate(headers);
  } catch (error) {
    if (NodexError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('authenticate accepted the key');
}

describe('KeyAuthenticator', () => {
  it('asks for a key when none is sent, and accepts anything in development mode', async () => {
    const missing = await failure(authenticator(), {});
    expect(missing.code).toBe('authentication_required');
    expect(missing.status).toBe(401);
    expect(missing.message).toBe('missing API key: send Authorization: Bearer <key> or x-api-key');
    const open = authenticator({ allowAnyKey: true });
    expect(await open.authenticate({})).toEqual({
      keyId: 'anonymous',
      label: 'any key (development mode)',
      policy: DEFAULT_POLICY,
    });
  });

  it('accepts the static server.api_keys with the default policy', async () => {
    const auth = authenticator({ staticKeys: ['static-key-one', 'static-key-two'] });
    expect(await auth.authenticate({ 'x-api-key': 'static-key-two' })).toEqual({
      keyId: 'static_1',
      label: 'server.api_keys[1]',
      policy: DEFAULT_POLICY,
    });
    expect((await failure(auth, bearer('static-key-three'))).message).toBe('invalid API key');
  });

  it('accepts a generated key, with its record and effective policy', async () => {
    const { key, record } = await api.add({ label: 'ci', policy: { tpm: 500 } });
    const caller = await authenticator().authenticate(bearer(key));
    expect(caller).toMatchObject({ keyId: record.id, label: 'ci', policy: { rpm: 60, tpm: 500 } });
    expect(caller.record?.id).toBe(record.id);
  });

  it('accepts a bring-your-own key, looked up by its hash', async () => {
    const { record } = await api.add({ label: 'mine', key: 'my-own-key-with-dashes-_-' });
    const caller = await authenticator().authenticate({ 'x-api-key': 'my-own-key-with-dashes-_-' });
    expect(caller.keyId).toBe(record.id);
  });

  it('gives the same answer for unknown, wrong, expired and revoked keys', async () => {
    const auth = authenticator();
    const good = await api.add({ label: 'good' });
    const expired = await api.add({ label: 'expired', expires_in: 1000 });
    const revoked = await api.add({ label: 'revoked' });
    await api.revoke(revoked.record.id);
    clock += 1000;
    const wrongSecret = `nk-${good.record.id}-${'A'.repeat(43)}`;
    const unknownId = `nk-zzzzzzzzzzzz-${good.key.slice(16)}`;
    const errors = await Promise.all(
      [wrongSecret, unknownId, expired.key, revoked.key, 'not-a-key-at-all-0000'].map((key) =>
        failure(auth, bearer(key)),
      ),
    );
    for (const error of errors) {
      expect(error.code).toBe('authentication_required');
      expect(error.status).toBe(401);
      expect(error.message).toBe('invalid API key');
    }
    expect((await auth.authenticate(bearer(good.key))).keyId).toBe(good.record.id);
  });

  it('compares in constant time for a wrong secret and for an unknown id alike', async () => {
    const { key, record } = await api.add({ label: 'a' });
    const auth = authenticator({ staticKeys: ['static-key-one'] });
    const compare = vi.mocked(crypto.timingSafeEqual);
    for (const presented of [`nk-${record.id}-${'B'.repeat(43)}`, `nk-000000000000-${key.slice(16)}`]) {
      compare.mockClear();
      await failure(auth, bearer(presented));
      // One comparison per static key, then one against the stored (or a dummy) hash.
      expect(compare).toHaveBeenCalledTimes(2);
      expect(compare.mock.calls[1]?.[0]).toHaveLength(32);
      expect(compare.mock.calls[1]?.[1]).toHaveLength(32);
    }
  });

  it('sees a key another process adds at once (no negative caching)', async () => {
    const auth = authenticator();
    const text = 'added-later-by-the-cli-0001';
    await failure(auth, bearer(text));
    await api.add({ label: 'later', key: text });
    expect((await auth.authenticate(bearer(text))).label).toBe('later');
  });

  it('refuses a key revoked by another process within a second (cache of at most 1 s)', async () => {
    const { key, record } = await api.add({ label: 'a' });
    const get = vi.spyOn(store, 'get');
    const auth = authenticator();
    await auth.authenticate(bearer(key));
    await api.revoke(record.id);
    clock += 999;
    await auth.authenticate(bearer(key));
    expect(get).toHaveBeenCalledTimes(1);
    clock += 1;
    expect((await failure(auth, bearer(key))).message).toBe('invalid API key');
  });

  it('applies a policy change from another process within a second', async () => {
    const { key, record } = await api.add({ label: 'a', policy: { rpm: 5 } });
    const auth = authenticator({ cacheTtlMs: 60_000 });
    expect((await auth.authenticate(bearer(key))).policy.rpm).toBe(5);
    await api.update(record.id, { policy: { rpm: 7 } });
    clock += 1000;
    expect((await auth.authenticate(bearer(key))).policy.rpm).toBe(7);
  });

  it('refuses a cached key the moment it expires', async () => {
    const { key } = await api.add({ label: 'a', expires_in: 500 });
    const auth = authenticator();
    await auth.authenticate(bearer(key));
    clock += 500;
    await failure(auth, bearer(key));
  });

  it('drops the least recently used entry beyond cacheSize, and invalidate() forgets at once', async () => {
    const keys = await Promise.all(['a', 'b', 'c'].map(async (label) => (await api.add({ label })).key));
    const [a = '', b = '', c = ''] = keys;
    const get = vi.spyOn(store, 'get');
    const auth = authenticator({ cacheSize: 2 });
    for (const key of [a, b, a, c, a]) await auth.authenticate(bearer(key));
    expect(get).toHaveBeenCalledTimes(3);
    await auth.authenticate(bearer(b));
    expect(get).toHaveBeenCalledTimes(4);
    auth.invalidate();
    await auth.authenticate(bearer(b));
    expect(get).toHaveBeenCalledTimes(5);
  });

  it('keeps only hashes in memory, never the key text', async () => {
    const { key } = await api.add({ label: 'a' });
    const auth = authenticator();
    await auth.authenticate(bearer(key));
    expect(inspect(auth, { depth: 20, showHidden: true })).not.toContain(key.slice(16));
  });

  it('writes last-used times in one batch on close, not per request', async () => {
    const { key, record } = await api.add({ label: 'a' });
    const touch = vi.spyOn(store, 'touch');
    const auth = authenticator();
    await auth.authenticate(bearer(key));
    clock += 10;
    await auth.authenticate(bearer(key));
    expect(touch).not.toHaveBeenCalled();
    await auth.close();
    expect(touch).toHaveBeenCalledTimes(1);
    expect((await store.get(record.id))?.last_used_at).toBe(clock);
  });

  it('flushes last-used times every touchIntervalMs, and retries a failed write', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { key, record } = await api.add({ label: 'a' });
    const errors: unknown[] = [];
    const touch = vi.spyOn(store, 'touch').mockRejectedValueOnce(new Error('SQLITE_BUSY'));
    const auth = authenticator({ onError: (error) => errors.push(error) });
    await auth.authenticate(bearer(key));
    await vi.advanceTimersByTimeAsync(9_999);
    expect(touch).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(touch).toHaveBeenCalledTimes(1);
    expect(errors).toHaveLength(1);
    await auth.authenticate(bearer(key));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(touch).toHaveBeenCalledTimes(2);
    expect((await store.get(record.id))?.last_used_at).toBe(clock);
  });
});
