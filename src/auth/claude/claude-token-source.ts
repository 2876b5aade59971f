import type { Dispatcher } from 'undici';
import type { Env } from '../../config/paths.js';
import type { RefreshLock } from '../refresh-lock.js';
import { TokenCache } from '../token-cache.js';
import type { TokenSource } from '../token-source.js';
import { CLAUDE_LOGIN_HINT } from './claude-credential-error.js';
import { findClaudeCredentialStore } from './claude-credential-sources.js';
import { claudeAccessToken } from './claude-credentials.js';
import { refreshClaudeCredentials } from './claude-oauth-client.js';
import type { ClaudeOAuthSettings } from './claude-oauth-settings.js';

export interface ClaudeTokenSourceOptions {
  readonly settings: ClaudeOAuthSettings;
  readonly env: Env;
  /** NODEX_HOME; default from `env`. */
  readonly home?: string;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
  /** A refreshed token that could not be saved, and similar non-fatal problems. */
  readonly onWarning?: (message: string) => void;
  /** Held around each refresh, so instances sharing this login refresh one at a time. */
  readonly lock?: RefreshLock;
  /** Called after each successful refresh. */
  readonly onRefresh?: () => void;
}

/**
 * The Anthropic provider's OAuth credentials: the first source that holds a Claude login (nodex's
 * own store, then `$CLAUDE_CONFIG_DIR/.credentials.json`, then `CLAUDE_CODE_OAUTH_TOKEN`) wrapped in
 * a single-flight TokenCache that refreshes 5 minutes before expiry (as Claude Code does), writes
 * the rotated pair back to the same file (locked, atomic, 0600, every other field kept), and on
 * `invalid_grant` re-reads the file before giving up, since Claude Code may have refreshed first.
 *
 * Returns **undefined** when no source holds a login. Synchronous: it only checks existence; a
 * malformed file fails on the first `getToken()` with `credentials_missing` naming the file.
 *
 * @example
 * const tokens = createClaudeTokenSource({ settings: resolveClaudeOAuthSettings({}, env), env });
 * const { accessToken } = await tokens!.getToken(signal);
 */
export function createClaudeTokenSource(options: ClaudeTokenSourceOptions): TokenSource | undefined {
  const store = findClaudeCredentialStore(options);
  if (!store) return undefined;
  const call = {
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  return new TokenCache({
    store,
    refresh: (current) => refreshClaudeCredentials(options.settings, current, call),
    toAccessToken: claudeAccessToken,
    refreshAheadMs: options.settings.refreshAheadMs,
    loginHint: CLAUDE_LOGIN_HINT,
    provider: 'anthropic',
    ...(options.now ? { now: options.now } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.onRefresh ? { onRefresh: () => options.onRefresh?.() } : {}),
  });
}
