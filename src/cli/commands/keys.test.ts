import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { IssuedKey, KeyView } from '../../gateway/admin/admin-api.js';
import { LocalKeysApi } from '../../gateway/admin/key-admin.js';
import { hashKey, parseKey } from '../../store/api-key-text.js';
import { openNodexDb } from '../../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../../store/sqlite/open-sqlite.js';
import { SqliteKeyStore } from '../../store/sqlite/sqlite-key-store.js';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { EXIT, type ExitCode } from '../io.js';
import { UsageError } from '../usage-error.js';
import {
  runKeysAdd,
  runKeysAddTokens,
  runKeysList,
  runKeysRevoke,
  runKeysRotate,
  runKeysUpdate,
} from './keys.js';

const DAY = 86_400_000;
let dir: ReturnType<typeof tempDir>;
let db: SqliteDb;
let store: SqliteKeyStore;
let api: LocalKeysApi;
beforeEach(() => {
  dir = tempDir();
  db = openNodexDb(join(dir.path, 'nodex.db'));
  store = new SqliteKeyStore(db);
  api = new LocalKeysApi(store, { rpm: 60 });
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const io = (stdin?: string) => {
  const captured = captureIo(dir.path);
  return stdin === undefined
    ? captured
    : { ...captured, io: { ...captured.io, stdin: Readable.from([stdin]) } };
};

async function added(options: Parameters<typeof runKeysAdd>[1] = { label: 'ci' }): Promise<IssuedKey> {
  const out = io();
  expect(await runKeysAdd(api, { ...options, json: true }, out.io)).toBe(EXIT.ok);
  return JSON.parse(out.stdout()) as IssuedKey;
}

async function usageError(run: (out: ReturnType<typeof io>) => Promise<ExitCode>): Promise<string> {
  const error = await run(io()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  return (error as UsageError).message;
}

describe('nodex keys add', () => {
  it('prints the key once, alone on stdout, and says on stderr it will not be shown again', async () => {
    const out = io();
    expect(await runKeysAdd(api, { label: 'ci' }, out.io)).toBe(EXIT.ok);
    const key = out.stdout().trim();
    expect(out.stdout()).toBe(`${key}\n`);
    const id = parseKey(key)?.id ?? '';
    expect(out.stderr()).toContain(`added key ${id} (ci)`);
    expect(out.stderr()).toMatch(/will not be shown again/);
    expect(out.stderr()).not.toContain(key);
    expect((await store.get(id))?.hash).toBe(hashKey(key));
  });

  it('in --json gives the key in the key field, and nothing on stderr', async () => {
    const out = io();
    await runKeysAdd(api, { label: 'ci', json: true }, out.io);
    const issued = JSON.parse(out.stdout()) as IssuedKey;
    expect(parseKey(issued.key)).toEqual({ id: issued.record.id });
    expect(issued.record).toMatchObject({ label: 'ci', status: 'active', effective_policy: { rpm: 60 } });
    expect(out.stderr()).toBe('');
  });

  it('sets limits, quota, models, expiry and a balance from the flags', async () => {
    const before = Date.now();
    const { record } = await added({
      label: 'team',
      rpm: '10',
      tpm: '5000',
      quota: '1000000/30d',
      models: 'gpt-*, claude-*',
      expiresIn: '30d',
      tokens: '100',
    });
    expect(record.policy).toEqual({
      rpm: 10,
      tpm: 5000,
      quota: { tokens: 1_000_000, window: 30 * DAY },
      models: ['gpt-*', 'claude-*'],
    });
    expect(record.token_balance).toBe(100);
    expect(record.expires_at).toBeGreaterThanOrEqual(before + 30 * DAY);
    expect(record.expires_at).toBeLessThanOrEqual(Date.now() + 30 * DAY);
  });

  it('takes your own key (from the flag or stdin) and does not echo it', async () => {
    const out = io();
    await runKeysAdd(api, { label: 'mine', key: 'my-own-key-0123456789' }, out.io);
    expect(out.stdout()).not.toContain('my-own-key-0123456789');
    expect(out.stdout()).toMatch(/^added key [a-z0-9]{12} \(mine\) with the key text you gave\n$/);
    expect((await store.findByHash(hashKey('my-own-key-0123456789')))?.byok).toBe(true);
    await runKeysAdd(api, { label: 'piped', key: '-' }, io('piped-key-from-stdin-42\n').io);
    expect((await store.findByHash(hashKey('piped-key-from-stdin-42')))?.label).toBe('piped');
  });

  it('refuses bad flags as usage errors, before adding anything', async () => {
    expect(await usageError((o) => runKeysAdd(api, {}, o.io))).toMatch(/--label is required/);
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', rpm: '0' }, o.io))).toMatch(/--rpm/);
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', tpm: '1.5' }, o.io))).toMatch(/--tpm/);
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', quota: '1000' }, o.io))).toMatch(
      /TOKENS\/WINDOW/,
    );
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', quota: '10/0d' }, o.io))).toMatch(/window/);
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', models: ' , ' }, o.io))).toMatch(/--models/);
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', expiresIn: 'soon' }, o.io))).toMatch(
      /--expires-in/,
    );
    expect(await usageError((o) => runKeysAdd(api, { label: 'a', tokens: '-1' }, o.io))).toMatch(/--tokens/);
    expect(await store.list({ includeRevoked: true })).toEqual([]);
  });
});

describe('nodex keys list', () => {
  it('shows a table of effective limits; revoked keys only with --all; JSON has no hash', async () => {
    const empty = io();
    await runKeysList(api, {}, empty.io);
    expect(empty.stdout()).toMatch(/^no keys yet/);
    const a = await added({ label: 'alpha', quota: '500/90m', models: 'gpt-*' });
    const b = await added({ label: 'beta' });
    await api.revoke(b.record.id);
    const table = io();
    await runKeysList(api, {}, table.io);
    const lines = table.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+LABEL\s+STATUS\s+RPM\s+TPM\s+QUOTA\s+MODELS\s+BALANCE\s+EXPIRES/);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(
      new RegExp(`^${a.record.id}\\s+alpha\\s+active\\s+60\\s+-\\s+500/90m\\s+gpt-\\*\\s+-`),
    );
    const all = io();
    await runKeysList(api, { all: true, json: true }, all.io);
    const views = JSON.parse(all.stdout()) as KeyView[];
    expect(views.map((v) => [v.label, v.status])).toEqual([
      ['alpha', 'active'],
      ['beta', 'revoked'],
    ]);
    expect(all.stdout()).not.toContain('hash');
  });
});

