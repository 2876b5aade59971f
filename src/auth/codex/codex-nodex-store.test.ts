import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { type KeyringBackend, KeyringProbe } from '../keyring.js';
import { createNodexCodexStore, nodexCodexCredentialsPath } from './codex-nodex-store.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const credentials = { accessToken: 'at', refreshToken: 'rt', accountId: 'acct-1' };

/** The keyring as @napi-rs/keyring behaves on a headless box: every call throws (deps.md §2). */
const brokenKeyring: KeyringBackend = {
  getPassword: () => {
    throw new Error("Couldn't access platform storage: AccessDenied");
  },
  setPassword: () => {
    throw new Error("Couldn't access platform storage: AccessDenied");
  },
  deletePassword: () => {
    throw new Error("Couldn't access platform storage: AccessDenied");
  },
};

function memoryKeyring(): KeyringBackend & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    getPassword: (service, account) => entries.get(`${service}/${account}`) ?? null,
    setPassword: (service, account, secret) => void entries.set(`${service}/${account}`, secret),
    deletePassword: (service, account) => entries.delete(`${service}/${account}`),
  };
}

describe('nodex credential store', () => {
  it('falls back to the 0600 file with exactly one notice when the keyring is unavailable', async () => {
    const notices: string[] = [];
    const probe = new KeyringProbe(
      () => brokenKeyring,
      (note) => notices.push(note),
    );
    const store = createNodexCodexStore({ home: dir.path, mode: 'keyring', keyring: probe });
    await store.save(credentials);
    expect(await store.load()).toMatchObject(credentials);
    expect(store.exists()).toBe(true);
    expect(store.describe()).toMatchObject({ kind: 'nodex-file', owner: 'nodex' });
    await store.save(credentials);
    expect(notices).toEqual([
      `the OS keyring is not available (Couldn't access platform storage: AccessDenied); storing credentials in ${nodexCodexCredentialsPath(dir.path)} (mode 0600)`,
    ]);
    expect(existsSync(nodexCodexCredentialsPath(dir.path))).toBe(true);
  });

  it('notes a missing keyring module the same way', async () => {
    const notices: string[] = [];
    const store = createNodexCodexStore({
      home: dir.path,
      mode: 'keyring',
      keyring: new KeyringProbe(
        () => undefined,
        (note) => notices.push(note),
      ),
    });
    await store.save(credentials);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('@napi-rs/keyring is not installed');
  });

  it('uses a working keyring and writes no file', async () => {
    const keyring = memoryKeyring();
    const notices: string[] = [];
    const store = createNodexCodexStore({
      home: dir.path,
      mode: 'keyring',
      keyring: new KeyringProbe(
        () => keyring,
        (note) => notices.push(note),
      ),
    });
    await store.save(credentials);
    expect(existsSync(nodexCodexCredentialsPath(dir.path))).toBe(false);
    expect(JSON.parse(keyring.entries.get('nodex/codex') ?? '{}').tokens).toMatchObject({
      access_token: 'at',
    });
    expect(await store.load()).toMatchObject(credentials);
    expect(store.describe()).toMatchObject({ kind: 'nodex-keyring', owner: 'nodex' });
    expect(await store.delete()).toBe(true);
    expect(store.exists()).toBe(false);
    expect(notices).toEqual([]);
  });

  it('never touches the keyring in the default file mode', async () => {
    let loaded = false;
    const store = createNodexCodexStore({
      home: dir.path,
      keyring: new KeyringProbe(() => {
        loaded = true;
        return memoryKeyring();
      }),
    });
    await store.save(credentials);
    expect(loaded).toBe(false);
    expect(store.describe().location).toBe(nodexCodexCredentialsPath(dir.path));
  });
});
