import type { Dispatcher } from 'undici';
import { z } from 'zod';
import { NodexError } from '../../core/errors.js';
import { oauthFailure, PERMANENT_REFRESH_CODES, parseOAuthError } from '../oauth-error.js';
import { oauthRequest } from '../oauth-http.js';
import {
  type CodexCredentials,
  codexCredentialsFromResponse,
  TokenResponseSchema,
} from './codex-credentials.js';
import type { CodexOAuthSettings } from './codex-oauth-settings.js';

export interface CodexOAuthCallOptions {
  readonly signal?: AbortSignal;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

const DiscoverySchema = z.looseObject({
  authorization_endpoint: z.url().optional().catch(undefined),
  token_endpoint: z.url().optional().catch(undefined),
  revocation_endpoint: z.url().optional().catch(undefined),
});

const discovered = new Map<string, Promise<Partial<CodexOAuthSettings>>>();

/**
 * With `discovery_url` set, reads the issuer's metadata (RFC 8414) once per process and uses its
 * authorize, token and revocation endpoints. Any failure keeps the configured endpoints, as
 * oauth-codex does (seeds-spec §B.1).
 */
export async function resolveCodexEndpoints(
  settings: CodexOAuthSettings,
  options: CodexOAuthCallOptions = {},
): Promise<CodexOAuthSettings> {
  const url = settings.discoveryUrl;
  if (!url) return settings;
  let pending = discovered.get(url);
  if (!pending) {
    pending = oauthRequest('GET', url, undefined, { ...options, what: 'codex OAuth discovery' }).then(
      (response) => {
        const meta = DiscoverySchema.safeParse(response.json);
        if (response.status !== 200 || !meta.success) return {};
        const { authorization_endpoint: authorizeUrl, token_endpoint: tokenUrl } = meta.data;
        const revokeUrl = meta.data.revocation_endpoint;
        return {
          ...(authorizeUrl && { authorizeUrl }),
          ...(tokenUrl && { tokenUrl }),
          ...(revokeUrl && { revokeUrl }),
        };
      },
      () => ({}),
    );
    discovered.set(url, pending);
  }
  return { ...settings, ...(await pending) };
}

/**
 * Exchanges an authorization code (form-encoded, wire.md §1.3) for credentials, with the account id
 * taken from the id_token claim.
 *
 * @example
 * const credentials = await exchangeCodexCode(settings, { code, redirectUri, verifier: pkce.verifier });
 */
export async function exchangeCodexCode(
  settings: CodexOAuthSettings,
  grant: { readonly code: string; readonly redirectUri: string; readonly verifier: string },
  options: CodexOAuthCallOptions = {},
): Promise<CodexCredentials> {
  const form: Record<string, string> = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: settings.clientId,
    code_verifier: grant.verifier,
  };
  if (settings.audience) form.audience = settings.audience;
  const what = 'codex sign-in (token exchange)';
  const response = await oauthRequest('POST', settings.tokenUrl, { form }, { ...options, what });
  if (response.status < 200 || response.status >= 300)
    throw oauthFailure(response, what, [grant.code, grant.verifier]);
  const parsed = TokenResponseSchema.safeParse(response.json);
  const now = (options.now ?? Date.now)();
  const credentials = parsed.success ? codexCredentialsFromResponse(parsed.data, undefined, now) : undefined;
  if (!credentials)
    throw new NodexError('upstream_protocol', `${what} failed: the answer has no access_token`, {
      provider: 'codex',
    });
  return credentials;
}

const PERMANENT_MESSAGES: Readonly<Record<string, string>> = {
  refresh_token_reused: 'the Codex refresh token was already used (another program may have refreshed it)',
  refresh_token_expired: 'the Codex refresh token has expired',
  refresh_token_invalidated: 'the Codex refresh token was revoked',
};

/**
 * Refreshes Codex credentials: JSON `{client_id, grant_type, refresh_token}` plus `scope` only when
 * configured (wire.md §1.4; oauth-codex hard-coded one: seeds-spec §C.2 item 6). Rotation: the answer
 * carries a new refresh token. A 401, or `refresh_token_reused|expired|invalidated`, is permanent and
 * throws `credentials_expired` (never retried); server errors throw retryable errors.
 *
 * @example
 * const next = await refreshCodexCredentials(settings, current); // next.refreshToken is the rotated one
 */
export async function refreshCodexCredentials(
  settings: CodexOAuthSettings,
  current: CodexCredentials,
  options: CodexOAuthCallOptions = {},
): Promise<CodexCredentials> {
  const refreshToken = current.refreshToken;
  if (!refreshToken)
    throw new NodexError('credentials_expired', 'the Codex credentials hold no refresh token', {
      provider: 'codex',
    });
  const json = {
    client_id: settings.clientId,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    ...(settings.refreshScope ? { scope: settings.refreshScope } : {}),
  };
  const what = 'codex token refresh';
  const response = await oauthRequest('POST', settings.tokenUrl, { json }, { ...options, what });
  if (response.status >= 200 && response.status < 300) {
    const parsed = TokenResponseSchema.safeParse(response.json);
    const now = (options.now ?? Date.now)();
    const next = parsed.success ? codexCredentialsFromResponse(parsed.data, current, now) : undefined;
    if (next) return next;
    throw new NodexError('upstream_protocol', `${what}: the answer is not a token response`, {
      provider: 'codex',
    });
  }
  const { code } = parseOAuthError(response.json);
  if (response.status === 401 || (code && PERMANENT_REFRESH_CODES.has(code))) {
    const message =
      (code && PERMANENT_MESSAGES[code]) ??
      `the Codex refresh token was rejected (${code ?? response.status})`;
    throw new NodexError('credentials_expired', message, {
      provider: 'codex',
      ...(code ? { providerCode: code } : {}),
    });
  }
  throw oauthFailure(response, what, [refreshToken]);
}

/**
 * Revokes a token, best effort (Codex's `revoke_auth_tokens`: JSON `{token, token_type_hint,
 * client_id}`, 10 s). Resolves true when the issuer accepted it, false on any failure.
 *
 * @example
 * const revoked = await revokeCodexToken(settings, credentials.refreshToken, 'refresh_token');
 */
export async function revokeCodexToken(
  settings: CodexOAuthSettings,
  token: string,
  hint: 'refresh_token' | 'access_token',
  options: CodexOAuthCallOptions = {},
): Promise<boolean> {
  const json = {
    token,
    token_type_hint: hint,
    ...(hint === 'refresh_token' ? { client_id: settings.clientId } : {}),
  };
  try {
    const response = await oauthRequest(
      'POST',
      settings.revokeUrl,
      { json },
      { ...options, what: 'codex revoke', timeoutMs: 10_000 },
    );
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}