describe('nodex keys update / revoke / rotate / add-tokens', () => {
  it('updates limits (none removes one), label and expiry (never removes it)', async () => {
    const { record } = await added({ label: 'a', rpm: '5', tpm: '100', expiresIn: '1d' });
    const out = io();
    await runKeysUpdate(
      api,
      record.id,
      { rpm: 'none', quota: '10/1h', label: 'b', expiresIn: 'never' },
      out.io,
    );
    expect(out.stdout()).toContain(`updated key ${record.id} (b)`);
    const view = await api.get(record.id);
    expect(view.policy).toEqual({ tpm: 100, quota: { tokens: 10, window: 3_600_000 } });
    expect(view.effective_policy.rpm).toBe(60);
    expect(view.expires_at).toBeUndefined();
    expect(await usageError((o) => runKeysUpdate(api, record.id, {}, o.io))).toMatch(/nothing to update/);
    expect(await usageError((o) => runKeysUpdate(api, record.id, { tpm: 'lots' }, o.io))).toMatch(/--tpm/);
    await expect(runKeysUpdate(api, 'nope', { label: 'x' }, io().io)).rejects.toSatisfy(
      (e: unknown) => NodexError.isInstance(e) && e.code === 'not_found',
    );
  });

  it('revokes (idempotently) and the key leaves the list', async () => {
    const { record } = await added();
    const out = io();
    await runKeysRevoke(api, record.id, {}, out.io);
    expect(out.stdout()).toBe(`revoked key ${record.id} (ci)\n`);
    const again = io();
    await runKeysRevoke(api, record.id, { json: true }, again.io);
    expect((JSON.parse(again.stdout()) as KeyView).status).toBe('revoked');
    expect(await api.list()).toEqual([]);
  });

  it('rotates: the new key printed once, same id, the old key gone', async () => {
    const { key, record } = await added();
    const out = io();
    await runKeysRotate(api, record.id, {}, out.io);
    const rotated = out.stdout().trim();
    expect(rotated).not.toBe(key);
    expect(parseKey(rotated)).toEqual({ id: record.id });
    expect(out.stderr()).toMatch(/rotated key .*will not be shown again/);
    expect(await store.findByHash(hashKey(key))).toBeUndefined();
    expect((await store.get(record.id))?.hash).toBe(hashKey(rotated));
  });

  it('adds and removes tokens', async () => {
    const { record } = await added();
    const out = io();
    await runKeysAddTokens(api, record.id, '1000', {}, out.io);
    expect(out.stdout()).toBe(`key ${record.id} (ci): balance 1000 tokens\n`);
    const less = io();
    await runKeysAddTokens(api, record.id, '-250', { json: true }, less.io);
    expect((JSON.parse(less.stdout()) as KeyView).token_balance).toBe(750);
    expect(await usageError((o) => runKeysAddTokens(api, record.id, '1e3', {}, o.io))).toMatch(/TOKENS/);
  });
});
