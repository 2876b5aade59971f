import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import {
  anthropicFrames,
  anthropicSseFrames,
  type FakeAnthropic,
  startFakeAnthropic,
} from '../../testing/fake-anthropic.js';
import { type FakeClaudeAuth, startFakeClaudeAuth } from '../../testing/fake-claude-auth.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeClaudeAuth;
let anthropic: FakeAnthropic;
let configPath: string;
let env: Record<string, string>;

beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeClaudeAuth();
  anthropic = await startFakeAnthropic({
    apiKeys: ['sk-ant-api-test'],
    isValidOAuthToken: (t) => auth.isValidAccessToken(t),
  });
  configPath = join(dir.path, 'config.yaml');
  writeFileSync(
    configPath,
    stringify({ providers: { anthropic: { base_url: anthropic.url, oauth: auth.config() } } }),
  );
  env = { CLAUDE_CONFIG_DIR: join(dir.path, 'claude') };
});
afterEach(async () => {
  await anthropic.close();
  await auth.close();
  dir.cleanup();
});

async function exec(args: string[], extraEnv: Record<string, string> = {}) {
  const captured = captureIo(dir.path, { ...env, ...extraEnv });
  const code = await runCli(['--config', configPath, 'exec', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex exec --model sonnet through the Anthropic provider', () => {
  it('with an API key: x-api-key, no Claude Code identity, the alias expanded', async () => {
    const result = await exec(['--model', 'sonnet', '-p', 'hi'], { ANTHROPIC_API_KEY: 'sk-ant-api-test' });
    expect(result).toEqual({ code: 0, stdout: 'Hello there!\n', stderr: '' });
    const [sent] = anthropic.messages();
    expect(sent?.headers['x-api-key']).toBe('sk-ant-api-test');
    expect(sent?.json).toMatchObject({
      model: expect.stringMatching(/^claude-sonnet-/),
      stream: true,
      system: [{ type: 'text', text: 'You are a helpful assistant.' }],
    });
  });

  it('with an expired Claude Code login: one refresh, written back with every other field kept and mode 0600', async () => {
    const tokens = auth.issueTokens({ expiresIn: -600 });
    const file = join(dir.path, 'claude', '.credentials.json');
    mkdirSync(join(dir.path, 'claude'), { recursive: true });
    writeFileSync(
      file,
      JSON.stringify({
        claudeAiOauth: {
          accessToken: tokens.access_token,
          refreshToken: tokens.refresh_token,
          expiresAt: Date.now() - 600_000,
          scopes: ['user:inference'],
          subscriptionType: 'max',
          rateLimitTier: 'default_claude_max_20x',
          futureField: { kept: true },
        },
        mcpOAuth: { server: { accessToken: 'keep-me' } },
      }),
      { mode: 0o600 },
    );
    const result = await exec(['--model', 'sonnet', '-p', 'hi']);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('Hello there!\n');
    expect(auth.counts.refresh).toBe(1);
    const saved = JSON.parse(readFileSync(file, 'utf8'));
    expect(saved.claudeAiOauth.accessToken).not.toBe(tokens.access_token);
    expect(saved.claudeAiOauth.refreshToken).not.toBe(tokens.refresh_token);
    expect(saved.claudeAiOauth.expiresAt).toBeGreaterThan(Date.now());
    expect(saved.claudeAiOauth).toMatchObject({
      subscriptionType: 'max',
      rateLimitTier: 'default_claude_max_20x',
      futureField: { kept: true },
    });
    expect(saved.mcpOAuth).toEqual({ server: { accessToken: 'keep-me' } });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const [sent] = anthropic.messages();
    expect(sent?.headers.authorization).toBe(`Bearer ${saved.claudeAiOauth.accessToken}`);
    expect(sent?.headers['anthropic-beta']).toContain('oauth-2025-04-20');
    expect((sent?.json as { system: Array<{ text: string }> } | undefined)?.system[0]?.text).toBe(
      "You are Claude Code, Anthropic's official CLI for Claude.",
    );
  });

  it('runs the tool loop through Anthropic', async () => {
    anthropic.enqueue({
      sse: anthropicSseFrames([
        anthropicFrames.start(),
        ...anthropicFrames.toolUse(0, 'toolu_01', 'get_weather', { location: 'Paris' }),
        ...anthropicFrames.end('tool_use', 12),
      ]),
    });
    const result = await exec(
      [
        '-m',
        'haiku',
        '-p',
        'x',
        '--tool',
        'get_weather:inline={"type":"object","properties":{"location":{"type":"string"}}}',
        '--auto-tools',
        '--tool-output',
        'get_weather=sunny',
      ],
      { ANTHROPIC_API_KEY: 'sk-ant-api-test' },
    );
    expect(result.stdout).toBe('Hello there!\n');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      '[tool call] get_weather {"location":"Paris"}\n[tool output] get_weather sunny\n',
    );
    expect(anthropic.messages()).toHaveLength(2);
    expect((anthropic.messages()[1]?.json as { messages: unknown[] } | undefined)?.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'x' }] },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { location: 'Paris' } }],
      },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: 'sunny' }] },
    ]);
  });
});
