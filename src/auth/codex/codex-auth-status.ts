import { NodexError } from '../../core/errors.js';
import type { StoreDescription } from '../credential-store.js';
import { readJwtClaims } from '../jwt-claims.js';
import { type CodexSourceOptions, codexCredentialStores } from './codex-credential-sources.js';

/** `nodex auth status` for Codex. Nothing secret: no token, only who and until when. */
export interface CodexAuthStatus {
  readonly provider: 'codex';
  readonly logged_in: boolean;
  /** The store nodex uses (the first that holds something). */
  readonly source?: StoreDescription;
  readonly account_id?: string;
  readonly plan?: string;
  readonly email?: string;
  /** ISO 8601. */
  readonly expires_at?: string;
  readonly expired?: boolean;
  /** Whether an expired token can be refreshed (a refresh token is present). */
  readonly refreshable?: boolean;
  /** Why the source cannot be used (a malformed file), when it cannot. */
  readonly error?: string;
  /** Other stores that hold Codex credentials too, used only if the source goes away. */
  readonly also_found: readonly StoreDescription[];
}

/**
 * Reads, without refreshing or writing anything, where nodex's Codex credentials come from and
 * what they say (account, plan, email, expiry).
 *
 * @example
 * const status = await codexAuthStatus({ settings, env: process.env });
 * if (!status.logged_in) console.log('run `nodex login codex`');
 */
export async function codexAuthStatus(
  options: CodexSourceOptions & { readonly now?: () => number },
): Promise<CodexAuthStatus> {
  const present = codexCredentialStores(options).filter((store) => store.exists());
  const [store, ...rest] = present;
  const also_found = rest.map((s) => s.describe());
  if (!store) return { provider: 'codex', logged_in: false, also_found };
  const source = store.describe();
  let credentials: Awaited<ReturnType<typeof store.load>>;
  try {
    credentials = await store.load();
  } catch (error) {
    const message = NodexError.isInstance(error) ? error.message : `cannot read ${source.location}`;
    return { provider: 'codex', logged_in: false, source, error: message, also_found };
  }
  if (!credentials) {
    const error = `${source.location} holds no ChatGPT tokens (an API-key login?)`;
    return { provider: 'codex', logged_in: false, source, error, also_found };
  }
  const claims = { ...readJwtClaims(credentials.accessToken), ...readJwtClaims(credentials.idToken) };
  const now = (options.now ?? Date.now)();
  const expiresAt = credentials.expiresAt;
  return {
    provider: 'codex',
    logged_in: true,
    source,
    ...(credentials.accountId ? { account_id: credentials.accountId } : {}),
    ...(claims.planType ? { plan: claims.planType } : {}),
    ...(claims.email ? { email: claims.email } : {}),
    ...(expiresAt === undefined
      ? {}
      : { expires_at: new Date(expiresAt).toISOString(), expired: expiresAt <= now }),
    refreshable: Boolean(credentials.refreshToken),
    also_found,
  };
}
