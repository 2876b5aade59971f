import { z } from 'zod';
import { NodexError } from '../core/errors.js';
import type { OAuthHttpResponse } from './oauth-http.js';

/** An OAuth endpoint's error, in either of the shapes auth.openai.com uses (wire.md §1.3). */
export interface OAuthErrorInfo {
  /** `invalid_grant`, `refresh_token_reused`, … */
  readonly code?: string;
  readonly description?: string;
}

const NestedErrorSchema = z.looseObject({
  error: z.looseObject({ code: z.string().nullish(), message: z.string().nullish() }),
});
const FlatErrorSchema = z.looseObject({ error: z.string(), error_description: z.string().nullish() });
const DetailSchema = z.looseObject({ detail: z.string() });

/** Reads `{error, error_description}`, `{error:{code,message}}` or `{detail}`; empty when neither. */
export function parseOAuthError(json: unknown): OAuthErrorInfo {
  const nested = NestedErrorSchema.safeParse(json);
  if (nested.success) {
    const { code, message } = nested.data.error;
    return { ...(code ? { code } : {}), ...(message ? { description: message } : {}) };
  }
  const flat = FlatErrorSchema.safeParse(json);
  if (flat.success) {
    const description = flat.data.error_description;
    return { code: flat.data.error, ...(description ? { description } : {}) };
  }
  const detail = DetailSchema.safeParse(json);
  return detail.success ? { description: detail.data.detail } : {};
}

/**
 * Refresh failures that no retry can fix (wire.md §1.4, Codex `classify_refresh_token_failure`):
 * the token expired, was already used (rotation), or was revoked.
 */
export const PERMANENT_REFRESH_CODES = new Set([
  'refresh_token_expired',
  'refresh_token_reused',
  'refresh_token_invalidated',
  'invalid_grant',
]);

/** Replaces every secret that occurs in `text` with `***` (servers sometimes echo what they got). */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 6) out = out.split(secret).join('***');
  return out;
}

/**
 * Turns a failed OAuth answer into a NodexError with the server's code and a short description,
 * never echoing the `secrets` that were sent.
 */
export function oauthFailure(
  response: OAuthHttpResponse,
  what: string,
  secrets: ReadonlyArray<string | undefined>,
): NodexError {
  const info = parseOAuthError(response.json);
  const reason = [info.code, info.description].filter(Boolean).join(': ') || `HTTP ${response.status}`;
  const message = `${what} failed: ${redactSecrets(reason, secrets).slice(0, 300)}`;
  const options = { provider: 'codex', ...(info.code ? { providerCode: info.code } : {}) };
  if (response.status >= 500) return new NodexError('upstream_error', message, options);
  if (response.status === 429) return new NodexError('upstream_rate_limited', message, options);
  return new NodexError('upstream_unauthorized', message, options);
}
