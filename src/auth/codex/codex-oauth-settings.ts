import { z } from 'zod';
import type { Env } from '../../config/paths.js';
import { duration } from '../../config/schema.js';

/** ChatGPT / Codex OAuth constants (research/wire.md §1). */
export const CODEX_OAUTH_DEFAULTS = {
  issuer: 'https://auth.openai.com',
  clientId: 'app_EMoamEEZ73f0CkXaXp7hrann',
  scope: 'openid profile email offline_access',
  originator: 'codex_cli_rs',
  callbackPort: 1455,
  fallbackCallbackPort: 1457,
  authorizeParams: { id_token_add_organizations: 'true', codex_cli_simplified_flow: 'true' },
} as const;

/** `providers.codex.oauth` in the config file. Every endpoint is configurable (enterprise proxies, fakes). */
export const CodexOAuthConfigSchema = z.strictObject({
  issuer: z.url().optional(),
  authorize_url: z.url().optional(),
  token_url: z.url().optional(),
  revoke_url: z.url().optional(),
  device_usercode_url: z.url().optional(),
  device_token_url: z.url().optional(),
  device_verification_url: z.url().optional(),
  discovery_url: z.url().optional(),
  client_id: z.string().min(1).optional(),
  scope: z.string().min(1).optional(),
  audience: z.string().min(1).optional(),
  redirect_uri: z.url().optional(),
  originator: z.string().min(1).optional(),
  /** Extra authorize query parameters, merged over the Codex ones. */
  authorize_params: z.record(z.string(), z.string()).optional(),
  callback_port: z.number().int().min(0).max(65535).optional(),
  /** Refresh this long before the access token expires. */
  refresh_ahead: duration.optional(),
  /**
   * Scope sent with refresh requests. Current Codex sends none (wire.md §1.4); older clients sent
   * `openid profile email`. Unset means no scope field.
   */
  refresh_scope: z.string().min(1).optional(),
  /** Where `nodex login codex` keeps credentials: a 0600 file (default) or the OS keyring. */
  credential_store: z.enum(['file', 'keyring']).optional(),
});

export type CodexOAuthConfig = z.output<typeof CodexOAuthConfigSchema>;

/** The resolved OAuth settings nodex uses (config < CODEX_OAUTH_* environment). */
export interface CodexOAuthSettings {
  readonly issuer: string;
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly revokeUrl: string;
  readonly deviceUserCodeUrl: string;
  readonly deviceTokenUrl: string;
  readonly deviceVerificationUrl: string;
  /** Where the device flow's code is exchanged (`{issuer}/deviceauth/callback`). */
  readonly deviceRedirectUri: string;
  readonly discoveryUrl?: string;
  readonly clientId: string;
  readonly scope: string;
  readonly audience?: string;
  /** Set when configured; otherwise `http://localhost:{port}/auth/callback` of the callback server. */
  readonly redirectUri?: string;
  readonly originator: string;
  readonly authorizeParams: Readonly<Record<string, string>>;
  readonly callbackPort: number;
  readonly fallbackCallbackPort: number;
  readonly refreshAheadMs: number;
  /** Sent as `scope` on refresh only when set. */
  readonly refreshScope?: string;
  readonly credentialStore: 'file' | 'keyring';
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** Drops undefined and empty values, so a layer only overrides what it sets. */
function defined(layer: CodexOAuthConfig): CodexOAuthConfig {
  return Object.fromEntries(
    Object.entries(layer).filter(([, value]) => value !== undefined && value !== ''),
  ) as CodexOAuthConfig;
}

/** The `CODEX_OAUTH_*` variables of oauth-codex, plus Codex's own URL overrides (wire.md §1.1). */
function envLayer(env: Env): CodexOAuthConfig {
  return defined({
    authorize_url: env.CODEX_OAUTH_AUTHORIZATION_ENDPOINT,
    token_url: env.CODEX_OAUTH_TOKEN_ENDPOINT || env.CODEX_REFRESH_TOKEN_URL_OVERRIDE,
    revoke_url: env.CODEX_REVOKE_TOKEN_URL_OVERRIDE,
    client_id: env.CODEX_OAUTH_CLIENT_ID,
    scope: env.CODEX_OAUTH_SCOPE,
    audience: env.CODEX_OAUTH_AUDIENCE,
    redirect_uri: env.CODEX_OAUTH_REDIRECT_URI,
    discovery_url: env.CODEX_OAUTH_DISCOVERY_URL,
    originator: env.CODEX_OAUTH_ORIGINATOR,
    refresh_scope: env.CODEX_OAUTH_REFRESH_SCOPE,
  });
}

/**
 * Resolves the Codex OAuth settings: defaults < `providers.codex.oauth` < the `CODEX_OAUTH_*`
 * variables of oauth-codex (and Codex's own `CODEX_REFRESH_TOKEN_URL_OVERRIDE` /
 * `CODEX_REVOKE_TOKEN_URL_OVERRIDE`) < `overrides`. Options passed in code (the SDK, CLI flags) go
 * in `overrides`, so the environment never beats them (oauth-codex let it: seeds-spec §C.2 item 6).
 *
 * @example
 * const settings = resolveCodexOAuthSettings({ issuer: 'http://127.0.0.1:4000' }, process.env);
 */
export function resolveCodexOAuthSettings(
  fileConfig: CodexOAuthConfig = {},
  env: Env = {},
  overrides: CodexOAuthConfig = {},
): CodexOAuthSettings {
  const config: CodexOAuthConfig = { ...defined(fileConfig), ...envLayer(env), ...defined(overrides) };
  const issuer = trimSlash(config.issuer ?? CODEX_OAUTH_DEFAULTS.issuer);
  return {
    issuer,
    authorizeUrl: config.authorize_url ?? `${issuer}/oauth/authorize`,
    tokenUrl: config.token_url ?? `${issuer}/oauth/token`,
    revokeUrl: config.revoke_url ?? `${issuer}/oauth/revoke`,
    deviceUserCodeUrl: config.device_usercode_url ?? `${issuer}/api/accounts/deviceauth/usercode`,
    deviceTokenUrl: config.device_token_url ?? `${issuer}/api/accounts/deviceauth/token`,
    deviceVerificationUrl: config.device_verification_url ?? `${issuer}/codex/device`,
    deviceRedirectUri: `${issuer}/deviceauth/callback`,
    ...(config.discovery_url ? { discoveryUrl: config.discovery_url } : {}),
    clientId: config.client_id ?? CODEX_OAUTH_DEFAULTS.clientId,
    scope: config.scope ?? CODEX_OAUTH_DEFAULTS.scope,
    ...(config.audience ? { audience: config.audience } : {}),
    ...(config.redirect_uri ? { redirectUri: config.redirect_uri } : {}),
    originator: config.originator ?? CODEX_OAUTH_DEFAULTS.originator,
    authorizeParams: { ...CODEX_OAUTH_DEFAULTS.authorizeParams, ...config.authorize_params },
    callbackPort: config.callback_port ?? CODEX_OAUTH_DEFAULTS.callbackPort,
    fallbackCallbackPort: CODEX_OAUTH_DEFAULTS.fallbackCallbackPort,
    refreshAheadMs: config.refresh_ahead ?? 5 * 60_000,
    ...(config.refresh_scope ? { refreshScope: config.refresh_scope } : {}),
    credentialStore: config.credential_store ?? 'file',
  };
}
