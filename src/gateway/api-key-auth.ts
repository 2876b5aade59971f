import type { IncomingHttpHeaders } from 'node:http';

/** Who a request belongs to once its key is checked. */
export interface Caller {
  readonly keyId: string;
  readonly label: string;
}

/**
 * The key a client sent, in whatever place its protocol puts it: `Authorization: Bearer`
 * (OpenAI, and Anthropic SDKs with an auth token), `x-api-key` (Anthropic, Claude Code) or
 * `api-key` (Azure-style clients).
 */
export function presentedKey(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  if (authorization && /^bearer\s+/i.test(authorization))
    return authorization.replace(/^bearer\s+/i, '').trim() || undefined;
  const apiKey = headers['x-api-key'] ?? headers['api-key'];
  const value = Array.isArray(apiKey) ? apiKey[0] : apiKey;
  return value?.trim() || undefined;
}
