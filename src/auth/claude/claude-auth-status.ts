import { NodexError } from '../../core/errors.js';
import type { StoreDescription } from '../credential-store.js';
import { type ClaudeSourceOptions, claudeCredentialStores } from './claude-credential-sources.js';

/** `nodex auth status` for Claude (same shape as Codex's). Nothing secret. */
export interface ClaudeAuthStatus {
  readonly provider: 'claude';
  readonly logged_in: boolean;
  /** The store nodex uses (the first that holds a login). */
  readonly source?: StoreDescription;
  /** `pro`, `max`, … when the store says. */
  readonly plan?: string;
  readonly rate_limit_tier?: string;
  readonly email?: string;
  readonly organization?: string;
  readonly scopes?: readonly string[];
  /** ISO 8601. */
  readonly expires_at?: string;
  readonly expired?: boolean;
  /** Whether an expired token can be refreshed (a refresh token is present). */
  readonly refreshable?: boolean;
  /** Why the source cannot be used (a malformed file), when it cannot. */
  readonly error?: string;
  /** Other stores that hold a Claude login too, used only if the source goes away. */
  readonly also_found: readonly StoreDescription[];
  /** The API-key variable, when it is set (used when there is no login, or with `auth: api_key`). */
  readonly api_key_env?: string;
}

export interface ClaudeAuthStatusOptions extends ClaudeSourceOptions {
  /** `providers.anthropic.api_key_env` (default ANTHROPIC_API_KEY). */
  readonly apiKeyEnv?: string;
  readonly now?: () => number;
}

/**
 * Reads, without refreshing or writing anything, where nodex's Claude credentials come from and
 * what they say (plan, email, expiry), and whether an API key is set.
 *
 * @example
 * const status = await claudeAuthStatus({ env: process.env });
 * if (!status.logged_in) console.log('run `nodex login claude`');
 */
export async function claudeAuthStatus(options: ClaudeAuthStatusOptions): Promise<ClaudeAuthStatus> {
  const keyEnv = options.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
  const apiKey = options.env[keyEnv]?.trim() ? { api_key_env: keyEnv } : {};
  const present = claudeCredentialStores(options).filter((store) => store.exists());
  const [store, ...rest] = present;
  const also_found = rest.map((s) => s.describe());
  if (!store) return { provider: 'claude', logged_in: false, also_found, ...apiKey };
  const source = store.describe();
  let credentials: Awaited<ReturnType<typeof store.load>>;
  try {
    credentials = await store.load();
  } catch (error) {
    const message = NodexError.isInstance(error) ? error.message : `cannot read ${source.location}`;
    return { provider: 'claude', logged_in: false, source, error: message, also_found, ...apiKey };
  }
  if (!credentials) {
    const error = `${source.location} holds no Claude login`;
    return { provider: 'claude', logged_in: false, source, error, also_found, ...apiKey };
  }
  const now = (options.now ?? Date.now)();
  const { expiresAt } = credentials;
  return {
    provider: 'claude',
    logged_in: true,
    source,
    ...(credentials.subscriptionType ? { plan: credentials.subscriptionType } : {}),
    ...(credentials.rateLimitTier ? { rate_limit_tier: credentials.rateLimitTier } : {}),
    ...(credentials.email ? { email: credentials.email } : {}),
    ...(credentials.organizationName ? { organization: credentials.organizationName } : {}),
    ...(credentials.scopes ? { scopes: credentials.scopes } : {}),
    ...(expiresAt === undefined
      ? {}
      : { expires_at: new Date(expiresAt).toISOString(), expired: expiresAt <= now }),
    refreshable: Boolean(credentials.refreshToken),
    also_found,
    ...apiKey,
  };
}
