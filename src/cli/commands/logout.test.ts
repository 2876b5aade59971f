import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureIo, tempDir } from '../../testing/capture-io.js';
import {
  type FakeOpenAIAuth,
  type FakeTokenSet,
  startFakeOpenAIAuth,
} from '../../testing/fake-openai-auth.js';
import { fixtureText } from '../../testing/fixtures.js';
import { runCli } from '../run-cli.js';

let dir: ReturnType<typeof tempDir>;
let auth: FakeOpenAIAuth;
beforeEach(async () => {
  dir = tempDir();
  auth = await startFakeOpenAIAuth();
});
afterEach(async () => {
  await auth.close();
  dir.cleanup();
});

const ownPath = () => join(dir.path, '.nodex', 'credentials', 'codex.json');
const cliPath = () => join(dir.path, 'codex', 'auth.json');

function writeFile(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
}

function writeOwn(tokens: FakeTokenSet): void {
  const file = {
    auth_mode: 'chatgpt',
    tokens: { ...tokens, account_id: 'acct-fake-0001' },
    last_refresh: null,
  };
  writeFile(ownPath(), JSON.stringify(file));
}

async function logout() {
  const captured = captureIo(dir.path, { CODEX_HOME: join(dir.path, 'codex') });
  const config = join(dir.path, 'config.yaml');
  writeFileSync(config, `providers:\n  codex:\n    oauth:\n      issuer: ${auth.url}\n`);
  const code = await runCli(['--config', config, 'logout', 'codex'], captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}

describe('nodex logout codex', () => {
  it("revokes the refresh token and deletes nodex's own credentials, but leaves the Codex CLI's file and says so", async () => {
    const tokens = auth.issueTokens();
    writeOwn(tokens);
    writeFile(cliPath(), fixtureText('codex-auth.json'));
    const result = await logout();
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`logged out of codex: removed ${ownPath()} (token revoked)\n`);
    expect(auth.revoked).toEqual([tokens.refresh_token]);
    expect(auth.upstream.requests.find((r) => r.path === '/oauth/revoke')?.json).toEqual({
      token: tokens.refresh_token,
      token_type_hint: 'refresh_token',
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
    });
    expect(existsSync(ownPath())).toBe(false);
    expect(existsSync(cliPath())).toBe(true);
    expect(result.stderr).toContain(`note: ${cliPath()} (codex-cli) still holds Codex credentials`);
    expect(result.stderr).toContain('run `codex logout`');
    expect(result.stdout + result.stderr).not.toContain(tokens.refresh_token);
  });

  it('with only another tool’s file, revokes and deletes nothing', async () => {
    writeFile(cliPath(), fixtureText('codex-auth.json'));
    const result = await logout();
    expect(result).toMatchObject({
      code: 0,
      stdout: 'codex: nodex holds no credentials of its own; nothing to remove\n',
    });
    expect(auth.counts.revoke).toBe(0);
    expect(existsSync(cliPath())).toBe(true);
  });

  it('still deletes when the issuer cannot be reached, and says the revoke failed', async () => {
    writeOwn(auth.issueTokens());
    await auth.close();
    const result = await logout();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('could not reach the issuer to revoke the token');
    expect(existsSync(ownPath())).toBe(false);
    auth = await startFakeOpenAIAuth(); // afterEach closes it
  });
});

describe('nodex logout claude', () => {
  const own = () => join(dir.path, '.nodex', 'credentials', 'claude.json');
  const claudeCode = () => join(dir.path, '.claude', '.credentials.json');

  it("deletes nodex's own Claude credentials, keeps Claude Code's file and says how to sign out there", async () => {
    writeFile(own(), JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat01-own-secret' } }));
    writeFile(claudeCode(), fixtureText('claude-credentials.json'));
    const captured = captureIo(dir.path);
    const code = await runCli(['logout', 'claude'], captured.io);
    expect(code).toBe(0);
    expect(captured.stdout()).toBe(
      `logged out of claude: removed ${own()} (tokens not revoked: no revocation endpoint)\n`,
    );
    expect(existsSync(own())).toBe(false);
    expect(existsSync(claudeCode())).toBe(true);
    expect(captured.stderr()).toContain(`note: ${claudeCode()} (claude-code) still holds Claude credentials`);
    expect(captured.stderr()).toContain('run `/logout` in Claude Code');
    expect(captured.stdout() + captured.stderr()).not.toContain('secret');
    const again = captureIo(dir.path);
    await runCli(['logout', 'claude'], again.io);
    expect(again.stdout()).toBe('claude: nodex holds no credentials of its own; nothing to remove\n');
  });
});
