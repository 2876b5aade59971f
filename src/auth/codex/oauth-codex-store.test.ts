import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from '../../testing/fake-openai-auth.js';
import { resolveCodexOAuthSettings } from './codex-oauth-settings.js';
import { createCodexTokenSource } from './codex-token-source.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth({ accountId: 'acct-oc' });
});
afterEach(async () => {
  await auth.close();
  dir.cleanup();
});

function writeOAuthCodex(folder: string, body: Record<string, unknown>, name = 'auth.json'): string {
  mkdirSync(join(dir.path, folder), { recursive: true });
  const path = join(dir.path, folder, name);
  writeFileSync(path, JSON.stringify(body, null, 2), { mode: 0o600 });
  return path;
}

describe('oauth-codex credential import', () => {
  it('uses ~/.oauth_codex/auth.json, refreshes it and writes back in its own format, unknown fields kept', async () => {
    const tokens = auth.issueTokens({ expiresIn: -60 });
    const path = writeOAuthCodex('.oauth_codex', {
      access_token: tokens.access_token,
      api_key: null,
      refresh_token: tokens.refresh_token,
      id_token: tokens.id_token,
      token_type: 'Bearer',
      scope: 'openid profile email offline_access',
      expires_at: Date.now() / 1000 - 60,
      account_id: null,
      last_refresh: 1767225600.5,
      extra_field: 'kept',
    });
    const env = { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex'), CODEX_HOME: join(dir.path, 'none') };
    const source = createCodexTokenSource({ settings: resolveCodexOAuthSettings(auth.config()), env });
    expect(source?.description).toBe(path);
    const token = await source?.getToken();
    expect(token?.accountId).toBe('acct-oc'); // from the id_token claim: account_id was null
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.access_token).toBe(token?.accessToken);
    expect(saved.refresh_token).not.toBe(tokens.refresh_token);
    expect(saved.extra_field).toBe('kept');
    expect(saved.scope).toBe('openid profile email offline_access');
    expect(typeof saved.expires_at).toBe('number');
    expect(saved.expires_at).toBeGreaterThan(Date.now() / 1000);
    expect(typeof saved.last_refresh).toBe('number');
    expect(saved.account_id).toBe('acct-oc');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('imports the legacy ~/.codex_oauth_llm/auth.json, but prefers the Codex CLI file and nodex store', async () => {
    const tokens = auth.issueTokens();
    const legacy = writeOAuthCodex('.codex_oauth_llm', {
      access_token: tokens.access_token,
      expires_at: null,
    });
    const env = { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex'), CODEX_HOME: join(dir.path, 'codex') };
    const settings = resolveCodexOAuthSettings(auth.config());
    const source = createCodexTokenSource({ settings, env });
    expect(source?.description).toBe(legacy);
    expect((await source?.getToken())?.accessToken).toBe(tokens.access_token);
    const codexCli = writeOAuthCodex('codex', { tokens: { access_token: 'cli-token' } });
    expect(createCodexTokenSource({ settings, env })?.description).toBe(codexCli);
    const own = writeOAuthCodex(
      '.nodex/credentials',
      { tokens: { access_token: 'own-token' } },
      'codex.json',
    );
    expect(createCodexTokenSource({ settings, env })?.description).toBe(own);
  });
});
