import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOCK_TEXT } from '../providers/mock/mock-script.js';
import { tempDir } from '../testing/capture-io.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'dist', 'cli', 'main.js');
let dir: ReturnType<typeof tempDir>;

beforeAll(() => {
  if (!existsSync(bin))
    throw new Error('dist/cli/main.js is missing: run `npm run build` (npm test does it)');
  dir = tempDir();
});
afterAll(() => dir.cleanup());

function run(
  args: string[],
  options: { onSpawn?: (kill: (signal?: NodeJS.Signals) => void, stdout: () => string) => void } = {},
) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: dir.path,
      env: { PATH: process.env.PATH, HOME: dir.path },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    options.onSpawn?.(
      (signal = 'SIGINT') => child.kill(signal),
      () => stdout,
    );
  });
}

describe('the nodex binary', () => {
  it('is the package bin and has a node shebang', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ nodex: 'dist/cli/main.js' });
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
  });

  it('--version and -v (the fast path), and --version among other flags (commander)', async () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const version = { code: 0, stdout: `${manifest.version}\n`, stderr: '' };
    expect(await run(['--version'])).toEqual(version);
    expect(await run(['-v'])).toEqual(version);
    expect(await run(['--config', join(dir.path, 'none.yaml'), '--version'])).toMatchObject({ code: 0 });
  });

  it('exec --mock --mock-mode text --prompt hi streams text and exits 0', async () => {
    expect(await run(['exec', '--mock', '--mock-mode', 'text', '--prompt', 'hi'])).toEqual({
      code: 0,
      stdout: `${MOCK_TEXT}\n`,
      stderr: '',
    });
  });

  it('--json: every line parses, response_started … response_completed', async () => {
    const { code, stdout } = await run(['exec', '--mock', '--mock-mode', 'text', '--json', '--prompt', 'hi']);
    expect(code).toBe(0);
    const events = stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(events[0].type).toBe('response_started');
    expect(events.at(-1).type).toBe('response_completed');
  });

  it('exit codes: 2 for usage, 1 for runtime failures', async () => {
    const usage = await run(['exec', '--mock', '--mock-mode', 'nope', '-p', 'x']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toBe(
      'error: --mock-mode "nope": expected one of echo, text, tool-call, tool-loop\n',
    );
    const runtime = await run(['exec', '-m', 'gpt-5.5', '-p', 'x']);
    expect(runtime.code).toBe(1);
  });

  it('Ctrl-C (SIGINT) cancels a running exec cleanly with exit 130', async () => {
    writeFileSync(
      join(dir.path, 'slow.yaml'),
      'providers:\n  mock:\n    mode: text\n    delta_interval_ms: 60s\n',
    );
    const result = await run(['--config', 'slow.yaml', 'exec', '-m', 'mock', '-p', 'x'], {
      onSpawn: (kill, stdout) => {
        const wait = setInterval(() => {
          if (stdout().length > 0) {
            clearInterval(wait);
            kill();
          }
        }, 10);
      },
    });
    expect(result.code).toBe(130);
    expect(result.stdout).toBe('Hello ');
    expect(result.stderr).toBe('');
  });

  it('serve: prints the real address for port 0, serves, and on SIGTERM finishes the in-flight stream and exits 0', async () => {
    writeFileSync(
      join(dir.path, 'serve.yaml'),
      'providers:\n  mock:\n    mode: text\n    delta_interval_ms: 150\n',
    );
    let streamed: Promise<string> | undefined;
    const result = await run(
      ['--config', 'serve.yaml', 'serve', '--listen', '127.0.0.1:0', '--allow-any-key'],
      {
        onSpawn: (kill, stdout) => {
          const wait = setInterval(() => {
            const url = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(stdout())?.[1];
            if (!url) return;
            clearInterval(wait);
            streamed = (async () => {
              const response = await fetch(`${url}/v1/chat/completions`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({
                  model: 'mock',
                  stream: true,
                  messages: [{ role: 'user', content: 'hi' }],
                }),
              });
              const reader = response.body?.getReader();
              if (!reader) throw new Error('no body');
              let text = new TextDecoder().decode((await reader.read()).value);
              kill('SIGTERM'); // mid-stream
              for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
                text += new TextDecoder().decode(chunk.value);
              return text;
            })();
          }, 10);
        },
      },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^listening on http:\/\/127\.0\.0\.1:(?!39001)\d+\n$/);
    expect(result.stderr).toContain('WARNING: allow_any_key is on');
    expect(result.stderr).toContain('stopping: finishing in-flight requests');
    const text = await streamed;
    expect(text).toContain('[DONE]');
    const deltas = (text ?? '')
      .split('\n\n')
      .filter((frame) => frame.startsWith('data: {'))
      .map((frame) => JSON.parse(frame.slice(6)).choices[0]?.delta?.content ?? '')
      .join('');
    expect(deltas).toBe(MOCK_TEXT);
  });
});
