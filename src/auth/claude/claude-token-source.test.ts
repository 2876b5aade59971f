import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import {
  type FakeClaudeAuth,
  type FakeClaudeTokenSet,
  startFakeClaudeAuth,
} from '../../testing/fake-claude-auth.js';
import { nodexClaudeCredentialsPath } from './claude-credential-sources.js';
import { type ClaudeOAuthSettings, resolveClaudeOAuthSettings } from './claude-oauth-settings.js';
import { createClaudeTokenSource } from './claude-token-source.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeClaudeAuth;
let settings: ClaudeOAuthSettings;
let env: Record<string, string>;
let claudePath: string;

beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeClaudeAuth();
  settings = resolveClaudeOAuthSettings(auth.config());
  env = { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex'), CLAUDE_CONFIG_DIR: join(dir.path, 'claude') };
  claudePath = join(dir.path, 'claude', '.credentials.json');
});
afterEach(async () => {
  await auth.close();
  dir.cleanup();
});

const SCOPES = ['user:file_upload', 'user:inference', 'user:profile', 'user:sessions:claude_code'];

/** Claude Code's file as it writes it (compact), with fields and top-level keys nodex does not know. */
function writeClaudeCode(
  tokens: FakeClaudeTokenSet,
  expiresAt = Date.now() + tokens.expires_in * 1000,
): void {
  mkdirSync(join(dir.path, 'claude'), { recursive: true });
  const file = {
    claudeAiOauth: {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      expiresAt,
      refreshTokenExpiresAt: 1_788_322_307_181,
      scopes: SCOPES,
      subscriptionType: 'max',
      rateLimitTier: 'default_claude_max_20x',
      futureField: { keep: [1, 2] },
    },
    mcpOAuth: { 'linear|abc': { accessToken: 'mcp-token', expiresAt: 1 } },
    enterpriseGateway: null,
  };
  writeFileSync(claudePath, JSON.stringify(file), { mode: 0o600 });
}

const readClaude = () => JSON.parse(readFileSync(claudePath, 'utf8'));

async function refreshDirectly(refreshToken: string): Promise<FakeClaudeTokenSet> {
  const res = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'claude-cli/2.1.220 (external, cli)' },
    body: JSON.stringify({
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      client_id: settings.clientId,
    }),
  });
  return (await res.json()) as FakeClaudeTokenSet;
}

