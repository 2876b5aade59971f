import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { type FakeClaudeAuth, startFakeClaudeAuth } from '../../testing/fake-claude-auth.js';
import { nodexClaudeCredentialsPath } from './claude-credential-sources.js';
import { type ClaudeLoginOptions, loginClaude } from './claude-login.js';
import { type ClaudeOAuthSettings, resolveClaudeOAuthSettings } from './claude-oauth-settings.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeClaudeAuth;
let settings: ClaudeOAuthSettings;
beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeClaudeAuth({ email: 'login@example.com' });
  settings = resolveClaudeOAuthSettings(auth.config());
});
afterEach(async () => {
  await auth.close();
  dir.cleanup();
});

/** The browser: follows the authorize URL to its 302, then loads the Location on 127.0.0.1. */
async function playBrowser(url: string, tamper?: (location: URL) => void): Promise<Response> {
  const authorize = await fetch(url, { redirect: 'manual' });
  const location = new URL(authorize.headers.get('location') ?? '');
  location.hostname = '127.0.0.1'; // the redirect names localhost; the server binds 127.0.0.1 only
  tamper?.(location);
  return fetch(location);
}

const home = () => join(dir.path, '.nodex');

function options(extra: Partial<ClaudeLoginOptions>): ClaudeLoginOptions {
  return {
    settings,
    mode: 'browser',
    print: () => undefined,
    env: { HOME: dir.path },
    home: home(),
    ...extra,
  };
}

describe('loginClaude', () => {
  it('browser: the localhost callback completes the login; credentials stored 0600 in Claude Code’s format', async () => {
    const printed: string[] = [];
    let page: Promise<Response> | undefined;
    const result = await loginClaude(
      options({
        print: (line) => printed.push(line),
        openBrowser: (url) => {
          page = playBrowser(url);
        },
      }),
    );
    expect((await page)?.status).toBe(200);
    const path = nodexClaudeCredentialsPath(home());
    expect(result).toMatchObject({
      email: 'login@example.com',
      store: { kind: 'nodex-file', owner: 'nodex', location: path },
    });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(auth.isValidAccessToken(saved.claudeAiOauth.accessToken)).toBe(true);
    expect(saved.claudeAiOauth.refreshToken).toMatch(/^sk-ant-ort01-fake-/);
    expect(saved.claudeAiOauth.expiresAt).toBeGreaterThan(Date.now() + 28_000_000);
    expect(saved.nodexAccount).toEqual({
      email: 'login@example.com',
      organization: "fake@example.com's Organization",
    });
    const url = new URL(printed.find((line) => line.startsWith(auth.config().authorize_url)) ?? '');
    expect([...url.searchParams.keys()]).toEqual([
      'code',
      'client_id',
      'response_type',
      'redirect_uri',
      'scope',
      'code_challenge',
      'code_challenge_method',
      'state',
    ]);
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/localhost:\d+\/callback$/);
    // The exchange: JSON, keys in Claude Code's order, state included, the callback's redirect URI.
    const exchange = auth.upstream.requests.find((r) => r.path === '/v1/oauth/token');
    expect(Object.keys(exchange?.json as object)).toEqual([
      'grant_type',
      'code',
      'redirect_uri',
      'client_id',
      'code_verifier',
      'state',
    ]);
    expect(exchange?.json).toMatchObject({
      redirect_uri: url.searchParams.get('redirect_uri'),
      state: url.searchParams.get('state'),
    });
  });

  it('browser: a state mismatch fails the login with a clear error and exchanges nothing', async () => {
    const login = loginClaude(
      options({
        openBrowser: (url) =>
          void playBrowser(url, (location) => location.searchParams.set('state', 'forged')),
      }),
    );
    await expect(login).rejects.toThrow(/state mismatch/);
    expect(auth.counts.exchange).toBe(0);
  });

  it('paste: the `code#state` Claude’s page shows completes the login with the manual redirect URI', async () => {
    let shown = '';
    const result = await loginClaude(
      options({
        mode: 'paste',
        print: (line) => {
          if (line.startsWith(auth.config().authorize_url)) shown = line;
        },
        readLine: async () => (await fetch(shown)).text(), // the page shows code#state
      }),
    );
    expect(result.email).toBe('login@example.com');
    const exchange = auth.upstream.requests.find((r) => r.path === '/v1/oauth/token');
    expect(exchange?.json).toMatchObject({ redirect_uri: 'https://platform.claude.com/oauth/code/callback' });
  });

  it('paste: a pasted code from another login is refused', async () => {
    const login = loginClaude(options({ mode: 'paste', readLine: async () => 'ac_x#not-our-state' }));
    await expect(login).rejects.toMatchObject({
      code: 'upstream_unauthorized',
      message: expect.stringMatching(/state mismatch/),
    });
  });

  it('an aborted login stops the callback server and stores nothing', async () => {
    const controller = new AbortController();
    const login = loginClaude(options({ signal: controller.signal, openBrowser: () => controller.abort() }));
    await expect(login).rejects.toMatchObject({ code: 'aborted' });
    expect(() => statSync(nodexClaudeCredentialsPath(home()))).toThrow();
  });
});
