/** The Messages API version nodex speaks (wire.md §4.4). */
export const ANTHROPIC_VERSION = '2023-06-01';

/** The betas an OAuth subscription token requires, in Claude Code's order (wire.md §4.4). */
export const OAUTH_BETAS: readonly string[] = ['claude-code-20250219', 'oauth-2025-04-20'];

/** Extra betas sent by default: Claude Code sends this one next (volatile; configurable). */
export const DEFAULT_EXTRA_BETAS: readonly string[] = ['interleaved-thinking-2025-05-14'];

/** How one request authenticates: a subscription token, or an API key. */
export type AnthropicCredential =
  | { readonly kind: 'oauth'; readonly accessToken: string }
  | { readonly kind: 'api_key'; readonly apiKey: string };

export interface AnthropicHeaderSettings {
  /** Extra `anthropic-beta` values, after the OAuth ones. */
  readonly betas: readonly string[];
  /** OAuth mode: `claude-cli/<ver> (external, cli)`. */
  readonly oauthUserAgent: string;
  /** API-key mode. */
  readonly apiKeyUserAgent: string;
}

const REDACTED = '[REDACTED]';

/**
 * The headers of one Anthropic request. OAuth (wire.md §4.4): `Authorization: Bearer`, no
 * `x-api-key`, `anthropic-beta` = `claude-code-20250219,oauth-2025-04-20` + extras, Claude Code's
 * user agent, `x-app: cli`. API key: `x-api-key` and the extra betas only.
 *
 * @example
 * anthropicHeaders({ kind: 'api_key', apiKey: 'sk-ant-api03-…' }, settings)['x-api-key'];
 */
export function anthropicHeaders(
  credential: AnthropicCredential,
  settings: AnthropicHeaderSettings,
  accept = 'text/event-stream',
): Record<string, string> {
  const oauth = credential.kind === 'oauth';
  const betas = [...new Set([...(oauth ? OAUTH_BETAS : []), ...settings.betas])];
  return {
    ...(oauth ? { authorization: `Bearer ${credential.accessToken}` } : { 'x-api-key': credential.apiKey }),
    'anthropic-version': ANTHROPIC_VERSION,
    ...(betas.length ? { 'anthropic-beta': betas.join(',') } : {}),
    'user-agent': oauth ? settings.oauthUserAgent : settings.apiKeyUserAgent,
    ...(oauth ? { 'x-app': 'cli', 'anthropic-dangerous-direct-browser-access': 'true' } : {}),
    'content-type': 'application/json',
    accept,
  };
}

/**
 * The headers with the bearer and API key replaced, for `onUpstreamRequest` and logs.
 *
 * @example
 * redactAnthropicHeaders({ 'x-api-key': 'sk-ant-…' }); // { 'x-api-key': '[REDACTED]' }
 */
export function redactAnthropicHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') out[name] = `Bearer ${REDACTED}`;
    else if (lower === 'x-api-key') out[name] = REDACTED;
    else out[name] = value;
  }
  return out;
}
