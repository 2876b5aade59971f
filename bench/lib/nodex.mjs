// The built nodex gateway as a contender: a throwaway NODEX_HOME, HOME and CODEX_HOME (nothing of
// the user's is read), a config whose providers all point at the mock upstream, and a real gateway
// key made with `nodex keys add` whose rpm / tpm are far above anything the bench sends, so key
// auth, rate limiting and metering all run on every request.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess } from './processes.mjs';

export const NODEX_CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'main.js');

/** Models the bench asks for, one per provider (routing: a config pattern, then the built-in prefixes). */
export const NODEX_MODELS = {
  'openai-compatible': 'bench-chat',
  codex: 'gpt-bench',
  anthropic: 'claude-bench',
};

function fakeJwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}

/** A Codex CLI login as src/testing/e2e-upstreams.ts `writeCodexLogin` writes it (valid for a day). */
export function writeCodexLogin(home) {
  const token = fakeJwt({
    exp: Math.floor(Date.now() / 1000) + 86_400,
    'https://api.openai.com/auth': { chatgpt_account_id: 'acct_bench' },
  });
  mkdirSync(join(home, '.codex'), { recursive: true });
  writeFileSync(
    join(home, '.codex', 'auth.json'),
    JSON.stringify({
      tokens: { access_token: token, refresh_token: 'rt', id_token: token, account_id: 'acct_bench' },
    }),
    { mode: 0o600 },
  );
  return { CODEX_HOME: join(home, '.codex') };
}

/** The environment every nodex command of the bench runs with: only the parent's basics. */
function cleanEnv(dir, home, extra) {
  const keep = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'TMPDIR'];
  const env = {};
  for (const name of keep) if (process.env[name] !== undefined) env[name] = process.env[name];
  return {
    ...env,
    HOME: home,
    XDG_CONFIG_HOME: join(dir, 'xdg'),
    NODEX_HOME: join(home, '.nodex'),
    CLAUDE_CONFIG_DIR: join(home, '.claude'),
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    ...extra,
  };
}

/**
 * Writes the config, the Codex login and a gateway key under `dir`.
 *
 * @param {{ dir: string, mockUrl: string, logLevel: string }} options
 * @returns {{ configPath: string, env: Record<string, string>, key: string, dir: string }}
 */
export function prepareNodex({ dir, mockUrl, logLevel }) {
  const home = join(dir, 'home');
  mkdirSync(join(dir, 'xdg'), { recursive: true });
  mkdirSync(home, { recursive: true });
  const env = cleanEnv(dir, home, writeCodexLogin(home));
  const configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    [
      '# written by bench/run.mjs: every provider points at the bench mock upstream',
      'server:',
      '  admin_socket: ""',
      'log:',
      `  level: ${logLevel}`,
      'providers:',
      '  bench-openai:',
      '    type: openai-compatible',
      `    base_url: ${mockUrl}/v1`,
      '    auth: none',
      `    patterns: ["${NODEX_MODELS['openai-compatible']}*"]`,
      '    discover_models: false',
      '  codex:',
      `    base_url: ${mockUrl}/backend-api/codex`,
      '    discover_models: false',
      '  anthropic:',
      `    base_url: ${mockUrl}`,
      '    auth: api_key',
      '    discover_models: false',
      '',
    ].join('\n'),
  );
  const out = execFileSync(
    process.execPath,
    [
      NODEX_CLI,
      '--config',
      configPath,
      'keys',
      'add',
      '--label',
      'bench',
      '--rpm',
      '100000000',
      '--tpm',
      '100000000000',
      '--json',
    ],
    { env, encoding: 'utf8' },
  );
  const key = JSON.parse(out).key;
  if (typeof key !== 'string' || !key.startsWith('nk-')) throw new Error('nodex keys add returned no key');
  return { configPath, env, key, dir };
}

/**
 * Starts `nodex serve` on 127.0.0.1 (any free port).
 *
 * @param {{ prepared: ReturnType<typeof prepareNodex>, logFile: string, nodeArgs?: string[] }} options
 */
export async function startNodex({ prepared, logFile, nodeArgs = [] }) {
  const started = await startProcess({
    name: 'nodex',
    command: process.execPath,
    args: [...nodeArgs, NODEX_CLI, '--config', prepared.configPath, 'serve', '--listen', '127.0.0.1:0'],
    env: prepared.env,
    logFile,
    ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
  });
  return { ...started, url: started.match[1] };
}
