import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import { type FakeClaudeAuth, startFakeClaudeAuth } from '../../testing/fake-claude-auth.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from '../../testing/fake-openai-auth.js';
import { runCli } from '../run-cli.js';
import type { LoginIo } from './login.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
let configPath: string;
beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth({ accountId: 'acct-cli', email: 'cli@example.com' });
  configPath = join(dir.path, 'config.yaml');
  writeFileSync(
    configPath,
    `providers:\n  codex:\n    oauth:\n      issuer: ${auth.url}\n      callback_port: 0\n`,
  );
});
afterEach(async () => {
  await auth.close();
  dir.cleanup();
});

interface Run {
  /** Called with each stderr line as the command prints it: the test plays the user here. */
  readonly onLine?: (line: string) => void;
  readonly stdin?: NodeJS.ReadableStream;
  readonly env?: Record<string, string>;
  readonly signal?: AbortSignal;
}

async function cli(args: string[], run: Run = {}) {
  const env = { CODEX_HOME: join(dir.path, 'codex'), BROWSER: 'none', ...run.env };
  const captured = captureIo(dir.path, env, run.signal);
  let pending = '';
  const io: LoginIo = {
    ...captured.io,
    stderr: {
      write: (chunk: string) => {
        captured.io.stderr.write(chunk);
        pending += chunk;
        const lines = pending.split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines) run.onLine?.(line);
        return true;
      },
    },
    ...(run.stdin ? { stdin: run.stdin } : {}),
  };
  const code = await runCli(args, io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

/** Follows the authorize URL to its 302 and loads the callback on 127.0.0.1, as a browser would. */
async function browse(url: string): Promise<number> {
  const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location') ?? '');
  location.hostname = '127.0.0.1';
  return (await fetch(location)).status;
}

const credentialsPath = () => join(dir.path, '.nodex', 'credentials', 'codex.json');

describe('nodex login codex', () => {
  it('browser flow end to end: prints the URL, the callback completes, credentials stored 0600 with the account id', async () => {
    let page: Promise<number> | undefined;
    const result = await cli(['--config', configPath, 'login', 'codex'], {
      onLine: (line) => {
        if (line.startsWith(`${auth.url}/oauth/authorize?`)) page = browse(line);
      },
    });
    expect(result.stderr).toContain('Sign in to ChatGPT in your browser');
    expect(result).toMatchObject({ code: 0 });
    expect(await page).toBe(200);
    expect(result.stdout).toBe(
      `logged in to codex (cli@example.com, account acct-cli, plan plus); credentials saved to ${credentialsPath()}\n`,
    );
    expect(statSync(credentialsPath()).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(credentialsPath(), 'utf8')).tokens.account_id).toBe('acct-cli');
    expect(result.stdout + result.stderr).not.toMatch(/rt_fake_|ac_fake_/);
  });

  it('--no-browser: the pasted redirect URL completes the login (endpoints from CODEX_OAUTH_* variables)', async () => {
    const stdin = new PassThrough();
    const env = {
      CODEX_OAUTH_AUTHORIZATION_ENDPOINT: `${auth.url}/oauth/authorize`,
      CODEX_OAUTH_TOKEN_ENDPOINT: `${auth.url}/oauth/token`,
    };
    const result = await cli(['login', 'codex', '--no-browser'], {
      env,
      stdin,
      onLine: (line) => {
        if (!line.startsWith(`${auth.url}/oauth/authorize?`)) return;
        void fetch(line, { redirect: 'manual' }).then((res) =>
          stdin.write(`${res.headers.get('location')}\n`),
        );
      },
    });
    expect(result.stderr).toContain('Paste the redirect URL here: ');
    expect(result.code).toBe(0);
    expect(JSON.parse(readFileSync(credentialsPath(), 'utf8')).tokens.account_id).toBe('acct-cli');
  });

  it('--no-browser: stdin ending without a URL is a usage error', async () => {
    const stdin = new PassThrough();
    stdin.end();
    const result = await cli(['--config', configPath, 'login', 'codex', '--no-browser'], { stdin });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error: no redirect URL was pasted');
  });

  it('--device: shows the code, and completes once the code is approved', async () => {
    const result = await cli(['--config', configPath, 'login', 'codex', '--device'], {
      onLine: (line) => {
        if (line.includes('enter this code')) auth.approveDevice();
      },
    });
    expect(result.stderr).toMatch(new RegExp(`Open ${auth.url}/codex/device and enter this code: \\S+`));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('logged in to codex');
  });

  it('a refused sign-in exits 1 with the reason; Ctrl-C exits 130; nothing is stored', async () => {
    auth.failNextAuthorize('access_denied', 'missing_codex_entitlement');
    const refused = await cli(['--config', configPath, 'login', 'codex'], {
      onLine: (line) => {
        if (line.startsWith(`${auth.url}/oauth/authorize?`)) void browse(line);
      },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /error: sign-in refused: this ChatGPT workspace has no Codex access.*\(upstream_unauthorized\)/,
    );
    const controller = new AbortController();
    const interrupted = await cli(['--config', configPath, 'login', 'codex'], {
      signal: controller.signal,
      onLine: (line) => {
        if (line.startsWith(`${auth.url}/oauth/authorize?`)) controller.abort();
      },
    });
    expect(interrupted.code).toBe(130);
    expect(() => statSync(credentialsPath())).toThrow();
  });

  it('rejects an unknown provider and an invalid oauth config with exit 2', async () => {
    expect((await cli(['login', 'gemini'])).code).toBe(2);
    mkdirSync(join(dir.path, 'bad'));
    const bad = join(dir.path, 'bad', 'config.yaml');
    writeFileSync(bad, 'providers:\n  codex:\n    oauth:\n      issuer: not a url\n');
    const result = await cli(['--config', bad, 'login', 'codex']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers.codex.oauth.issuer');
  });
});

describe('nodex login claude', () => {
  let claude: FakeClaudeAuth;
  let claudeConfig: string;
  beforeEach(async () => {
    claude = await startFakeClaudeAuth({ email: 'claude@example.com' });
    claudeConfig = join(dir.path, 'claude.yaml');
    const oauth = claude.config();
    writeFileSync(
      claudeConfig,
      `providers:\n  anthropic:\n    oauth:\n      authorize_url: ${oauth.authorize_url}\n      token_url: ${oauth.token_url}\n      callback_port: 0\n`,
    );
  });
  afterEach(() => claude.close());

  const claudePath = () => join(dir.path, '.nodex', 'credentials', 'claude.json');

  it('browser flow: the callback on 127.0.0.1 completes it; credentials stored 0600 in Claude Code’s format', async () => {
    let page: Promise<number> | undefined;
    const result = await cli(['--config', claudeConfig, 'login', 'claude'], {
      onLine: (line) => {
        if (line.startsWith(`${claude.url}/oauth/authorize?`)) page = browse(line);
      },
    });
    expect(result.stderr).toContain('Sign in to Claude in your browser');
    expect(result.code).toBe(0);
    expect(await page).toBe(200);
    expect(result.stdout).toBe(
      `logged in to claude (claude@example.com, fake@example.com's Organization); credentials saved to ${claudePath()}\n`,
    );
    expect(statSync(claudePath()).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(readFileSync(claudePath(), 'utf8'));
    expect(claude.isValidAccessToken(saved.claudeAiOauth.accessToken)).toBe(true);
    expect(result.stdout + result.stderr).not.toMatch(/sk-ant-|ac_fake_/);
  });

  it('--no-browser: the pasted code#state completes the login', async () => {
    const stdin = new PassThrough();
    const result = await cli(['--config', claudeConfig, 'login', 'claude', '--no-browser'], {
      stdin,
      onLine: (line) => {
        if (!line.startsWith(`${claude.url}/oauth/authorize?`)) return;
        void fetch(line).then(async (res) => stdin.write(`${await res.text()}\n`)); // the page shows code#state
      },
    });
    expect(result.stderr).toContain('Paste the code here: ');
    expect(result.code).toBe(0);
    expect(claude.counts.exchange).toBe(1);
    expect(JSON.parse(readFileSync(claudePath(), 'utf8')).claudeAiOauth.refreshToken).toMatch(
      /^sk-ant-ort01-fake-/,
    );
  });

  it('--no-browser with nothing pasted, and --device, are usage errors', async () => {
    const stdin = new PassThrough();
    stdin.end();
    const empty = await cli(['--config', claudeConfig, 'login', 'claude', '--no-browser'], { stdin });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('error: no code was pasted');
    const device = await cli(['--config', claudeConfig, 'login', 'claude', '--device']);
    expect(device.code).toBe(2);
    expect(device.stderr).toContain('claude has no device-code sign-in');
  });

  it('an invalid providers.anthropic.oauth is a config error naming the key', async () => {
    writeFileSync(claudeConfig, 'providers:\n  anthropic:\n    oauth:\n      token_url: not a url\n');
    const result = await cli(['--config', claudeConfig, 'login', 'claude']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('providers.anthropic.oauth.token_url');
  });
});
