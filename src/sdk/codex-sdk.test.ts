import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../testing/capture-io.js';
import { type FakeCodex, startFakeCodex } from '../testing/fake-codex.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from '../testing/fake-openai-auth.js';
import { SDKRequestError } from './errors.js';
import { Nodex } from './nodex.js';
import type { NodexOptions } from './nodex-options.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
let codex: FakeCodex;
let clients: Nodex[] = [];

beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth({ accountId: 'acct_sdk', planType: 'plus' });
  codex = await startFakeCodex();
});
afterEach(async () => {
  for (const client of clients) client.close();
  clients = [];
  await codex.close();
  await auth.close();
  dir.cleanup();
});

const env = () => ({
  HOME: dir.path,
  NODEX_HOME: join(dir.path, '.nodex'),
  CODEX_HOME: join(dir.path, '.codex'),
});

function client(options: NodexOptions = {}): Nodex {
  const created = new Nodex({
    env: env(),
    autoLogin: false,
    providerConfig: { codex: { base_url: codex.baseUrl, oauth: auth.config() } },
    ...options,
  });
  clients.push(created);
  return created;
}

function codexCliLogin(expiresIn: number): string {
  const tokens = auth.issueTokens({ expiresIn });
  mkdirSync(join(dir.path, '.codex'), { recursive: true });
  const path = join(dir.path, '.codex', 'auth.json');
  writeFileSync(
    path,
    JSON.stringify({
      auth_mode: 'chatgpt',
      tokens: {
        id_token: tokens.id_token,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        account_id: 'acct_sdk',
      },
      last_refresh: new Date().toISOString(),
    }),
    { mode: 0o600 },
  );
  return path;
}

describe('SDK over the Codex provider', () => {
  it('create: the Codex answer as an OpenAI Response, with the quota snapshot', async () => {
    codexCliLogin(3600);
    const response = await client().responses.create({
      model: 'gpt-5.3-codex',
      input: 'hi',
      reasoning: { effort: 'low' },
    });
    expect(response).toMatchObject({
      status: 'completed',
      output_text: 'Hello! How can I help you today?',
      provider: 'codex',
      finish_reason: 'stop',
    });
    expect(response.usage?.input_tokens_details.cached_tokens).toBe(1920);
    expect(response.quota).toMatchObject({
      provider: 'codex',
      primary: { used_percent: expect.any(Number), window_minutes: expect.any(Number) },
    });
    expect(codex.responses()[0]?.json).toMatchObject({
      model: 'gpt-5.3-codex',
      reasoning: { effort: 'low', summary: 'auto' },
      store: false,
      stream: true,
    });
  });

  it('a usage limit rejects create() with an SDKRequestError carrying the plan and reset', async () => {
    codexCliLogin(3600);
    codex.enqueue({ mode: 'usage-limit', planType: 'plus', resetsInSeconds: 3600 });
    const error = await client()
      .responses.create({ model: 'gpt-5.3-codex', input: 'x', stream: true })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SDKRequestError);
    expect(error).toMatchObject({
      statusCode: 429,
      code: 'upstream_usage_limit',
      providerCode: 'usage_limit_reached',
      retryAfterMs: expect.any(Number),
    });
  });

  it('5xx is retried up to maxRetries; maxRetries: 0 fails at once', async () => {
    codexCliLogin(3600);
    codex.enqueue({ status: 502, json: { detail: 'bad gateway' } });
    const ok = await client().responses.create({ model: 'gpt-5.3-codex', input: 'x' });
    expect(ok.status).toBe('completed');
    expect(codex.responses()).toHaveLength(2);
    codex.enqueue({ status: 503, json: { detail: 'unavailable' } });
    await expect(
      client({ maxRetries: 0 }).responses.create({ model: 'gpt-5.3-codex', input: 'x' }),
    ).rejects.toMatchObject({ retryable: true });
    expect(codex.responses()).toHaveLength(3);
  });

  it('an expired token is refreshed once before the request; onAuthRefresh fires', async () => {
    codexCliLogin(-60);
    const refreshed: unknown[] = [];
    const nodex = client({ hooks: { onAuthRefresh: (info) => refreshed.push(info) } });
    expect(await nodex.isExpired()).toBe(true);
    expect(await nodex.isAuthenticated()).toBe(false);
    await nodex.responses.create({ model: 'gpt-5.3-codex', input: 'x' });
    expect(auth.counts.refresh).toBe(1);
    expect(refreshed).toEqual([{ provider: 'codex', accountId: 'acct_sdk' }]);
    expect(await nodex.isAuthenticated()).toBe(true);
    expect(await nodex.refreshIfNeeded()).toBe(false);
    expect(await nodex.refreshIfNeeded(true)).toBe(true);
    expect(auth.counts.refresh).toBe(2);
  });

  it('without credentials: a clear error naming the login command (autoLogin off)', async () => {
    const nodex = client();
    await expect(nodex.responses.create({ model: 'gpt-5.3-codex', input: 'x' })).rejects.toMatchObject({
      code: 'provider_unavailable',
      message: expect.stringContaining('nodex login codex'),
    });
    await expect(nodex.refreshIfNeeded()).rejects.toMatchObject({ code: 'credentials_missing' });
  });

  it('autoLogin signs in through the browser flow on first use, then answers', async () => {
    const printed: string[] = [];
    const nodex = client({
      autoLogin: true,
      loginOptions: {
        print: (line) => printed.push(line),
        // The test plays the browser: the authorize URL redirects to nodex's localhost callback.
        openBrowser: (url) => {
          void (async () => {
            const authorize = await fetch(url, { redirect: 'manual' });
            await fetch(authorize.headers.get('location') as string);
          })();
        },
      },
    });
    const response = await nodex.responses.create({ model: 'gpt-5.3-codex', input: 'x' });
    expect(response.output_text).toBe('Hello! How can I help you today?');
    expect(auth.counts.exchange).toBe(1);
    expect(printed.join('\n')).toContain('/oauth/authorize?');
    expect(await nodex.isAuthenticated()).toBe(true);
    expect(
      JSON.parse(readFileSync(join(dir.path, '.nodex', 'credentials', 'codex.json'), 'utf8')).tokens
        .account_id,
    ).toBe('acct_sdk');
  });

  it('imports an oauth-codex login (~/.oauth_codex/auth.json) without a new sign-in', async () => {
    const tokens = auth.issueTokens({ expiresIn: 3600 });
    mkdirSync(join(dir.path, '.oauth_codex'), { recursive: true });
    writeFileSync(
      join(dir.path, '.oauth_codex', 'auth.json'),
      JSON.stringify({
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        id_token: tokens.id_token,
        expires_at: Date.now() / 1000 + 3600,
        account_id: 'acct_sdk',
        token_type: 'Bearer',
      }),
    );
    const response = await client().responses.create({ model: 'gpt-5.3-codex', input: 'x' });
    expect(response.status).toBe('completed');
    expect(codex.responses()[0]?.headers.authorization).toBe(`Bearer ${tokens.access_token}`);
  });
});
