import type { Dispatcher } from 'undici';
import { NodexError } from '../../core/errors.js';
import { parseOAuthError, redactSecrets } from '../oauth-error.js';
import { type OAuthHttpOptions, type OAuthHttpResponse, oauthRequest } from '../oauth-http.js';
import type { PkceSession } from '../pkce.js';
import {
  type ClaudeCredentials,
  ClaudeTokenResponseSchema,
  claudeCredentialsFromResponse,
} from './claude-credentials.js';
import type { ClaudeOAuthSettings } from './claude-oauth-settings.js';

export interface ClaudeOAuthCallOptions {
  readonly signal?: AbortSignal;
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

const PROVIDER = 'anthropic';

/**
 * The authorize URL, parameters in CPA's order (wire.md §4.1): `code=true`, client_id,
 * response_type, redirect_uri, scope, code_challenge, code_challenge_method, state.
 *
 * @example
 * const url = claudeAuthorizeUrl(settings, pkce, 'http://localhost:54545/callback');
 */
export function claudeAuthorizeUrl(
  settings: Pick<ClaudeOAuthSettings, 'authorizeUrl' | 'clientId' | 'scope'>,
  pkce: Pick<PkceSession, 'challenge' | 'state'>,
  redirectUri: string,
): string {
  const pairs: Array<[string, string]> = [
    ['code', 'true'],
    ['client_id', settings.clientId],
    ['response_type', 'code'],
    ['redirect_uri', redirectUri],
    ['scope', settings.scope],
    ['code_challenge', pkce.challenge],
    ['code_challenge_method', 'S256'],
    ['state', pkce.state],
  ];
  const query = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  const base = settings.authorizeUrl;
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}

/** Claude's token endpoint: a JSON POST with Claude Code's own Accept and User-Agent (wire.md §4.2). */
function claudeTokenRequest(
  url: string,
  json: Readonly<Record<string, string>>,
  options: Omit<OAuthHttpOptions, 'headers'>,
  userAgent: string,
): Promise<OAuthHttpResponse> {
  return oauthRequest(
    'POST',
    url,
    { json },
    {
      ...options,
      timeoutMs: options.timeoutMs ?? 30_000,
      headers: { accept: 'application/json, text/plain, */*', 'user-agent': userAgent },
    },
  );
}

function header(response: OAuthHttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `retry-after-ms`, else `retry-after` seconds (CPA `parseClaudeRetryAfter`). */
function retryAfterMs(response: OAuthHttpResponse): number | undefined {
  const ms = Number.parseFloat(header(response, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const seconds = Number.parseFloat(header(response, 'retry-after') ?? '');
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** `{"error":{"type":"rate_limit_error",…}}`, which the endpoint may send with HTTP 200 (wire.md §4.2). */
function envelopeError(json: unknown): { type?: string; message?: string } | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const error = (json as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, message } = error as { type?: unknown; message?: unknown };
  return {
    ...(typeof type === 'string' ? { type } : {}),
    ...(typeof message === 'string' ? { message } : {}),
  };
}

/** Maps a failed token answer to a typed error, never echoing what was sent. */
function tokenFailure(response: OAuthHttpResponse, what: string, secrets: string[]): NodexError {
  const envelope = envelopeError(response.json);
  const info = parseOAuthError(response.json);
  const code = envelope?.type ?? info.code;
  const reason =
    [code, envelope?.message ?? info.description].filter(Boolean).join(': ') || `HTTP ${response.status}`;
  const message = `${what} failed: ${redactSecrets(reason, secrets).slice(0, 300)}`;
  const base = { provider: PROVIDER, ...(code ? { providerCode: code } : {}) };
  if (response.status === 429 || code === 'rate_limit_error') {
    const delay = retryAfterMs(response);
    return new NodexError('upstream_rate_limited', message, {
      ...base,
      ...(delay === undefined ? {} : { retryAfterMs: delay }),
    });
  }
  if (response.status >= 500) return new NodexError('upstream_error', message, base);
  return new NodexError('upstream_unauthorized', message, base);
}

function credentialsFrom(
  response: OAuthHttpResponse,
  previous: ClaudeCredentials | undefined,
  what: string,
  now: number,
): ClaudeCredentials {
  const parsed = ClaudeTokenResponseSchema.safeParse(response.json);
  if (parsed.success) return claudeCredentialsFromResponse(parsed.data, previous, now);
  throw new NodexError('upstream_protocol', `${what}: the answer has no access_token`, {
    provider: PROVIDER,
  });
}

/**
 * Exchanges an authorization code for credentials: JSON body with keys in Claude Code's order
 * (wire.md §4.2), `state` included.
 *
 * @example
 * const credentials = await exchangeClaudeCode(settings, { code, state, redirectUri, verifier });
 */
export async function exchangeClaudeCode(
  settings: ClaudeOAuthSettings,
  grant: {
    readonly code: string;
    readonly state: string;
    readonly redirectUri: string;
    readonly verifier: string;
  },
  options: ClaudeOAuthCallOptions = {},
): Promise<ClaudeCredentials> {
  const json = {
    grant_type: 'authorization_code',
    code: grant.code,
    redirect_uri: grant.redirectUri,
    client_id: settings.clientId,
    code_verifier: grant.verifier,
    state: grant.state,
  };
  const what = 'claude sign-in (token exchange)';
  const response = await claudeTokenRequest(
    settings.tokenUrl,
    json,
    { ...options, what },
    settings.userAgent,
  );
  if (response.status < 200 || response.status >= 300 || envelopeError(response.json))
    throw tokenFailure(response, what, [grant.code, grant.verifier]);
  return credentialsFrom(response, undefined, what, (options.now ?? Date.now)());
}

/** The scope sent on refresh: configured, else the stored scopes, else none (`none` = none). */
function refreshScope(settings: ClaudeOAuthSettings, current: ClaudeCredentials): string | undefined {
  if (settings.refreshScope === 'none') return undefined;
  if (settings.refreshScope) return settings.refreshScope;
  return current.scopes?.length ? current.scopes.join(' ') : undefined;
}

/**
 * Refreshes Claude credentials: JSON `{grant_type, refresh_token, client_id, scope?}` (wire.md
 * §4.2). The answer rotates BOTH tokens. `invalid_grant` (a used or revoked refresh token) and 401
 * are permanent: `credentials_expired`, which makes the TokenCache re-read the store (Claude Code
 * may have refreshed) before giving up. 429 / an HTTP-200 rate-limit body are retryable.
 *
 * @example
 * const next = await refreshClaudeCredentials(settings, current); // next.refreshToken is the new one
 */
export async function refreshClaudeCredentials(
  settings: ClaudeOAuthSettings,
  current: ClaudeCredentials,
  options: ClaudeOAuthCallOptions = {},
): Promise<ClaudeCredentials> {
  const refreshToken = current.refreshToken;
  if (!refreshToken)
    throw new NodexError('credentials_expired', 'the Claude credentials hold no refresh token', {
      provider: PROVIDER,
    });
  const scope = refreshScope(settings, current);
  const json = {
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: settings.clientId,
    ...(scope ? { scope } : {}),
  };
  const what = 'claude token refresh';
  const response = await claudeTokenRequest(
    settings.tokenUrl,
    json,
    { ...options, what },
    settings.userAgent,
  );
  const ok = response.status >= 200 && response.status < 300 && !envelopeError(response.json);
  if (ok) return credentialsFrom(response, current, what, (options.now ?? Date.now)());
  const { code } = parseOAuthError(response.json);
  if (code === 'invalid_grant' || response.status === 401) {
    throw new NodexError(
      'credentials_expired',
      'the Claude refresh token was rejected (already used, expired or revoked; Claude Code may have refreshed it)',
      { provider: PROVIDER, providerCode: code ?? 'invalid_grant' },
    );
  }
  throw tokenFailure(response, what, [refreshToken]);
}
