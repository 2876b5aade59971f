import { describe, expect, it } from 'vitest';
import { NodexError } from '../core/errors.js';
import type { CredentialStore, OAuthCredentials } from './credential-store.js';
import { TokenCache } from './token-cache.js';

interface Creds extends OAuthCredentials {
  readonly generation: number;
}

function memoryStore(initial: Creds | undefined) {
  let value = initial;
  const saves: Creds[] = [];
  const store: CredentialStore<Creds> & { saves: Creds[]; set(next: Creds): void } = {
    saves,
    set: (next) => {
      value = next;
    },
    exists: () => value !== undefined,
    load: async () => value,
    save: async (next) => {
      saves.push(next);
      value = next;
    },
    delete: async () => {
      value = undefined;
      return true;
    },
    describe: () => ({ kind: 'memory', owner: 'nodex', location: 'memory' }),
  };
  return store;
}

const NOW = 1_000_000;
const creds = (
  generation: number,
  expiresAt: number,
  refreshToken: string | undefined = `rt${generation}`,
): Creds => ({
  accessToken: `at${generation}`,
  generation,
  expiresAt,
  ...(refreshToken ? { refreshToken } : {}),
});

function cache(store: CredentialStore<Creds>, refresh: (c: Creds) => Promise<Creds>) {
  return new TokenCache<Creds>({
    store,
    refresh,
    toAccessToken: (c) => ({ accessToken: c.accessToken }),
    refreshAheadMs: 1000,
    loginHint: 'run `nodex login codex`',
    provider: 'codex',
    now: () => NOW,
  });
}

describe('TokenCache', () => {
  it('hands out a fresh token without refreshing, and refreshes inside the ahead-of-expiry window', async () => {
    let refreshes = 0;
    const store = memoryStore(creds(1, NOW + 5000));
    const source = cache(store, async (c) => {
      refreshes += 1;
      return creds(c.generation + 1, NOW + 100_000);
    });
    expect((await source.getToken()).accessToken).toBe('at1');
    expect(refreshes).toBe(0);
    store.set(creds(1, NOW + 500));
    const inWindow = cache(store, async (c) => {
      refreshes += 1;
      return creds(c.generation + 1, NOW + 100_000);
    });
    expect((await inWindow.getToken()).accessToken).toBe('at2');
    expect(refreshes).toBe(1);
  });

  it('refreshAfterReject refreshes only while the current token is still the rejected one', async () => {
    let refreshes = 0;
    const store = memoryStore(creds(1, NOW + 100_000));
    const source = cache(store, async (c) => {
      refreshes += 1;
      return creds(c.generation + 1, NOW + 100_000);
    });
    expect((await source.refreshAfterReject('at1')).accessToken).toBe('at2');
    expect((await source.refreshAfterReject('at1')).accessToken).toBe('at2');
    expect(refreshes).toBe(1);
  });

  it('fails with credentials_expired and the login hint when expired without a refresh token', async () => {
    const source = cache(memoryStore(creds(1, NOW - 1, '')), async () => {
      throw new Error('must not refresh');
    });
    await expect(source.getToken()).rejects.toMatchObject({
      code: 'credentials_expired',
      message: expect.stringContaining('run `nodex login codex`'),
    });
  });

  it('fails with credentials_missing when the store is empty', async () => {
    const source = cache(memoryStore(undefined), async (c) => c);
    await expect(source.getToken()).rejects.toMatchObject({ code: 'credentials_missing' });
  });

  it('keeps working and warns when the refreshed credentials cannot be saved', async () => {
    const store = memoryStore(creds(1, NOW - 1));
    store.save = async () => {
      throw new Error('disk full');
    };
    const warnings: string[] = [];
    const source = new TokenCache<Creds>({
      store,
      refresh: async () => creds(2, NOW + 100_000),
      toAccessToken: (c) => ({ accessToken: c.accessToken }),
      refreshAheadMs: 0,
      loginHint: 'run `nodex login codex`',
      provider: 'codex',
      now: () => NOW,
      onWarning: (w) => warnings.push(w),
    });
    expect((await source.getToken()).accessToken).toBe('at2');
    expect(warnings).toEqual([expect.stringContaining('could not save the refreshed codex credentials')]);
  });

  it('does not retry transient refresh failures itself; a later call refreshes again', async () => {
    let calls = 0;
    const source = cache(memoryStore(creds(1, NOW - 1)), async () => {
      calls += 1;
      if (calls === 1) throw new NodexError('upstream_error', 'codex token refresh failed: HTTP 502');
      return creds(2, NOW + 100_000);
    });
    await expect(source.getToken()).rejects.toMatchObject({ code: 'upstream_error', retryable: true });
    expect((await source.getToken()).accessToken).toBe('at2');
  });

  it('an aborted caller stops waiting while the shared refresh completes for the others', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const source = cache(memoryStore(creds(1, NOW - 1)), async () => {
      await gate;
      return creds(2, NOW + 100_000);
    });
    const controller = new AbortController();
    const aborted = source.getToken(controller.signal);
    const patient = source.getToken();
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ code: 'aborted' });
    release();
    expect((await patient).accessToken).toBe('at2');
  });
});