describe('createClaudeTokenSource over Claude Code’s .credentials.json', () => {
  it('returns undefined when no source holds a Claude login (a file with only MCP entries does not count)', () => {
    expect(createClaudeTokenSource({ settings, env })).toBeUndefined();
    mkdirSync(join(dir.path, 'claude'));
    writeFileSync(claudePath, JSON.stringify({ mcpOAuth: { x: {} } }));
    expect(createClaudeTokenSource({ settings, env })).toBeUndefined();
  });

  it('refreshes an expired token once and writes the rotated pair back: ms expiresAt, 0600, every other field and key kept, compact layout', async () => {
    const old = auth.issueTokens();
    writeClaudeCode(old, Date.now() - 60_000);
    const source = createClaudeTokenSource({ settings, env });
    expect(source?.description).toBe(claudePath);
    const before = Date.now();
    let atHandOut: ReturnType<typeof readClaude> | undefined;
    const token = await source?.getToken().then((t) => {
      atHandOut = readClaude(); // on disk the moment the caller gets the token
      return t;
    });
    expect(token?.accessToken).not.toBe(old.access_token);
    expect(token?.accessToken).toMatch(/^sk-ant-oat01-fake-/);
    expect(token?.planType).toBe('max');
    expect(atHandOut?.claudeAiOauth.accessToken).toBe(token?.accessToken);
    const file = readClaude();
    expect(statSync(claudePath).mode & 0o777).toBe(0o600);
    expect(readFileSync(claudePath, 'utf8')).not.toContain('\n');
    expect(file.claudeAiOauth.refreshToken).not.toBe(old.refresh_token);
    expect(auth.isValidAccessToken(file.claudeAiOauth.accessToken)).toBe(true);
    // Epoch MILLISECONDS, 8 h ahead (wire.md §4.3).
    expect(file.claudeAiOauth.expiresAt).toBeGreaterThanOrEqual(before + 28_800_000 - 1000);
    expect(file.claudeAiOauth.expiresAt).toBeLessThan(Date.now() + 28_800_000 + 1000);
    expect(file.claudeAiOauth.refreshTokenExpiresAt).toBeGreaterThan(before + 2_394_082_000 - 1000);
    expect(file).toEqual({
      claudeAiOauth: {
        accessToken: token?.accessToken,
        refreshToken: file.claudeAiOauth.refreshToken,
        expiresAt: file.claudeAiOauth.expiresAt,
        refreshTokenExpiresAt: file.claudeAiOauth.refreshTokenExpiresAt,
        scopes: [
          'user:file_upload',
          'user:inference',
          'user:mcp_servers',
          'user:profile',
          'user:sessions:claude_code',
        ],
        subscriptionType: 'max',
        rateLimitTier: 'default_claude_max_20x',
        futureField: { keep: [1, 2] },
      },
      mcpOAuth: { 'linear|abc': { accessToken: 'mcp-token', expiresAt: 1 } },
      enterpriseGateway: null,
    });
    expect(Object.keys(file.claudeAiOauth)[0]).toBe('accessToken'); // order kept
    expect(auth.counts.refresh).toBe(1);
    // The refresh went out as Claude Code sends it: JSON, CLI user agent, the stored scopes.
    const sent = auth.upstream.requests.find((r) => r.path === '/v1/oauth/token');
    expect(sent?.headers['content-type']).toBe('application/json');
    expect(sent?.headers['user-agent']).toBe('claude-cli/2.1.220 (external, cli)');
    expect(sent?.json).toEqual({
      grant_type: 'refresh_token',
      refresh_token: old.refresh_token,
      client_id: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
      scope: SCOPES.join(' '),
    });
  });

  it('treats a token as expired 5 minutes early, as Claude Code does', async () => {
    writeClaudeCode(auth.issueTokens(), Date.now() + 4 * 60_000);
    await createClaudeTokenSource({ settings, env })?.getToken();
    expect(auth.counts.refresh).toBe(1);
  });

  it('merges 20 concurrent getToken() calls on an expired token into ONE refresh', async () => {
    writeClaudeCode(auth.issueTokens(), Date.now() - 1);
    const source = createClaudeTokenSource({ settings, env });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => source?.getToken()));
    expect(auth.counts.refresh).toBe(1);
    expect(new Set(tokens.map((t) => t?.accessToken)).size).toBe(1);
  });

  it('on invalid_grant, re-reads the file and uses the pair Claude Code refreshed meanwhile', async () => {
    const old = auth.issueTokens();
    writeClaudeCode(old, Date.now() - 1);
    const source = createClaudeTokenSource({ settings, env });
    const newer = await refreshDirectly(old.refresh_token); // Claude Code refreshed first…
    auth.onRefresh(() => writeClaudeCode(newer)); // …and saves while nodex's refresh is in flight
    const token = await source?.getToken();
    expect(token?.accessToken).toBe(newer.access_token);
    expect(auth.counts.refresh).toBe(2);
  });

  it('on invalid_grant with nothing newer, fails with credentials_expired and the login hint, no secret', async () => {
    const old = auth.issueTokens();
    writeClaudeCode(old, Date.now() - 1);
    const source = createClaudeTokenSource({ settings, env });
    await refreshDirectly(old.refresh_token); // used elsewhere, never saved here
    const error = await source?.getToken().catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'credentials_expired',
      providerCode: 'invalid_grant',
      message: expect.stringContaining('run `nodex login claude`'),
    });
    expect(String((error as Error).message)).not.toContain(old.refresh_token);
  });

  it('a malformed file fails with credentials_missing naming the file, never its content', async () => {
    mkdirSync(join(dir.path, 'claude'));
    writeFileSync(claudePath, '{"claudeAiOauth":{"accessToken":"sk-ant-oat01-secret-value","refreshTo');
    const error = await createClaudeTokenSource({ settings, env })
      ?.getToken()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'credentials_missing' });
    expect((error as Error).message).toContain(
      `cannot use the credentials in ${claudePath}: the JSON ends early`,
    );
    expect((error as Error).message).not.toContain('secret-value');
    writeFileSync(claudePath, JSON.stringify({ claudeAiOauth: { accessToken: 42 } }));
    const wrongType = await createClaudeTokenSource({ settings, env })
      ?.getToken()
      .catch((e: unknown) => e);
    expect((wrongType as Error).message).toContain('claudeAiOauth.accessToken: expected string');
  });

  it('prefers nodex’s own store, then the Claude Code file, then CLAUDE_CODE_OAUTH_TOKEN', async () => {
    const viaEnv = createClaudeTokenSource({
      settings,
      env: { ...env, CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-env' },
    });
    expect(viaEnv?.description).toBe('CLAUDE_CODE_OAUTH_TOKEN');
    expect((await viaEnv?.getToken())?.accessToken).toBe('sk-ant-oat01-env');
    // A bare token cannot be refreshed: a rejection ends with the login hint.
    await expect(viaEnv?.refreshAfterReject('sk-ant-oat01-env')).rejects.toMatchObject({
      code: 'credentials_expired',
    });
    writeClaudeCode(auth.issueTokens());
    expect(createClaudeTokenSource({ settings, env })?.description).toBe(claudePath);
    const own = nodexClaudeCredentialsPath(env.NODEX_HOME as string);
    mkdirSync(join(own, '..'), { recursive: true });
    writeFileSync(own, JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat01-own' } }));
    const source = createClaudeTokenSource({ settings, env });
    expect(source?.description).toBe(own);
    expect((await source?.getToken())?.accessToken).toBe('sk-ant-oat01-own');
  });

  it('refreshAfterReject refreshes once for the rejected token, not again for a stale rejection', async () => {
    writeClaudeCode(auth.issueTokens());
    const source = createClaudeTokenSource({ settings, env });
    const first = await source?.getToken();
    const retried = await source?.refreshAfterReject(first?.accessToken ?? '');
    expect(retried?.accessToken).not.toBe(first?.accessToken);
    const again = await source?.refreshAfterReject(first?.accessToken ?? '');
    expect(again?.accessToken).toBe(retried?.accessToken);
    expect(auth.counts.refresh).toBe(1);
  });

  it('reads an RFC 3339 expiresAt, and `refresh_scope: none` sends no scope', async () => {
    const old = auth.issueTokens();
    mkdirSync(join(dir.path, 'claude'), { recursive: true });
    const expired = new Date(Date.now() - 60_000).toISOString();
    writeFileSync(
      claudePath,
      `${JSON.stringify({ claudeAiOauth: { accessToken: old.access_token, refreshToken: old.refresh_token, expiresAt: expired, scopes: SCOPES } }, null, 2)}\n`,
    );
    const noScope = resolveClaudeOAuthSettings({ ...auth.config(), refresh_scope: 'none' });
    await createClaudeTokenSource({ settings: noScope, env })?.getToken();
    expect(auth.upstream.requests.at(-1)?.json).not.toHaveProperty('scope');
    expect(typeof readClaude().claudeAiOauth.expiresAt).toBe('number');
    expect(readFileSync(claudePath, 'utf8')).toContain('\n  '); // an indented file stays indented
  });
});
