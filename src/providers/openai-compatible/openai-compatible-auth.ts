import { NodexError } from '../../core/errors.js';

/** How the API key is sent: `Authorization: Bearer`, a named header, or not at all. */
export type ChatAuthMode = 'bearer' | 'header' | 'none';

export interface ChatCredentials {
  readonly mode: ChatAuthMode;
  /** For `header` mode: the header that carries the key (`api-key`, `x-goog-api-key`). */
  readonly headerName?: string;
  /** The configured key (`api_key`, or the value of `api_key_env`), if any. */
  readonly apiKey?: string;
  /** The variable the key should come from, named when it is missing (`GEMINI_API_KEY`). */
  readonly apiKeyEnv?: string;
}

/** What to do about a missing key, or undefined when the provider needs none or has one. */
export function missingKeyHint(credentials: ChatCredentials): string | undefined {
  if (credentials.mode === 'none' || credentials.apiKey) return undefined;
  return credentials.apiKeyEnv ? `set ${credentials.apiKeyEnv}` : 'configure api_key_env';
}

/**
 * The key for one request: the per-request key (`X-Provider-Key`, `--provider-key`) wins over the
 * configured one. Without either (and auth not `none`) the request fails with
 * `provider_unavailable` naming the variable to set, never goes out without credentials
 * (seeds-spec §C.1 item 22).
 *
 * @example
 * requestKey({ mode: 'bearer', apiKeyEnv: 'GEMINI_API_KEY' }, 'k-from-header', 'gemini'); // 'k-from-header'
 */
export function requestKey(
  credentials: ChatCredentials,
  providerKey: string | undefined,
  provider: string,
): string | undefined {
  if (credentials.mode === 'none') return undefined;
  const key = providerKey || credentials.apiKey;
  if (key) return key;
  const hint = missingKeyHint(credentials) ?? 'configure a key';
  throw new NodexError(
    'provider_unavailable',
    `${provider}: no API key: ${hint} (or send a per-request provider key)`,
    {
      provider,
    },
  );
}

/** The auth header for a key. */
export function authHeaders(credentials: ChatCredentials, key: string | undefined): Record<string, string> {
  if (key === undefined) return {};
  switch (credentials.mode) {
    case 'bearer':
      return { authorization: `Bearer ${key}` };
    case 'header':
      return { [(credentials.headerName ?? 'api-key').toLowerCase()]: key };
    case 'none':
      return {};
  }
}

const SECRET_NAME = /authorization|api[-_]?key|token|secret|cookie|password/i;

/**
 * Headers as logged (`onUpstreamRequest`, `--log-requests`): the auth header, any header whose
 * name looks secret, and any header in `secretNames` (values expanded from `$VAR`) read
 * `[redacted]`.
 *
 * @example
 * redactHeaders({ authorization: 'Bearer k', accept: 'text/event-stream' }, []);
 * // { authorization: '[redacted]', accept: 'text/event-stream' }
 */
export function redactHeaders(
  headers: Readonly<Record<string, string>>,
  secretNames: readonly string[],
): Record<string, string> {
  const secret = new Set(secretNames.map((name) => name.toLowerCase()));
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = SECRET_NAME.test(name) || secret.has(name.toLowerCase()) ? '[redacted]' : value;
  }
  return out;
}
