import { maskSecrets } from '../../config/mask-secrets.js';

export const MASK = '***';

/** Header names that can carry a credential: any name with auth, cookie, key, token, secret… */
const SECRET_HEADER = /auth|cookie|key|token|secret|password|credential|signature/i;
/** Body fields whose string values are secret beyond mask-secrets' rule (which matches suffixes). */
const SECRET_FIELD = /secret|password|passphrase|token|credential|api_?key|authorization|cookie/i;
/** Fields that look like secrets by name and are not: kept, since replays and debugging need them. */
const NOT_SECRET = new Set(['prompt_cache_key', 'max_tokens', 'max_output_tokens', 'idempotency_key']);

/** Credentials that show up inside text: gateway keys, bearer tokens, JWTs, provider keys. */
const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{6,}/gi, `$1 ${MASK}`],
  [/\bnk-[A-Za-z0-9_-]{6,}/g, `nk-${MASK}`],
  [/\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*/g, `jwt-${MASK}`],
  [/\bsk-[A-Za-z0-9_-]{8,}/g, `sk-${MASK}`],
  [/\bAIza[0-9A-Za-z_-]{20,}/g, `AIza${MASK}`],
];

/**
 * Scrubs one string: known secrets given literally (the request's own key, its provider key),
 * then the credential patterns.
 *
 * @example
 * scrubText('curl -H "Authorization: Bearer abc.def.ghi"'); // 'curl -H "Authorization: Bearer ***"'
 */
export function scrubText(text: string, literals: readonly string[] = []): string {
  let out = text;
  for (const literal of literals) if (out.includes(literal)) out = out.split(literal).join(MASK);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A URL or path with the values of secret-looking query parameters (`key`, `api_key`,
 * `access_token`, …) masked, then scrubbed.
 *
 * @example
 * redactUrl('/v1beta/models?key=abc&alt=sse'); // '/v1beta/models?key=***&alt=sse'
 */
export function redactUrl(url: string, literals: readonly string[] = []): string {
  const masked = url.replace(
    /([?&][^=&#]*(?:key|token|secret|password|auth|sig)[^=&#]*=)[^&#]*/gi,
    `$1${MASK}`,
  );
  return scrubText(masked, literals);
}

function secretField(key: string): boolean {
  return !NOT_SECRET.has(key) && (SECRET_FIELD.test(key) || maskSecrets('x', key) === MASK);
}

/**
 * A copy of a JSON value with secrets removed: string values under secret-named fields (the
 * mask-secrets rule — `api_key`, `refresh_token`, `client_secret` — and any field containing
 * token, secret, password, api_key…) become `***`, and every other string is scrubbed
 * (`scrubText`). Numbers stay (`max_tokens: 100` is not a secret).
 *
 * @example
 * redactValue({ refresh_token: 'rt_1', input: 'my key is nk-abcdefghijkl-xyz' });
 * // { refresh_token: '***', input: 'my key is nk-***' }
 */
export function redactValue(value: unknown, literals: readonly string[] = [], key = ''): unknown {
  if (typeof value === 'string') return secretField(key) && value !== '' ? MASK : scrubText(value, literals);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, literals, key));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, literals, k);
    return out;
  }
  return value;
}

/**
 * Headers with every credential-bearing one (Authorization, x-api-key, cookies, any name with key,
 * token, secret…) replaced by `***`, the rest scrubbed; names lower-cased, lists joined.
 *
 * @example
 * redactHeaders({ Authorization: 'Bearer nk-…', 'content-type': 'application/json' });
 * // { authorization: '***', 'content-type': 'application/json' }
 */
export function redactHeaders(
  headers: Readonly<Record<string, string | readonly string[] | number | undefined>>,
  literals: readonly string[] = [],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : String(raw);
    const lower = name.toLowerCase();
    out[lower] = SECRET_HEADER.test(lower) ? MASK : scrubText(value, literals);
  }
  return out;
}
