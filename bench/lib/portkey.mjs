// Portkey AI Gateway 1.15.2, the benchmark peer (research/deps.md §4): installed once into a folder
// outside the repo (os.tmpdir()/nodex-bench-portkey, reused when present) with @hono/node-server
// pinned to 1.13.8 by an npm override (newer versions break its streaming), run headless and
// forced onto 127.0.0.1 by the bind-loopback preload.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startProcess } from './processes.mjs';

export const PORTKEY_VERSION = '1.15.2';
export const HONO_NODE_SERVER_PIN = '1.13.8';
export const PORTKEY_DIR = join(tmpdir(), 'nodex-bench-portkey');
const START_SCRIPT = join(PORTKEY_DIR, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
const PRELOAD = join(dirname(fileURLToPath(import.meta.url)), 'bind-loopback.mjs');

function installedVersion(name) {
  try {
    const pkg = JSON.parse(readFileSync(join(PORTKEY_DIR, 'node_modules', name, 'package.json'), 'utf8'));
    return pkg.version;
  } catch {
    return undefined;
  }
}

/** True when the pinned install is already there. */
export function portkeyCached() {
  return (
    existsSync(START_SCRIPT) &&
    installedVersion('@portkey-ai/gateway') === PORTKEY_VERSION &&
    installedVersion('@hono/node-server') === HONO_NODE_SERVER_PIN
  );
}

function run(command, args, cwd, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: String(error) });
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, output });
    });
  });
}

/**
 * Makes sure Portkey is installed. Resolves `{ ok: true, installed, seconds }` or
 * `{ ok: false, reason }` (offline, registry refusal…): the bench records it as unavailable.
 *
 * @param {{ allowInstall: boolean }} options
 */
export async function ensurePortkey({ allowInstall }) {
  if (portkeyCached()) return { ok: true, installed: false, seconds: 0 };
  if (!allowInstall)
    return { ok: false, reason: `not cached in ${PORTKEY_DIR} and --quick skips the install` };
  mkdirSync(PORTKEY_DIR, { recursive: true });
  writeFileSync(
    join(PORTKEY_DIR, 'package.json'),
    `${JSON.stringify(
      {
        name: 'nodex-bench-portkey',
        private: true,
        description: 'Portkey gateway for nodex benchmarks (created by bench/run.mjs)',
        dependencies: { '@portkey-ai/gateway': PORTKEY_VERSION },
        overrides: { '@hono/node-server': HONO_NODE_SERVER_PIN },
      },
      null,
      2,
    )}\n`,
  );
  const started = Date.now();
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = await run(
    npm,
    ['install', '--no-audit', '--no-fund', '--loglevel=error'],
    PORTKEY_DIR,
    300_000,
  );
  const seconds = (Date.now() - started) / 1000;
  if (result.code !== 0 || !portkeyCached()) {
    const last = result.output.trim().split('\n').slice(-3).join(' | ');
    return { ok: false, reason: `npm install failed (exit ${result.code}): ${last.slice(0, 400)}` };
  }
  return { ok: true, installed: true, seconds };
}

/**
 * Starts Portkey headless on 127.0.0.1:`port` and waits until it answers HTTP.
 *
 * @param {{ port: number, logFile: string }} options
 */
export async function startPortkey({ port, logFile }) {
  const started = await startProcess({
    name: 'portkey',
    command: process.execPath,
    args: ['--import', pathToFileURL(PRELOAD).href, START_SCRIPT, '--headless', `--port=${port}`],
    cwd: PORTKEY_DIR,
    logFile,
    ready: /Ready for connections/,
    timeoutMs: 30_000,
  });
  return { ...started, url: `http://127.0.0.1:${port}` };
}
