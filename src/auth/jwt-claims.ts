import { z } from 'zod';

/** What nodex reads from a ChatGPT id or access token (wire.md §1.6). Nothing here is secret. */
export interface JwtClaims {
  readonly accountId?: string;
  readonly planType?: string;
  readonly userId?: string;
  readonly email?: string;
  /** Expiry, epoch milliseconds (`exp` is in seconds). */
  readonly expiresAt?: number;
}

const AUTH_CLAIM = 'https://api.openai.com/auth';
const PROFILE_CLAIM = 'https://api.openai.com/profile';

const text = z.string().min(1).optional().catch(undefined);

const PayloadSchema = z.looseObject({
  exp: z.number().finite().optional().catch(undefined),
  email: text,
  [AUTH_CLAIM]: z
    .looseObject({
      chatgpt_account_id: text,
      account_id: text,
      chatgpt_plan_type: text,
      chatgpt_user_id: text,
      user_id: text,
    })
    .optional()
    .catch(undefined),
  [PROFILE_CLAIM]: z.looseObject({ email: text }).optional().catch(undefined),
});

/** Decodes a JWT payload without verifying it; undefined when it is not a JWT with a JSON object payload. */
export function decodeJwtPayload(token: string | undefined): Record<string, unknown> | undefined {
  const segment = token?.split('.')[1];
  if (!segment) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads the ChatGPT claims of a JWT without verifying it (the token came from the issuer over TLS,
 * or from a file the user owns). Malformed input gives undefined, never an exception.
 *
 * @example
 * readJwtClaims(idToken)?.accountId; // '6f2c1a7e-…' from ["https://api.openai.com/auth"].chatgpt_account_id
 */
export function readJwtClaims(token: string | undefined): JwtClaims | undefined {
  const payload = PayloadSchema.safeParse(decodeJwtPayload(token));
  if (!payload.success) return undefined;
  const data = payload.data;
  const auth = data[AUTH_CLAIM];
  const claims: Record<string, string | number> = {};
  const accountId = auth?.chatgpt_account_id ?? auth?.account_id;
  const userId = auth?.chatgpt_user_id ?? auth?.user_id;
  const email = data.email ?? data[PROFILE_CLAIM]?.email;
  if (accountId) claims.accountId = accountId;
  if (auth?.chatgpt_plan_type) claims.planType = auth.chatgpt_plan_type;
  if (userId) claims.userId = userId;
  if (email) claims.email = email;
  if (data.exp !== undefined) claims.expiresAt = data.exp * 1000;
  return claims as JwtClaims;
}
