import type { Dispatcher } from 'undici';
import type { Env } from '../../config/paths.js';
import type { KeyringProbe } from '../keyring.js';
import type { RefreshLock } from '../refresh-lock.js';
import { TokenCache } from '../token-cache.js';
import type { TokenSource } from '../token-source.js';
import { findCodexCredentialStore } from './codex-credential-sources.js';
import { codexAccessToken } from './codex-credentials.js';
import { refreshCodexCredentials, resolveCodexEndpoints } from './codex-oauth-client.js';
import type { CodexOAuthSettings } from './codex-oauth-settings.js';

export interface CodexTokenSourceOptions {
  readonly settings: CodexOAuthSettings;
  readonly env: Env;
  /** NODEX_HOME; default from `env`. */
  readonly home?: string;
  readonly keyring?: KeyringProbe;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
  /** A refreshed token that could not be saved, and similar non-fatal problems. */
  readonly onWarning?: (message: string) => void;
  /** Held around each refresh, so instances sharing this login refresh one at a time. */
  readonly lock?: RefreshLock;
  /** Called after each successful refresh, with the (non-secret) account id. */
  readonly onRefresh?: (info: { readonly accountId?: string }) => void;
}

/** What the user is told to do when Codex credentials are missing or dead. */
export const CODEX_LOGIN_HINT = 'run `nodex login codex`';

/**
 * The Codex provider's credentials: finds the first store that holds Codex credentials (nodex's
 * own, then `$CODEX_HOME/auth.json`, then oauth-codex's files) and wraps it in a refreshing,
 * single-flight TokenCache that writes rotated tokens back to the same store, in its own format.
 *
 * Returns **undefined** when no store holds anything (the provider factory turns that into
 * "run `nodex login codex`"). It is synchronous and reads nothing but file existence; a store that
 * exists but cannot be parsed fails on the first `getToken()` with `credentials_missing` naming the
 * file.
 *
 * @example
 * const tokens = createCodexTokenSource({ settings: resolveCodexOAuthSettings(config, env), env });
 * if (!tokens) throw new ProviderUnavailableError('no Codex login: run `nodex login codex`');
 * const { accessToken, accountId } = await tokens.getToken(signal);
 */
export function createCodexTokenSource(options: CodexTokenSourceOptions): TokenSource | undefined {
  const store = findCodexCredentialStore(options);
  if (!store) return undefined;
  const call = {
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    ...(options.now ? { now: options.now } : {}),
  };
  return new TokenCache({
    store,
    refresh: async (current) =>
      refreshCodexCredentials(await resolveCodexEndpoints(options.settings, call), current, call),
    toAccessToken: codexAccessToken,
    refreshAheadMs: options.settings.refreshAheadMs,
    loginHint: CODEX_LOGIN_HINT,
    provider: 'codex',
    ...(options.now ? { now: options.now } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.onRefresh
      ? {
          onRefresh: (c: { accountId?: string }) =>
            options.onRefresh?.(c.accountId ? { accountId: c.accountId } : {}),
        }
      : {}),
  });
}
