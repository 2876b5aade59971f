import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Provider } from '../../core/provider.js';
import { userText } from '../../core/request.js';
import { tempDir } from '../../testing/capture-io.js';
import { type FakeAnthropic, startFakeAnthropic } from '../../testing/fake-anthropic.js';
import { fixtureText } from '../../testing/fixtures.js';
import { ProviderUnavailableError } from '../provider-factory.js';
import { anthropicFactory } from './anthropic-factory.js';

let dir: ReturnType<typeof tempDir>;
let fake: FakeAnthropic;
beforeEach(async () => {
  dir = tempDir();
  fake = await startFakeAnthropic();
});
afterEach(async () => {
  await fake.close();
  dir.cleanup();
});

function build(section: Record<string, unknown>, env: Record<string, string> = {}): Provider {
  const options = anthropicFactory.schema.parse(section);
  return anthropicFactory.create('anthropic', options, {
    env: { HOME: dir.path, NODEX_ANTHROPIC_BASE_URL: fake.url, ...env },
    home: join(dir.path, '.nodex'),
  });
}

function unavailable(section: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    build(section, env);
  } catch (error) {
    if (error instanceof ProviderUnavailableError) return error.reason;
    throw error;
  }
  throw new Error('expected ProviderUnavailableError');
}

async function run(provider: Provider, providerKey?: string): Promise<void> {
  const events = [];
  for await (const e of provider.stream(
    { model: 'claude-sonnet-4-5', input: [userText('hi')] },
    providerKey ? { providerKey } : {},
  ))
    events.push(e);
  expect(events.at(-1)).toMatchObject({ type: 'response_completed' });
}

function writeClaudeCode(): void {
  mkdirSync(join(dir.path, '.claude'));
  const file = JSON.parse(fixtureText('claude-credentials.json'));
  file.claudeAiOauth.expiresAt = Date.now() + 3_600_000;
  writeFileSync(join(dir.path, '.claude', '.credentials.json'), JSON.stringify(file));
}

describe('anthropicFactory', () => {
  it('is unavailable without a login or a key, and says what to do', () => {
    expect(unavailable({})).toBe(
      'no Claude login or API key: run `nodex login claude` or set ANTHROPIC_API_KEY',
    );
    expect(unavailable({ api_key_env: 'MY_KEY' })).toContain('set MY_KEY');
    expect(unavailable({ auth: 'oauth' }, { ANTHROPIC_API_KEY: 'sk-ant-api03-x' })).toBe(
      'no Claude login: run `nodex login claude`',
    );
    writeClaudeCode();
    expect(unavailable({ auth: 'api_key' })).toBe('no Anthropic API key: set ANTHROPIC_API_KEY');
  });

  it('API-key mode from the environment (and a custom variable)', async () => {
    await run(build({}, { ANTHROPIC_API_KEY: 'sk-ant-api03-env' }));
    await run(build({ api_key_env: 'WORK_KEY' }, { WORK_KEY: 'sk-ant-api03-work' }));
    expect(fake.messages().map((r) => r.headers['x-api-key'])).toEqual([
      'sk-ant-api03-env',
      'sk-ant-api03-work',
    ]);
  });

  it('the Claude Code login wins over the key unless `auth: api_key`; a per-request providerKey wins over both', async () => {
    writeClaudeCode();
    const env = { ANTHROPIC_API_KEY: 'sk-ant-api03-env' };
    await run(build({}, env));
    await run(build({ auth: 'api_key' }, env));
    await run(build({}, env), 'sk-ant-api03-caller');
    const sent = fake.messages();
    expect(sent[0]?.headers.authorization).toMatch(/^Bearer sk-ant-oat01-FAKE/);
    expect(sent[0]?.url).toBe('/v1/messages?beta=true');
    expect(sent[1]?.headers['x-api-key']).toBe('sk-ant-api03-env');
    expect(sent[2]?.headers['x-api-key']).toBe('sk-ant-api03-caller');
    expect(sent[2]?.headers.authorization).toBeUndefined();
  });

  it('CLAUDE_CODE_OAUTH_TOKEN alone makes the provider available', async () => {
    await run(build({}, { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-setup-token' }));
    expect(fake.messages()[0]?.headers.authorization).toBe('Bearer sk-ant-oat01-setup-token');
  });

  it('configures identity, betas, user agent and tool prefix; rejects unknown keys', async () => {
    const provider = build(
      {
        identity: "You are Claude Code, Anthropic's official CLI for Claude. (custom)",
        betas: [],
        cli_version: '9.9.9',
      },
      { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-x' },
    );
    await run(provider);
    const sent = fake.messages()[0];
    expect(sent?.headers['anthropic-beta']).toBe('claude-code-20250219,oauth-2025-04-20');
    expect(sent?.headers['user-agent']).toBe('claude-cli/9.9.9 (external, cli)');
    expect((sent?.json as { system?: Array<{ text: string }> } | undefined)?.system?.[0]?.text).toContain(
      '(custom)',
    );
    expect(anthropicFactory.schema.safeParse({ nope: 1 }).success).toBe(false);
    expect(anthropicFactory.schema.safeParse({ thinking_budgets: { high: 10 } }).success).toBe(false);
  });

  it('base URL: NODEX_ANTHROPIC_BASE_URL over base_url over ANTHROPIC_BASE_URL', async () => {
    const sentTo = async (section: Record<string, unknown>, env: Record<string, string>) => {
      const options = anthropicFactory.schema.parse(section);
      const context = {
        env: { HOME: dir.path, ANTHROPIC_API_KEY: 'sk-ant-api03-x', ...env },
        home: dir.path,
      };
      const urls: string[] = [];
      const stream = anthropicFactory
        .create('anthropic', options, context)
        .stream(
          { model: 'claude-sonnet-4-5', input: [userText('x')] },
          { onUpstreamRequest: (r) => urls.push(r.url), maxRetries: 0 },
        );
      await stream[Symbol.asyncIterator]()
        .next()
        .catch(() => undefined);
      return urls[0];
    };
    const a = 'http://127.0.0.1:9/a';
    expect(await sentTo({}, { ANTHROPIC_BASE_URL: a })).toBe(`${a}/v1/messages`);
    expect(await sentTo({ base_url: 'http://127.0.0.1:9/b/' }, { ANTHROPIC_BASE_URL: a })).toBe(
      'http://127.0.0.1:9/b/v1/messages',
    );
    expect(await sentTo({ base_url: 'http://127.0.0.1:9/b' }, { NODEX_ANTHROPIC_BASE_URL: fake.url })).toBe(
      `${fake.url}/v1/messages`,
    );
  });
});
