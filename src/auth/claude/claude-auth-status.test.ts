import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { fixtureText } from '../../testing/fixtures.js';
import { claudeAuthStatus } from './claude-auth-status.js';
import { nodexClaudeCredentialsPath } from './claude-credential-sources.js';
import { logoutClaude } from './claude-logout.js';

let dir: ReturnType<typeof tempDir>;
let env: Record<string, string>;
beforeEach(() => {
  dir = tempDir();
  env = { HOME: dir.path, NODEX_HOME: join(dir.path, '.nodex') };
});
afterEach(() => dir.cleanup());

const claudeCodePath = () => join(dir.path, '.claude', '.credentials.json');
const ownPath = () => nodexClaudeCredentialsPath(join(dir.path, '.nodex'));

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text, { mode: 0o600 });
}

describe('claudeAuthStatus', () => {
  it('not logged in: says so, and names the API key variable when it is set', async () => {
    expect(await claudeAuthStatus({ env })).toEqual({ provider: 'claude', logged_in: false, also_found: [] });
    expect(await claudeAuthStatus({ env: { ...env, ANTHROPIC_API_KEY: 'sk-ant-api03-x' } })).toMatchObject({
      logged_in: false,
      api_key_env: 'ANTHROPIC_API_KEY',
    });
  });

  it('reads Claude Code’s file (the fixture): plan, tier, scopes, expiry in ms; nothing secret', async () => {
    write(claudeCodePath(), fixtureText('claude-credentials.json'));
    const status = await claudeAuthStatus({ env, now: () => Date.parse('2025-12-31T00:00:00Z') });
    expect(status).toEqual({
      provider: 'claude',
      logged_in: true,
      source: { kind: 'claude-code', owner: 'claude-code', location: claudeCodePath() },
      plan: 'max',
      rate_limit_tier: 'default_claude_max_20x',
      scopes: [
        'user:file_upload',
        'user:inference',
        'user:mcp_servers',
        'user:profile',
        'user:sessions:claude_code',
      ],
      expires_at: '2026-01-01T08:00:00.000Z',
      expired: false,
      refreshable: true,
      also_found: [],
    });
    expect(JSON.stringify(status)).not.toContain('sk-ant-');
  });

  it('lists shadowed sources and reports a malformed source with its path', async () => {
    write(claudeCodePath(), fixtureText('claude-credentials.json'));
    write(ownPath(), '{"claudeAiOauth":');
    const status = await claudeAuthStatus({ env: { ...env, CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-env' } });
    expect(status.logged_in).toBe(false);
    expect(status.error).toContain(`cannot use the credentials in ${ownPath()}`);
    expect(status.also_found.map((s) => s.kind)).toEqual(['claude-code', 'claude-code-env']);
  });
});

describe('logoutClaude', () => {
  it('deletes nodex’s own credentials and leaves Claude Code’s file and variable alone, listing them', async () => {
    write(ownPath(), JSON.stringify({ claudeAiOauth: { accessToken: 'sk-ant-oat01-own' } }));
    write(claudeCodePath(), fixtureText('claude-credentials.json'));
    const result = await logoutClaude({ env: { ...env, CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-env' } });
    expect(result.removed).toEqual({ kind: 'nodex-file', owner: 'nodex', location: ownPath() });
    expect(result.kept.map((s) => s.location)).toEqual([claudeCodePath(), 'CLAUDE_CODE_OAUTH_TOKEN']);
    expect((await logoutClaude({ env })).removed).toBeUndefined();
    expect((await claudeAuthStatus({ env })).source?.kind).toBe('claude-code');
  });
});
