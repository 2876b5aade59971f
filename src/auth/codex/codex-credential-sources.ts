import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Env, expandHome, nodexHome } from '../../config/paths.js';
import type { CredentialStore } from '../credential-store.js';
import type { KeyringProbe } from '../keyring.js';
import { CodexAuthFileStore } from './codex-auth-file-store.js';
import type { CodexCredentials } from './codex-credentials.js';
import { createNodexCodexStore } from './codex-nodex-store.js';
import type { CodexOAuthSettings } from './codex-oauth-settings.js';
import { OAuthCodexStore } from './oauth-codex-store.js';

export interface CodexSourceOptions {
  readonly settings: Pick<CodexOAuthSettings, 'credentialStore'>;
  readonly env: Env;
  /** NODEX_HOME; default from `env`. */
  readonly home?: string;
  /** Shared keyring probe (one notice per process). */
  readonly keyring?: KeyringProbe;
  readonly now?: () => number;
}

/** The Codex CLI's file: `$CODEX_HOME/auth.json`, default `~/.codex/auth.json` (wire.md §1.5). */
export function codexCliAuthPath(env: Env): string {
  const codexHome = env.CODEX_HOME
    ? resolve(expandHome(env.CODEX_HOME, env))
    : join(env.HOME || homedir(), '.codex');
  return join(codexHome, 'auth.json');
}

/**
 * Every place Codex credentials may be, in precedence order (docs/auth.md): nodex's own store,
 * the Codex CLI's `$CODEX_HOME/auth.json`, then oauth-codex's `~/.oauth_codex/auth.json` and its
 * legacy `~/.codex_oauth_llm/auth.json` (seeds-spec §B.2).
 *
 * @example
 * const [nodexStore, codexCli] = codexCredentialStores({ settings, env: process.env });
 */
export function codexCredentialStores(options: CodexSourceOptions): CredentialStore<CodexCredentials>[] {
  const { env } = options;
  const home = env.HOME || homedir();
  const now = options.now ? { now: options.now } : {};
  return [
    createNodexCodexStore({
      home: options.home ?? nodexHome(env),
      mode: options.settings.credentialStore,
      ...(options.keyring ? { keyring: options.keyring } : {}),
      ...now,
    }),
    new CodexAuthFileStore({ path: codexCliAuthPath(env), kind: 'codex-cli', ...now }),
    new OAuthCodexStore(join(home, '.oauth_codex', 'auth.json'), 'oauth-codex', options.now),
    new OAuthCodexStore(join(home, '.codex_oauth_llm', 'auth.json'), 'oauth-codex-legacy', options.now),
  ];
}

/** The first store that holds something, or undefined when Codex was never logged in anywhere. */
export function findCodexCredentialStore(
  options: CodexSourceOptions,
): CredentialStore<CodexCredentials> | undefined {
  return codexCredentialStores(options).find((store) => store.exists());
}
