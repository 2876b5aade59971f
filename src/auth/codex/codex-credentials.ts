import { z } from 'zod';
import type { OAuthCredentials } from '../credential-store.js';
import { readJwtClaims } from '../jwt-claims.js';
import type { AccessToken } from '../token-source.js';

/** Codex (ChatGPT) credentials as nodex holds them in memory, whatever file they came from. */
export interface CodexCredentials extends OAuthCredentials {
  /** The raw id_token JWT (always a string on disk: seeds-spec §C.1 item 7). */
  readonly idToken?: string;
  /** When the tokens were last obtained, epoch milliseconds. */
  readonly lastRefresh?: number;
}

/** A token endpoint answer (wire.md §1.3, §1.4): every field optional on refresh. */
export const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1).optional(),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().min(1).optional(),
  expires_in: z.number().nonnegative().optional().catch(undefined),
  token_type: z.string().optional(),
});

export type TokenResponse = z.output<typeof TokenResponseSchema>;

/** Codex refreshes when `exp` is missing and the last refresh is older than 8 days (wire.md §1.4). */
export const STALE_AFTER_MS = 8 * 24 * 60 * 60 * 1000;

/** The ChatGPT account id: `tokens.account_id`, else the id_token claim, else the access_token claim. */
export function codexAccountId(
  stored: string | undefined | null,
  idToken: string | undefined,
  accessToken: string | undefined,
): string | undefined {
  return stored || readJwtClaims(idToken)?.accountId || readJwtClaims(accessToken)?.accountId;
}

/**
 * When the access token stops working: its JWT `exp`, else a stored expiry, else `lastRefresh` + 8
 * days (Codex's staleness rule), else unknown.
 */
export function codexExpiresAt(
  accessToken: string,
  stored?: number,
  lastRefresh?: number,
): number | undefined {
  const exp = readJwtClaims(accessToken)?.expiresAt;
  if (exp !== undefined) return exp;
  if (stored !== undefined) return stored;
  return lastRefresh === undefined ? undefined : lastRefresh + STALE_AFTER_MS;
}

/**
 * Builds credentials from a token response; on refresh, fields the response omits are carried over
 * from `previous` (Codex overwrites only what is present: wire.md §1.4).
 *
 * @example
 * const next = codexCredentialsFromResponse(response, current, Date.now());
 */
export function codexCredentialsFromResponse(
  response: TokenResponse,
  previous: CodexCredentials | undefined,
  now: number,
): CodexCredentials | undefined {
  const accessToken = response.access_token ?? previous?.accessToken;
  if (!accessToken) return undefined;
  const idToken = response.id_token ?? previous?.idToken;
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const accountId = codexAccountId(previous?.accountId, idToken, accessToken);
  const fromResponse = response.expires_in === undefined ? undefined : now + response.expires_in * 1000;
  const expiresAt = readJwtClaims(accessToken)?.expiresAt ?? fromResponse;
  return {
    accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    ...(idToken ? { idToken } : {}),
    ...(accountId ? { accountId } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    lastRefresh: now,
  };
}

const accessTokens = new WeakMap<CodexCredentials, AccessToken>();

/** What a provider needs per request: token, account id, expiry, plan (decoded once per credentials). */
export function codexAccessToken(credentials: CodexCredentials): AccessToken {
  const cached = accessTokens.get(credentials);
  if (cached) return cached;
  const planType =
    readJwtClaims(credentials.idToken)?.planType ?? readJwtClaims(credentials.accessToken)?.planType;
  const token: AccessToken = {
    accessToken: credentials.accessToken,
    ...(credentials.accountId ? { accountId: credentials.accountId } : {}),
    ...(credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt }),
    ...(planType ? { planType } : {}),
  };
  accessTokens.set(credentials, token);
  return token;
}
