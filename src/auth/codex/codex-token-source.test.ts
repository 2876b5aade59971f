import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import {
  type FakeOpenAIAuth,
  type FakeTokenSet,
  startFakeOpenAIAuth,
} from '../../testing/fake-openai-auth.js';
import { type CodexOAuthSettings, resolveCodexOAuthSettings } from './codex-oauth-settings.js';
import { createCodexTokenSource } from './codex-token-source.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
let settings: CodexOAuthSettings;
let env: Record<string, string>;
let authPath: string;

beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth();
  settings = resolveCodexOAuthSettings(auth.config());
  env = { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex'), CODEX_HOME: join(dir.path, 'codex') };
  authPath = join(env.CODEX_HOME as string, 'auth.json');
});
afterEach(async () => {
  await auth.close();
  dir.cleanup();
});

/** A Codex-CLI auth.json with fields nodex does not know, top-level and nested. */
function writeCodexAuth(tokens: FakeTokenSet, lastRefresh = '2026-01-01T00:00:00Z'): void {
  mkdirSync(env.CODEX_HOME as string, { recursive: true });
  const file = {
    auth_mode: 'chatgpt',
    OPENAI_API_KEY: null,
    tokens: {
      id_token: tokens.id_token,
      access_token: tokens.access_token,
      refresh_token: tokens.refresh_token,
      account_id: 'acct-fake-0001',
      future_nested: { keep: true },
    },
    last_refresh: lastRefresh,
    agent_identity: null,
    x_future_top: { list: [1, 2] },
  };
  writeFileSync(authPath, JSON.stringify(file, null, 2), { mode: 0o600 });
}

const readAuth = () => JSON.parse(readFileSync(authPath, 'utf8'));

async function refreshDirectly(refreshToken: string): Promise<FakeTokenSet> {
  const res = await fetch(`${auth.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_id: settings.clientId,
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
    }),
  });
  return (await res.json()) as FakeTokenSet;
}

describe('createCodexTokenSource over a shared Codex CLI auth.json', () => {
  it('returns undefined when no store holds Codex credentials', () => {
    expect(createCodexTokenSource({ settings, env })).toBeUndefined();
  });

  it('refreshes an expired token and writes the rotation back: 0600, unknown fields kept, id_token a string, last_refresh updated, saved before handed out', async () => {
    const old = auth.issueTokens({ expiresIn: -60 });
    writeCodexAuth(old);
    const source = createCodexTokenSource({ settings, env });
    expect(source?.description).toBe(authPath);
    const started = Date.now();
    let atHandOut: ReturnType<typeof readAuth> | undefined;
    const token = await source?.getToken().then((t) => {
      atHandOut = readAuth(); // what is on disk the moment the caller gets the token
      return t;
    });
    expect(token?.accessToken).not.toBe(old.access_token);
    expect(token?.accountId).toBe('acct-fake-0001');
    expect(atHandOut?.tokens.access_token).toBe(token?.accessToken);
    expect(atHandOut?.tokens.refresh_token).not.toBe(old.refresh_token);
    const file = readAuth();
    expect(statSync(authPath).mode & 0o777).toBe(0o600);
    expect(file.x_future_top).toEqual({ list: [1, 2] });
    expect(file.agent_identity).toBeNull();
    expect(file.OPENAI_API_KEY).toBeNull();
    expect(file.auth_mode).toBe('chatgpt');
    expect(file.tokens.future_nested).toEqual({ keep: true });
    expect(file.tokens.account_id).toBe('acct-fake-0001');
    expect(typeof file.tokens.id_token).toBe('string');
    expect(file.tokens.id_token.split('.')).toHaveLength(3);
    expect(Date.parse(file.last_refresh)).toBeGreaterThanOrEqual(started - 1000);
    // The refresh went out as Codex sends it today: JSON, no scope (wire.md §1.4).
    const sent = auth.upstream.requests.find((r) => r.path === '/oauth/token');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.json).toEqual({
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      grant_type: 'refresh_token',
      refresh_token: old.refresh_token,
    });
    // The persisted refresh token is the live one: it refreshes again.
    expect((await refreshDirectly(file.tokens.refresh_token)).access_token).toBeTruthy();
  });

  it('merges 50 concurrent getToken() calls on an expired token into ONE refresh', async () => {
    writeCodexAuth(auth.issueTokens({ expiresIn: -60 }));
    const source = createCodexTokenSource({ settings, env });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source?.getToken()));
    expect(auth.counts.refresh).toBe(1);
    expect(new Set(tokens.map((t) => t?.accessToken)).size).toBe(1);
  });

  it('on refresh_token_reused, uses the newer tokens another process stored meanwhile', async () => {
    const old = auth.issueTokens({ expiresIn: -60 });
    writeCodexAuth(old);
    const source = createCodexTokenSource({ settings, env });
    const newer = await refreshDirectly(old.refresh_token); // the other process refreshed first…
    auth.onRefresh(() => writeCodexAuth(newer)); // …and saves while our refresh is in flight
    const token = await source?.getToken();
    expect(token?.accessToken).toBe(newer.access_token);
    expect(auth.counts.refresh).toBe(2);
  });

  it('on refresh_token_reused with nothing newer stored, fails with credentials_expired and the login hint, no secret', async () => {
    const old = auth.issueTokens({ expiresIn: -60 });
    writeCodexAuth(old);
    const source = createCodexTokenSource({ settings, env });
    await refreshDirectly(old.refresh_token); // used elsewhere, never saved here
    const error = await source?.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'credentials_expired',
      providerCode: 'refresh_token_reused',
      message: expect.stringContaining('run `nodex login codex`'),
    });
    expect(String((error as Error).message)).not.toContain(old.refresh_token);
  });

  it('re-reads the store before refreshing, so tokens another process already rotated are used without a refresh', async () => {
    const old = auth.issueTokens({ expiresIn: -60 });
    writeCodexAuth(old);
    let clock = Date.now() - 86_400_000; // a day ago the old token was still good
    const source = createCodexTokenSource({ settings, env, now: () => clock });
    expect((await source?.getToken())?.accessToken).toBe(old.access_token);
    writeCodexAuth(await refreshDirectly(old.refresh_token));
    clock = Date.now();
    const token = await source?.getToken();
    expect(token?.accessToken).toBe(readAuth().tokens.access_token);
    expect(auth.counts.refresh).toBe(1); // only the other process's
  });

  it('refreshAfterReject refreshes once for the rejected token and not again for a stale rejection', async () => {
    writeCodexAuth(auth.issueTokens());
    const source = createCodexTokenSource({ settings, env });
    const first = await source?.getToken();
    const retried = await source?.refreshAfterReject(first?.accessToken ?? '');
    expect(retried?.accessToken).not.toBe(first?.accessToken);
    const again = await source?.refreshAfterReject(first?.accessToken ?? '');
    expect(again?.accessToken).toBe(retried?.accessToken);
    expect(auth.counts.refresh).toBe(1);
  });

  it('sends the refresh scope only when configured', async () => {
    writeCodexAuth(auth.issueTokens({ expiresIn: -60 }));
    const scoped = resolveCodexOAuthSettings({ ...auth.config(), refresh_scope: 'openid profile email' });
    await createCodexTokenSource({ settings: scoped, env })?.getToken();
    expect(auth.upstream.requests.find((r) => r.path === '/oauth/token')?.json).toMatchObject({
      scope: 'openid profile email',
    });
  });
});
