import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { UsageQuery } from '../../store/usage-store.js';
import { tempDir } from '../../testing/capture-io.js';
import type { AddKeyInput, AdminApi, KeyView, UpdateKeyInput } from './admin-api.js';
import { AdminClient } from './admin-client.js';
import { type AdminServer, startAdminServer } from './admin-server.js';

/** An in-memory AdminApi that records what the routes hand it. */
function recordingApi() {
  const calls: Array<[string, ...unknown[]]> = [];
  const view = (id: string, extra: Partial<KeyView> = {}): KeyView => ({
    id,
    label: 'l',
    created_at: 1,
    status: 'active',
    policy: {},
    effective_policy: {},
    byok: false,
    ...extra,
  });
  const missing = (id: string) => new NodexError('not_found', `no key ${id}`);
  const api: AdminApi = {
    keys: {
      add: async (input: AddKeyInput) => {
        calls.push(['add', input]);
        return { key: 'nk-abc-secret', record: view('abc', { label: input.label }) };
      },
      list: async (options) => {
        calls.push(['list', options]);
        return [view('abc')];
      },
      get: async (id) => {
        if (id !== 'abc') throw missing(id);
        return view(id);
      },
      update: async (id, input: UpdateKeyInput) => {
        calls.push(['update', id, input]);
        return view(id);
      },
      revoke: async (id) => view(id, { status: 'revoked' }),
      rotate: async (id) => ({ key: 'nk-abc-new', record: view(id) }),
      addTokens: async (id, tokens) => {
        calls.push(['addTokens', id, tokens]);
        return view(id, { token_balance: tokens });
      },
    },
    usage: {
      list: async (query: UsageQuery) => {
        calls.push(['usage.list', query]);
        return [];
      },
      show: async (keyId, query) => {
        calls.push(['usage.show', keyId, query]);
        return { key_id: keyId, totals: [], requests: [] };
      },
      reset: async (keyId) => {
        calls.push(['usage.reset', keyId]);
      },
    },
  };
  return { api, calls };
}

let dir: ReturnType<typeof tempDir>;
let server: AdminServer | undefined;
let client: AdminClient | undefined;

beforeEach(() => {
  dir = tempDir('nodex-admin-');
});
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
  dir.cleanup();
});

describe('admin API over the unix socket', () => {
  it('serves every operation to AdminClient, with a 0600 socket that is removed on close', async () => {
    const { api, calls } = recordingApi();
    const socketPath = join(dir.path, 'run', 'admin.sock');
    server = await startAdminServer({ api, socketPath });
    expect(statSync(socketPath).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir.path, 'run')).mode & 0o777).toBe(0o700);
    client = new AdminClient({ socketPath });
    expect(await client.ping()).toBe(true);

    expect(
      await client.keys.add({ label: 'ci', policy: { rpm: 5, quota: { tokens: 10, window: 60_000 } } }),
    ).toEqual({
      key: 'nk-abc-secret',
      record: expect.objectContaining({ id: 'abc', label: 'ci' }),
    });
    expect(await client.keys.list({ includeRevoked: true })).toHaveLength(1);
    expect((await client.keys.revoke('abc')).status).toBe('revoked');
    expect((await client.keys.rotate('abc')).key).toBe('nk-abc-new');
    expect((await client.keys.addTokens('abc', -5)).token_balance).toBe(-5);
    await client.keys.update('abc', { label: 'x', policy: { rpm: null, tpm: 7 }, expires_at: null });
    await client.usage.list({ keyId: 'abc', since: 5, groupBy: 'model' });
    await client.usage.show('abc', { since: 9 });
    await client.usage.reset('abc');
    await client.usage.reset();
    expect(calls).toEqual([
      ['add', { label: 'ci', policy: { rpm: 5, quota: { tokens: 10, window: 60_000 } } }],
      ['list', { includeRevoked: true }],
      ['addTokens', 'abc', -5],
      ['update', 'abc', { label: 'x', policy: { rpm: null, tpm: 7 }, expires_at: null }],
      ['usage.list', { keyId: 'abc', since: 5, groupBy: 'model' }],
      ['usage.show', 'abc', { since: 9 }],
      ['usage.reset', 'abc'],
      ['usage.reset', undefined],
    ]);

    const error = await client.keys.get('nope').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodexError);
    expect(error).toMatchObject({ code: 'not_found', status: 404, message: 'no key nope' });
    await server.close();
    server = undefined;
    expect(() => statSync(socketPath)).toThrow();
  });

  it('answers bad bodies with 400 naming the field, and keeps serving', async () => {
    server = await startAdminServer({ api: recordingApi().api, socketPath: join(dir.path, 'a.sock') });
    client = new AdminClient({ socketPath: join(dir.path, 'a.sock') });
    await expect(client.keys.add({ label: '' })).rejects.toMatchObject({
      code: 'invalid_request',
      status: 400,
    });
    await expect(client.keys.addTokens('abc', 1.5)).rejects.toThrow(/tokens/);
    await expect(
      client.keys.add({ label: 'x', policy: { rpm: -1 } as unknown as AddKeyInput['policy'] }),
    ).rejects.toThrow(/policy\.rpm/);
    expect(await client.ping()).toBe(true);
  });

  it('replaces a stale socket file, and refuses one another gateway is listening on', async () => {
    const socketPath = join(dir.path, 'admin.sock');
    writeFileSync(socketPath, 'stale');
    server = await startAdminServer({ api: recordingApi().api, socketPath });
    await expect(startAdminServer({ api: recordingApi().api, socketPath })).rejects.toThrow(/in use/);
  });
});

describe('admin API over TCP', () => {
  it('needs the admin token on every route but health', async () => {
    const token = 'admin-token-0123456789';
    server = await startAdminServer({ api: recordingApi().api, tcp: { host: '127.0.0.1', port: 0, token } });
    const url = server.url ?? '';
    client = new AdminClient({ url, token });
    expect(await client.keys.list()).toHaveLength(1);
    const wrong = new AdminClient({ url, token: 'admin-token-wrong-000' });
    await expect(wrong.keys.list()).rejects.toMatchObject({ code: 'authentication_required', status: 401 });
    expect(await wrong.ping()).toBe(true);
    await wrong.close();
    await expect(
      startAdminServer({ api: recordingApi().api, tcp: { host: '127.0.0.1', port: 0, token: 'short' } }),
    ).rejects.toThrow(/at least 16/);
  });
});
