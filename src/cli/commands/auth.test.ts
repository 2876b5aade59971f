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

async function status(args: string[] = []) {
  const captured = captureIo(dir.path, { CODEX_HOME: join(dir.path, 'codex') });
  const code = await runCli(['auth', 'status', ...args], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

function writeCodexCli(text: string): void {
  mkdirSync(join(dir.path, 'codex'), { recursive: true });
  writeFileSync(cliPath(), text, { mode: 0o600 });
}

describe('nodex auth status', () => {
  it('says when Codex is not logged in, as text and JSON', async () => {
    expect(await status()).toEqual({
      code: 0,
      stdout: 'codex: not logged in; run `nodex login codex`\n',
      stderr: '',
    });
    const json = JSON.parse((await status(['--json'])).stdout);
    expect(json).toEqual({ providers: [{ provider: 'codex', logged_in: false, also_found: [] }] });
  });

  it('shows source, account, plan, email and expiry of the Codex CLI login, nothing secret', async () => {
    writeCodexCli(fixtureText('codex-auth.json'));
    const text = await status();
    expect(text.code).toBe(0);
    expect(text.stdout).toBe(
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
    const json = JSON.parse((await status(['--json'])).stdout);
    expect(json.providers[0]).toEqual({
      provider: 'codex',
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

  it('lists a shadowed store when nodex has its own login too', async () => {
    writeCodexCli(fixtureText('codex-auth.json'));
    const own = join(dir.path, '.nodex', 'credentials', 'codex.json');
    mkdirSync(join(own, '..'), { recursive: true });
    writeFileSync(own, fixtureText('codex-auth.json'), { mode: 0o600 });
    const text = await status();
    expect(text.stdout).toContain(`  source   ${own} (nodex)`);
    expect(text.stdout).toContain(`  shadowed ${cliPath()} (Codex CLI)`);
  });

  it('exits 1 and names the file and the problem when auth.json is truncated', async () => {
    const fixture = fixtureText('codex-auth.json');
    writeCodexCli(fixture.slice(0, 200));
    const result = await status();
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`codex: not logged in; found ${cliPath()} (Codex CLI)`);
    expect(result.stdout).toContain(
      `error    cannot use the credentials in ${cliPath()}: the JSON ends early`,
    );
    expect(result.stdout).not.toContain(fixture.slice(150, 200));
  });
});
