import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Env, expandHome, nodexHome } from '../../config/paths.js';
import type { CredentialStore } from '../credential-store.js';
import type { ClaudeCredentials } from './claude-credentials.js';
import { ClaudeEnvTokenStore } from './claude-env-token-store.js';
import { ClaudeFileStore } from './claude-file-store.js';

export interface ClaudeSourceOptions {
  readonly env: Env;
  /** NODEX_HOME; default from `env`. */
  readonly home?: string;
}

/** nodex's own Claude credentials file: `NODEX_HOME/credentials/claude.json`. */
export function nodexClaudeCredentialsPath(home: string): string {
  return join(home, 'credentials', 'claude.json');
}

/** Claude Code's file: `$CLAUDE_CONFIG_DIR/.credentials.json`, default `~/.claude/.credentials.json`. */
export function claudeCodeCredentialsPath(env: Env): string {
  const dir = env.CLAUDE_CONFIG_DIR
    ? resolve(expandHome(env.CLAUDE_CONFIG_DIR, env))
    : join(env.HOME || homedir(), '.claude');
  return join(dir, '.credentials.json');
}

/** nodex's own store (what `nodex login claude` writes). */
export function createNodexClaudeStore(home: string): ClaudeFileStore {
  return new ClaudeFileStore({ path: nodexClaudeCredentialsPath(home), kind: 'nodex-file' });
}

/**
 * Every place Claude credentials may be, in precedence order (docs/auth.md): nodex's own store,
 * Claude Code's `.credentials.json`, then `CLAUDE_CODE_OAUTH_TOKEN`.
 *
 * @example
 * const [own, claudeCode, envToken] = claudeCredentialStores({ env: process.env });
 */
export function claudeCredentialStores(options: ClaudeSourceOptions): CredentialStore<ClaudeCredentials>[] {
  return [
    createNodexClaudeStore(options.home ?? nodexHome(options.env)),
    new ClaudeFileStore({ path: claudeCodeCredentialsPath(options.env), kind: 'claude-code' }),
    new ClaudeEnvTokenStore(options.env),
  ];
}

/** The first store that holds a Claude login, or undefined. */
export function findClaudeCredentialStore(
  options: ClaudeSourceOptions,
): CredentialStore<ClaudeCredentials> | undefined {
  return claudeCredentialStores(options).find((store) => store.exists());
}
