import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { fixtureJson, fixtureText } from '../../testing/fixtures.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

const cliPath = () => join(dir.path, 'codex', 'auth.json');
const claudePath = () => join(dir.path, 'claude', '.credentials.json');

async function cli(args: string[], env: Record<string, string> = {}) {
  const captured = captureIo(dir.path, {
    CODEX_HOME: join(dir.path, 'codex'),
    CLAUDE_CONFIG_DIR: join(dir.path, 'claude'),
    ...env,
  });
  const code = await runCli(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
}

describe('nodex auth status', () => {
  it('nothing set up: every provider says what to do, as text and JSON', async () => {
    const text = await cli(['auth', 'status']);
    expect(text).toEqual({
      code: 0,
      stdout: [
        'codex: not set up',
        '  fix      run `nodex login codex` (or `codex login`)',
        'anthropic: not set up',
        '  fix      run `nodex login claude` or set ANTHROPIC_API_KEY',
        'gemini: not set up',
        '  url      https://generativelanguage.googleapis.com/v1beta/openai',
        '  fix      set GEMINI_API_KEY',
        '',
      ].join('\n'),
      stderr: '',
    });
    const json = JSON.parse((await cli(['auth', 'status', '--json'])).stdout);
    expect(
      json.providers.map((p: { provider: string; logged_in: boolean }) => [p.provider, p.logged_in]),
    ).toEqual([
      ['codex', false],
      ['anthropic', false],
      ['gemini', false],
    ]);
  });

  it('shows source, account, plan, email and expiry of the Codex CLI login, nothing secret', async () => {
    write(cliPath(), fixtureText('codex-auth.json'));
    const text = await cli(['auth', 'status']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      [
        'codex: logged in',
        `  source   ${cliPath()} (Codex CLI)`,
        '  account  6f2c1a7e-3b4d-4e5f-9a8b-0c1d2e3f4a5b',
        '  plan     plus',
        '  email    user@example.com',
        '  expires  2026-01-11T00:00:00.000Z (expired; refreshed on next use)',
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await cli(['auth', 'status', '--json'])).stdout);
    expect(json.providers[0]).toEqual({
      provider: 'codex',
      kind: 'oauth',
      logged_in: true,
      source: { kind: 'codex-cli', owner: 'codex-cli', location: cliPath() },
      account_id: '6f2c1a7e-3b4d-4e5f-9a8b-0c1d2e3f4a5b',
      plan: 'plus',
      email: 'user@example.com',
      expires_at: '2026-01-11T00:00:00.000Z',
      expired: true,
      refreshable: true,
      also_found: [],
    });
    const tokens = fixtureJson<{ tokens: Record<string, string> }>('codex-auth.json').tokens;
    for (const secret of [tokens.access_token, tokens.refresh_token, tokens.id_token]) {
      expect(text.stdout).not.toContain(secret);
      expect(JSON.stringify(json)).not.toContain(secret);
    }
  });

  it('Claude Code login, API keys and a custom host', async () => {
    write(claudePath(), fixtureText('claude-credentials.json'));
    const config = join(dir.path, 'c.yaml');
    writeFileSync(
      config,
      'providers:\n  my-vllm:\n    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n    api_key_env: VLLM_KEY\n',
    );
    const json = JSON.parse(
      (await cli(['--config', config, 'auth', 'status', '--json'], { GEMINI_API_KEY: 'g-secret-key' }))
        .stdout,
    );
    const byId = Object.fromEntries(json.providers.map((p: { provider: string }) => [p.provider, p]));
    expect(byId.anthropic).toMatchObject({
      kind: 'oauth',
      logged_in: true,
      source: { kind: 'claude-code', location: claudePath() },
      plan: 'max',
    });
    expect(byId.gemini).toMatchObject({ kind: 'api_key', logged_in: true, api_key_env: 'GEMINI_API_KEY' });
    expect(byId['my-vllm']).toMatchObject({
      kind: 'api_key',
      logged_in: false,
      api_key_env: 'VLLM_KEY',
      fix: 'set VLLM_KEY',
    });
    const text = (await cli(['--config', config, 'auth'], { GEMINI_API_KEY: 'g-secret-key' })).stdout;
    expect(text).toContain('gemini: API key set\n  source   $GEMINI_API_KEY');
    expect(text).not.toContain('g-secret-key');
    expect(JSON.stringify(json)).not.toContain(
      fixtureJson<{ claudeAiOauth: { accessToken: string } }>('claude-credentials.json').claudeAiOauth
        .accessToken,
    );
  });

  it('lists a shadowed store when nodex has its own login too', async () => {
    write(cliPath(), fixtureText('codex-auth.json'));
    const own = join(dir.path, '.nodex', 'credentials', 'codex.json');
    write(own, fixtureText('codex-auth.json'));
    const text = await cli(['auth', 'status']);
    expect(text.stdout).toContain(`  source   ${own} (nodex)`);
    expect(text.stdout).toContain(`  shadowed ${cliPath()} (Codex CLI)`);
  });

  it('exits 1 and names the file and the problem when auth.json is truncated', async () => {
    const fixture = fixtureText('codex-auth.json');
    write(cliPath(), fixture.slice(0, 200));
    const result = await cli(['auth', 'status']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`codex: not set up\n  source   ${cliPath()} (Codex CLI)`);
    expect(result.stdout).toContain(
      `error    cannot use the credentials in ${cliPath()}: the JSON ends early`,
    );
    expect(result.stdout).not.toContain(fixture.slice(150, 200));
  });
});

describe('nodex auth setup (not a TTY)', () => {
  it('prints what to run or set for each missing provider and exits 1; exits 0 when all are set up', async () => {
    const missing = await cli(['auth', 'setup'], { GEMINI_API_KEY: 'k' });
    expect(missing).toEqual({
      code: 1,
      stdout:
        'codex: run `nodex login codex` (or `codex login`)\nanthropic: run `nodex login claude` or set ANTHROPIC_API_KEY\n',
      stderr: '',
    });
    write(cliPath(), fixtureText('codex-auth.json'));
    const done = await cli(['auth', 'setup'], { GEMINI_API_KEY: 'k', ANTHROPIC_API_KEY: 'sk-ant-x' });
    expect(done).toEqual({ code: 0, stdout: 'every provider is set up\n', stderr: '' });
  });
});
