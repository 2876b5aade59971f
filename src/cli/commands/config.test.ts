import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

async function cli(args: string[], env: Record<string, string> = {}) {
  const captured = captureIo(dir.path, env);
  const code = await runCli(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex config', () => {
  it('init writes the commented template (0600) at the default path; validate accepts it; a second init refuses', async () => {
    const path = join(dir.path, '.config', 'nodex', 'config.yaml');
    expect(await cli(['config', 'init'])).toEqual({ code: 0, stdout: `wrote ${path}\n`, stderr: '' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const validated = await cli(['config', 'validate']);
    expect(validated).toEqual({
      code: 0,
      stdout: `ok: ${path} (providers: mock, gemini)\n`,
      stderr:
        'note: provider anthropic cannot start: no Claude login or API key: run `nodex login claude` or set ANTHROPIC_API_KEY\n' +
        'note: provider codex cannot start: not logged in to ChatGPT: run `nodex login codex` (or `codex login`)\n' +
        'note: provider gemini has no API key: set GEMINI_API_KEY\n',
    });
    const again = await cli(['config', 'init']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already exists \(use --force/);
    expect((await cli(['config', 'init', '--force'])).code).toBe(0);
  });

  it('show prints the effective config with secrets masked, as YAML or JSON', async () => {
    const path = join(dir.path, 'c.yaml');
    writeFileSync(path, 'state:\n  driver: postgres\n  url: postgres://nodex:hunter2@db/nodex\n');
    const shown = await cli(['--config', path, 'config', 'show'], { NODEX_LISTEN: '127.0.0.1:4000' });
    expect(shown.code).toBe(0);
    expect(shown.stdout).not.toContain('hunter2');
    const yaml = parse(shown.stdout);
    expect(yaml.state.url).toBe('postgres://nodex:***@db/nodex');
    expect(yaml.server.listen).toBe('127.0.0.1:4000');
    const json = JSON.parse((await cli(['--config', path, 'config', 'show', '--json'])).stdout);
    expect(json.state).toEqual({ driver: 'postgres', url: 'postgres://nodex:***@db/nodex' });
  });

  it('validate treats unknown keys as errors and checks provider sections', async () => {
    const path = join(dir.path, 'c.yaml');
    writeFileSync(path, 'server:\n  lisen: 1\n');
    const unknown = await cli(['--config', path, 'config', 'validate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('error: config server.lisen: unknown key (ignored)\n');
    writeFileSync(path, 'providers:\n  mock:\n    deltas: -1\n');
    const bad = await cli(['--config', path, 'config', 'validate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/providers\.mock\.deltas: Too small/);
  });
});

describe('nodex (top level)', () => {
  it('--version prints the package version; no command prints help and exits 2', async () => {
    const version = await cli(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
    const none = await cli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('Usage: nodex');
    expect((await cli(['exec', '--help'])).stdout).toContain('--input-json');
    expect((await cli(['frobnicate'])).code).toBe(2);
  });
});
