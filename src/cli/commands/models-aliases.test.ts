import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { type FakeCodex, fakeJwt, startFakeCodex } from '../../testing/fake-codex.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
let codex: FakeCodex;
let configPath: string;
let env: Record<string, string>;

beforeEach(async () => {
  dir = tempDir();
  codex = await startFakeCodex({
    models: {
      models: [
        { slug: 'gpt-5.9-codex', display_name: 'GPT-5.9 Codex' },
        { slug: 'gpt-5.10-codex' },
        { slug: 'gpt-5.10' },
        { slug: 'gpt-5.10-codex-mini' },
      ],
    },
  });
  env = { CODEX_HOME: join(dir.path, '.codex') };
  const token = fakeJwt({
    exp: Math.floor(Date.now() / 1000) + 3600,
    'https://api.openai.com/auth': { chatgpt_account_id: 'acct_m' },
  });
  (await import('node:fs')).mkdirSync(env.CODEX_HOME as string, { recursive: true });
  writeFileSync(
    join(env.CODEX_HOME as string, 'auth.json'),
    JSON.stringify({
      tokens: { access_token: token, refresh_token: 'rt', id_token: token, account_id: 'acct_m' },
    }),
  );
  configPath = join(dir.path, 'config.yaml');
  writeFileSync(
    configPath,
    `# my nodex config\nproviders:\n  codex:\n    base_url: ${codex.baseUrl} # the fake\nrouting:\n  aliases:\n    # keep this comment\n    fast: mock-text\n    codex: gpt-5.3-codex\n`,
    { mode: 0o640 },
  );
});
afterEach(async () => {
  await codex.close();
  dir.cleanup();
});

async function cli(args: string[]) {
  const captured = captureIo(dir.path, env);
  const code = await runCli(['--config', configPath, ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex models', () => {
  it('lists every provider’s models with the aliases pointing at them (table and JSON)', async () => {
    const table = await cli(['models']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^MODEL\s+PROVIDER\s+ALIASES\s+NAME$/);
    expect(lines).toContainEqual(expect.stringMatching(/^gpt-5\.9-codex\s+codex\s+-\s+GPT-5\.9 Codex$/));
    expect(lines).toContainEqual(expect.stringMatching(/^mock-text\s+mock\s+fast\s+Mock \(text\)$/));
    const json = JSON.parse((await cli(['models', '--json'])).stdout);
    expect(json).toContainEqual({
      id: 'mock-text',
      provider: 'mock',
      aliases: ['fast'],
      display_name: 'Mock (text)',
    });
    expect(
      json.filter((m: { provider: string }) => m.provider === 'codex').map((m: { id: string }) => m.id),
    ).toEqual(['gpt-5.9-codex', 'gpt-5.10-codex', 'gpt-5.10', 'gpt-5.10-codex-mini']);
    const only = JSON.parse((await cli(['models', '--provider', 'mock', '--json'])).stdout);
    expect(new Set(only.map((m: { provider: string }) => m.provider))).toEqual(new Set(['mock']));
    expect((await cli(['models', '--provider', 'nope'])).code).toBe(2);
  });
});

describe('nodex aliases', () => {
  it('list: built-in and configured aliases with their provider and source', async () => {
    const json = JSON.parse((await cli(['aliases', 'list', '--json'])).stdout);
    expect(json).toContainEqual({ alias: 'fast', model: 'mock-text', source: 'config', provider: 'mock' });
    expect(json).toContainEqual({
      alias: 'sonnet',
      model: expect.stringMatching(/^claude-sonnet-/),
      source: 'built-in',
      provider: 'anthropic',
    });
    expect((await cli(['aliases'])).stdout).toMatch(/^ALIAS\s+MODEL\s+PROVIDER\s+SOURCE/);
  });

  it('update --dry-run reports and writes nothing; update rewrites the file keeping comments and mode', async () => {
    const before = readFileSync(configPath, 'utf8');
    const dry = await cli(['aliases', 'update', '--dry-run']);
    expect(dry.stdout).toContain('updated   codex: gpt-5.3-codex → gpt-5.10-codex');
    expect(dry.stdout).toContain('updated   gpt: (none) → gpt-5.10\n');
    expect(dry.stdout).toContain('skipped   sonnet: provider anthropic not available');
    expect(readFileSync(configPath, 'utf8')).toBe(before);
    const real = await cli(['aliases', 'update']);
    expect(real.code).toBe(0);
    const after = readFileSync(configPath, 'utf8');
    expect(after).toContain('# my nodex config');
    expect(after).toContain('# keep this comment');
    expect(after).toContain(`base_url: ${codex.baseUrl} # the fake`);
    expect(after).toMatch(/codex: gpt-5\.10-codex\n/);
    expect(after).toMatch(/codex-mini: gpt-5\.10-codex-mini\n/);
    expect(after).toMatch(/fast: mock-text\n/);
    expect(statSync(configPath).mode & 0o777).toBe(0o640);
    const again = await cli(['aliases', 'update', '--json']);
    expect(JSON.parse(again.stdout).aliases).toContainEqual({
      alias: 'codex',
      from: 'gpt-5.10-codex',
      status: 'unchanged',
    });
  });
});
