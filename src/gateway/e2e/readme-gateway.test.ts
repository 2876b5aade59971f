import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MOCK_TEXT } from '../../providers/mock/mock-script.js';
import { tempDir } from '../../testing/capture-io.js';

// The README's quick start, run as written: `npm start` (its script, with a free port instead of
// 39001 so tests never collide), then the curl and `openai` snippets against it.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const readme = readFileSync(`${root}README.md`, 'utf8');
const README_ADDRESS = '127.0.0.1:39001';

function block(name: string, lang: string): string {
  const found = new RegExp(
    `<!-- ${name}:start -->\\n\`\`\`${lang}\\n([\\s\\S]*?)\`\`\`\\n<!-- ${name}:end -->`,
  ).exec(readme)?.[1];
  if (!found) throw new Error(`README has no ${name} block`);
  return found;
}

let home: ReturnType<typeof tempDir>;
let server: ChildProcess;
let address = '';
let stderr = '';

beforeAll(async () => {
  if (!existsSync(`${root}dist/cli/main.js`)) throw new Error('dist/ is missing: run `npm run build`');
  home = tempDir('nodex-readme-');
  const start = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } })
    .scripts.start;
  expect(start).toBe('node dist/cli/main.js serve --allow-any-key');
  server = spawn('sh', ['-c', `exec ${start} --listen 127.0.0.1:0`], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: home.path, NODEX_HOME: `${home.path}/.nodex` },
  });
  let stdout = '';
  server.stdout?.on('data', (chunk) => (stdout += chunk));
  server.stderr?.on('data', (chunk) => (stderr += chunk));
  await vi.waitFor(
    () => {
      const match = /^listening on http:\/\/(127\.0\.0\.1:\d+)$/m.exec(stdout);
      if (!match?.[1]) throw new Error(`not listening yet: ${stdout}${stderr}`);
      address = match[1];
    },
    { timeout: 15_000, interval: 50 },
  );
});

afterAll(async () => {
  const exited = new Promise<number | null>((resolve) => server.once('exit', (code) => resolve(code)));
  server.kill('SIGTERM');
  expect(await exited).toBe(0);
  home.cleanup();
});

describe('README gateway quick start', () => {
  it('npm start says loudly that any key is accepted', () => {
    expect(stderr).toContain('WARNING: allow_any_key is on');
  });

  it('the curl snippet gets a chat completion from the mock provider', () => {
    const script = block('gateway-curl', 'sh').replaceAll(README_ADDRESS, address);
    expect(script).toContain(address);
    const result = spawnSync('bash', ['-c', script], { encoding: 'utf8', timeout: 15_000 });
    expect(result.status).toBe(0);
    const body = JSON.parse(result.stdout) as {
      object: string;
      choices: Array<{ message: { content: string } }>;
    };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]?.message.content).toBe(MOCK_TEXT);
  });

  it('the openai snippet prints the chat answer, then streams a Responses answer', () => {
    const code = block('gateway-openai', 'js').replaceAll(README_ADDRESS, address);
    expect(code.split('\n').filter((line) => line.trim() !== '').length).toBeLessThanOrEqual(12);
    const result = spawnSync(process.execPath, ['--input-type=module'], {
      cwd: root,
      input: code,
      encoding: 'utf8',
      timeout: 15_000,
      env: { PATH: process.env.PATH, HOME: home.path },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(`${MOCK_TEXT}\nword by word`);
    expect(result.status).toBe(0);
  });
});
