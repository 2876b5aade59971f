import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from '../../testing/fake-openai-auth.js';
import { type CodexLoginOptions, loginCodex } from './codex-login.js';
import { nodexCodexCredentialsPath } from './codex-nodex-store.js';
import { type CodexOAuthSettings, resolveCodexOAuthSettings } from './codex-oauth-settings.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
let settings: CodexOAuthSettings;
beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth({ accountId: 'acct-login', email: 'login@example.com', planType: 'pro' });
  settings = resolveCodexOAuthSettings(auth.config());
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

function options(extra: Partial<CodexLoginOptions>): CodexLoginOptions {
  return {
    settings,
    mode: 'browser',
    print: () => undefined,
    env: { HOME: dir.path },
    home: join(dir.path, '.nodex'),
    ...extra,
  };
}

describe('loginCodex', () => {
  it('browser: the callback completes the login and stores 0600 credentials with the account id', async () => {
    const printed: string[] = [];
    let page: Promise<Response> | undefined;
    const result = await loginCodex(
      options({
        print: (line) => printed.push(line),
        openBrowser: (url) => {
          page = playBrowser(url);
        },
      }),
    );
    expect((await page)?.status).toBe(200);
    expect(result).toMatchObject({ accountId: 'acct-login', email: 'login@example.com', planType: 'pro' });
    const path = nodexCodexCredentialsPath(join(dir.path, '.nodex'));
    expect(result.store).toEqual({ kind: 'nodex-file', owner: 'nodex', location: path });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    expect(saved.tokens.account_id).toBe('acct-login');
    expect(typeof saved.tokens.id_token).toBe('string');
    expect(printed.some((line) => line.startsWith(`${auth.url}/oauth/authorize?`))).toBe(true);
    // The code was exchanged with the redirect URI of the callback server that received it.
    const exchange = auth.upstream.requests.find((r) => r.path === '/oauth/token');
    expect(new URLSearchParams(exchange?.body).get('redirect_uri')).toMatch(
      /^http:\/\/localhost:\d+\/auth\/callback$/,
    );
  });

  it('browser: a state mismatch fails the login with a clear error and stores nothing', async () => {
    const login = loginCodex(
      options({
        openBrowser: (url) =>
          void playBrowser(url, (location) => location.searchParams.set('state', 'forged')),
      }),
    );
    await expect(login).rejects.toThrow(/state mismatch/);
    expect(auth.counts.exchange).toBe(0);
  });

  it('browser: access_denied for a workspace without Codex is explained', async () => {
    auth.failNextAuthorize('access_denied', 'missing_codex_entitlement');
    await expect(
      loginCodex(
        options({
          openBrowser: (url) => {
            playBrowser(url).catch(() => undefined);
          },
        }),
      ),
    ).rejects.toThrow(/workspace has no Codex access/);
  });

  it('paste (--no-browser): reads the redirect URL the user copied and checks its state', async () => {
    let redirect = '';
    const printed: string[] = [];
    const result = await loginCodex(
      options({
        mode: 'paste',
        print: (line) => printed.push(line),
        readLine: async () => {
          const url = printed.find((line) => line.includes('/oauth/authorize?')) ?? '';
          redirect = (await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '';
          return `  ${redirect}\n`;
        },
      }),
    );
    expect(redirect).toMatch(/^http:\/\/localhost:1455\/auth\/callback\?code=/);
    expect(result.accountId).toBe('acct-login');
    const forged = loginCodex(
      options({
        mode: 'paste',
        readLine: async () => 'http://localhost:1455/auth/callback?code=x&state=nope',
      }),
    );
    await expect(forged).rejects.toThrow(/state mismatch/);
  });

  it('device: prints the code, polls while pending, completes once approved', async () => {
    const printed: string[] = [];
    let waiting = 0;
    const login = loginCodex(
      options({
        mode: 'device',
        print: (line) => printed.push(line),
        onWaiting: (status) => {
          if (status) waiting += 1;
        },
      }),
    );
    // Approve only after the fake has answered "pending" at least once.
    auth.upstream.script({
      method: 'POST',
      path: '/api/accounts/deviceauth/token',
      times: 1,
      reply: () => {
        auth.approveDevice();
        return { status: 403, json: { error: 'authorization_pending' } };
      },
    });
    const result = await login;
    expect(result.accountId).toBe('acct-login');
    expect(printed[0]).toMatch(
      new RegExp(`^Open ${auth.url}/codex/device and enter this code: [0-9A-F]{4}-[0-9A-F]{4}$`),
    );
    expect(auth.counts.devicePolls).toBe(1); // the scripted pending answer came first, then the real approval
    const exchange = auth.upstream.requests.find((r) => r.path === '/oauth/token');
    expect(new URLSearchParams(exchange?.body).get('redirect_uri')).toBe(`${auth.url}/deviceauth/callback`);
    expect(waiting).toBe(1);
  });

  it('device: a 404 says device login is disabled; an abort cancels the wait', async () => {
    const disabled = await startFakeOpenAIAuth({ deviceDisabled: true });
    try {
      const off = resolveCodexOAuthSettings(disabled.config());
      await expect(loginCodex(options({ settings: off, mode: 'device' }))).rejects.toMatchObject({
        code: 'not_supported',
      });
    } finally {
      await disabled.close();
    }
    const slow = await startFakeOpenAIAuth({ deviceInterval: '3600' });
    try {
      const controller = new AbortController();
      const login = loginCodex(
        options({
          settings: resolveCodexOAuthSettings(slow.config()),
          mode: 'device',
          signal: controller.signal,
          onWaiting: (status) => {
            if (status) controller.abort();
          },
        }),
      );
      await expect(login).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      await slow.close();
    }
  });
});
