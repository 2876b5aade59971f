import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { type FakeCodex, startFakeCodex } from '../../testing/fake-codex.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from '../../testing/fake-openai-auth.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
let codex: FakeCodex;
let env: Record<string, string>;
let configPath: string;
let authFile: string;

beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth({ accountId: 'acct_e2e', planType: 'pro', email: 'dev@example.com' });
  codex = await startFakeCodex();
  env = { CODEX_HOME: join(dir.path, 'codex-home') };
  configPath = join(dir.path, 'config.yaml');
  writeFileSync(
    configPath,
    stringify({ providers: { codex: { base_url: codex.baseUrl, oauth: auth.config() } } }),
  );
  // A Codex CLI login whose access token expired a minute ago, with fields nodex does not know.
  const tokens = auth.issueTokens({ expiresIn: -60 });
  mkdirSync(env.CODEX_HOME as string, { recursive: true });
  authFile = join(env.CODEX_HOME as string, 'auth.json');
  writeFileSync(
    authFile,
    JSON.stringify({
      auth_mode: 'chatgpt',
      OPENAI_API_KEY: null,
      tokens: {
        id_token: tokens.id_token,
        access_token: tokens.access_token,
        refresh_token: tokens.refresh_token,
        account_id: 'acct_e2e',
      },
      last_refresh: '2026-01-01T00:00:00Z',
      codex_extra: { keep: true },
    }),
    { mode: 0o600 },
  );
});
afterEach(async () => {
  await codex.close();
  await auth.close();
  dir.cleanup();
});

async function cli(args: string[]) {
  const captured = captureIo(dir.path, env);
  const code = await runCli(['--config', configPath, ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex exec through the Codex provider (fake ChatGPT backend and auth server)', () => {
  it('refreshes the expired Codex CLI login once, writes it back, and streams the answer', async () => {
    const result = await cli([
      'exec',
      '--model',
      'gpt-5.3-codex',
      '--prompt',
      'hello',
      '--log-requests',
      'req.json',
    ]);
    expect(result).toEqual({ code: 0, stdout: 'Hello! How can I help you today?\n', stderr: '' });
    expect(auth.counts.refresh).toBe(1);
    const [sent] = codex.responses();
    const saved = JSON.parse(readFileSync(authFile, 'utf8'));
    expect(sent?.headers.authorization).toBe(`Bearer ${saved.tokens.access_token}`);
    expect(sent?.headers['chatgpt-account-id']).toBe('acct_e2e');
    expect(sent?.headers.accept).toBe('text/event-stream');
    expect(sent?.json).toMatchObject({
      model: 'gpt-5.3-codex',
      instructions: 'You are a helpful assistant.',
      input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hello' }] }],
      store: false,
      stream: true,
      include: ['reasoning.encrypted_content'],
    });
    expect(saved).toMatchObject({
      auth_mode: 'chatgpt',
      codex_extra: { keep: true },
      tokens: { account_id: 'acct_e2e' },
    });
    expect(typeof saved.tokens.id_token).toBe('string');
    expect(saved.last_refresh).not.toBe('2026-01-01T00:00:00Z');
    expect(statSync(authFile).mode & 0o777).toBe(0o600);
    const logged = readFileSync(join(dir.path, 'req.json'), 'utf8');
    expect(logged).not.toContain(saved.tokens.access_token);
    expect(JSON.parse(logged)).toMatchObject({
      url: `${codex.baseUrl}/responses`,
      body: { model: 'gpt-5.3-codex' },
    });
  });

  it('--json streams the v1 events of the Codex fixture, quota included', async () => {
    const { code, stdout } = await cli(['exec', '-m', 'gpt-5.3-codex', '--json', '-p', 'hi']);
    expect(code).toBe(0);
    const events = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events[0]).toMatchObject({
      type: 'response_started',
      model: 'gpt-5.5',
      quota: { provider: 'codex', primary: { used_percent: expect.any(Number) } },
    });
    expect(events.map((e: { type: string }) => e.type)).toContain('reasoning_done');
    expect(events.at(-1)).toMatchObject({ type: 'response_completed', finish_reason: 'stop' });
  });

  it('a 429 usage limit is a runtime failure with plan and reset time', async () => {
    codex.enqueue({ mode: 'usage-limit', planType: 'plus', resetsInSeconds: 7200 });
    const result = await cli(['exec', '-m', 'gpt-5.3-codex', '-p', 'x']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/usage limit.*plus.*\(upstream_usage_limit\)/i);
  });

  it('auth status shows the Codex CLI login (account, plan, expiry), nothing secret', async () => {
    const text = await cli(['auth', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('acct_e2e');
    const json = JSON.parse((await cli(['auth', 'status', '--json'])).stdout);
    const codexStatus = json.providers.find((s: { provider: string }) => s.provider === 'codex');
    expect(codexStatus).toMatchObject({
      logged_in: true,
      account_id: 'acct_e2e',
      plan: 'pro',
      email: 'dev@example.com',
      expired: true,
      refreshable: true,
    });
    expect(JSON.stringify(json)).not.toContain(
      JSON.parse(readFileSync(authFile, 'utf8')).tokens.refresh_token,
    );
  });
});
