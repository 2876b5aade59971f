import { z } from 'zod';
import type { OAuthCredentials } from '../credential-store.js';
import type { AccessToken } from '../token-source.js';

/** Claude credentials as nodex holds them in memory, whatever store they came from (wire.md §4.3). */
export interface ClaudeCredentials extends OAuthCredentials {
  /** Epoch milliseconds. */
  readonly refreshTokenExpiresAt?: number;
  readonly scopes?: readonly string[];
  /** `pro`, `max`, … (Claude Code's file; not in token responses). */
  readonly subscriptionType?: string;
  readonly rateLimitTier?: string;
  /** From the token response's `account.email_address`, when a login or refresh said so. */
  readonly email?: string;
  readonly organizationName?: string;
}

/** A token endpoint answer (wire.md §4.2). Loose: unknown fields ignored. */
export const ClaudeTokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.number().nonnegative().optional().catch(undefined),
  refresh_token_expires_in: z.number().nonnegative().optional().catch(undefined),
  scope: z.string().optional().catch(undefined),
  account: z.looseObject({ email_address: z.string().optional() }).optional().catch(undefined),
  organization: z.looseObject({ name: z.string().optional() }).optional().catch(undefined),
});

export type ClaudeTokenResponse = z.output<typeof ClaudeTokenResponseSchema>;

/**
 * Builds credentials from a token response. A refresh rotates BOTH tokens (wire.md §4.2); fields the
 * response lacks (subscription type, rate-limit tier, a refresh token) carry over from `previous`.
 *
 * @example
 * const next = claudeCredentialsFromResponse(response, current, Date.now());
 */
export function claudeCredentialsFromResponse(
  response: ClaudeTokenResponse,
  previous: ClaudeCredentials | undefined,
  now: number,
): ClaudeCredentials {
  const scopes = response.scope ? response.scope.split(/\s+/).filter(Boolean) : previous?.scopes;
  const refreshToken = response.refresh_token ?? previous?.refreshToken;
  const expiresAt = response.expires_in === undefined ? undefined : now + response.expires_in * 1000;
  const refreshTokenExpiresAt =
    response.refresh_token_expires_in === undefined
      ? response.refresh_token
        ? undefined
        : previous?.refreshTokenExpiresAt
      : now + response.refresh_token_expires_in * 1000;
  const email = response.account?.email_address ?? previous?.email;
  const organizationName = response.organization?.name ?? previous?.organizationName;
  return {
    accessToken: response.access_token,
    ...(refreshToken ? { refreshToken } : {}),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(refreshTokenExpiresAt === undefined ? {} : { refreshTokenExpiresAt }),
    ...(scopes ? { scopes } : {}),
    ...(previous?.subscriptionType ? { subscriptionType: previous.subscriptionType } : {}),
    ...(previous?.rateLimitTier ? { rateLimitTier: previous.rateLimitTier } : {}),
    ...(email ? { email } : {}),
    ...(organizationName ? { organizationName } : {}),
  };
}

/** What a provider needs per request: the bearer, its expiry and the plan. */
export function claudeAccessToken(credentials: ClaudeCredentials): AccessToken {
  return {
    accessToken: credentials.accessToken,
    ...(credentials.expiresAt === undefined ? {} : { expiresAt: credentials.expiresAt }),
    ...(credentials.subscriptionType ? { planType: credentials.subscriptionType } : {}),
  };
}
