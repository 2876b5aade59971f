import type { Dispatcher } from 'undici';
import type { StoreDescription } from '../credential-store.js';
import { type CodexSourceOptions, codexCredentialStores } from './codex-credential-sources.js';
import type { CodexCredentials } from './codex-credentials.js';
import { resolveCodexEndpoints, revokeCodexToken } from './codex-oauth-client.js';
import type { CodexOAuthSettings } from './codex-oauth-settings.js';

export interface CodexLogoutOptions extends CodexSourceOptions {
  readonly settings: CodexOAuthSettings;
  readonly dispatcher?: Dispatcher;
  readonly signal?: AbortSignal;
}

export interface CodexLogoutResult {
  /** nodex's own store, when it held credentials and they were deleted. */
  readonly removed?: StoreDescription;
  /** Whether the issuer accepted the revocation (best effort; false when offline). */
  readonly revoked: boolean;
  /** Other tools' files that still hold Codex credentials: left alone, and used by nodex next. */
  readonly kept: readonly StoreDescription[];
}

/**
 * Logs nodex out of Codex: revokes the refresh token (best effort, as Codex's `logout` does) and
 * deletes nodex's own stored credentials. Files of the Codex CLI and oauth-codex are neither revoked
 * nor deleted, since that would log those tools out; they are listed in `kept`.
 *
 * @example
 * const { removed, kept } = await logoutCodex({ settings, env: process.env });
 */
export async function logoutCodex(options: CodexLogoutOptions): Promise<CodexLogoutResult> {
  const [own, ...others] = codexCredentialStores(options);
  let removed: StoreDescription | undefined;
  let revoked = false;
  if (own?.exists()) {
    const credentials: CodexCredentials | undefined = await own.load().catch(() => undefined);
    if (credentials) {
      const call = {
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      };
      const settings = await resolveCodexEndpoints(options.settings, call);
      revoked = credentials.refreshToken
        ? await revokeCodexToken(settings, credentials.refreshToken, 'refresh_token', call)
        : await revokeCodexToken(settings, credentials.accessToken, 'access_token', call);
    }
    const description = own.describe();
    if (await own.delete()) removed = description;
  }
  return {
    ...(removed ? { removed } : {}),
    revoked,
    kept: others.filter((s) => s.exists()).map((s) => s.describe()),
  };
}
