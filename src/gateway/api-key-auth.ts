import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { NodexError } from '../core/errors.js';

/** Who a request belongs to once its key is checked. */
export interface Caller {
  readonly keyId: string;
  readonly label: string;
}

export interface ApiKeyAuthOptions {
  /** Static keys from the config (`server.api_keys`). */
  readonly keys: readonly string[];
  /** Development mode: any key, or none, is accepted (logged loudly at startup). */
  readonly allowAnyKey: boolean;
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

function same(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks the presented key (constant-time against every static key, so timing says nothing about
 * which matched). The answer is the same for a missing, wrong or unknown key.
 */
export function authenticate(headers: IncomingHttpHeaders, options: ApiKeyAuthOptions): Caller {
  const key = presentedKey(headers);
  if (options.allowAnyKey) return { keyId: 'anonymous', label: 'any key (development mode)' };
  let index = -1;
  if (key)
    options.keys.forEach((candidate, i) => {
      if (same(candidate, key) && index < 0) index = i;
    });
  if (index < 0) {
    throw new NodexError(
      'authentication_required',
      key ? 'invalid API key' : 'missing API key: send Authorization: Bearer <key> or x-api-key',
    );
  }
  return { keyId: `static_${index}`, label: `server.api_keys[${index}]` };
}
