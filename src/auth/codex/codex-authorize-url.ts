import type { PkceSession } from '../pkce.js';
import type { CodexOAuthSettings } from './codex-oauth-settings.js';

/**
 * Builds the authorize URL with the query parameters in Codex's order (wire.md §1.2):
 * response_type, client_id, redirect_uri, scope, code_challenge, code_challenge_method, the Codex
 * flags (`id_token_add_organizations`, `codex_cli_simplified_flow`, then configured extras), state,
 * originator, and audience when set.
 *
 * @example
 * const url = codexAuthorizeUrl(settings, pkce, 'http://localhost:1455/auth/callback');
 */
export function codexAuthorizeUrl(
  settings: CodexOAuthSettings,
  pkce: Pick<PkceSession, 'challenge' | 'state'>,
  redirectUri: string,
): string {
  const pairs: Array<[string, string]> = [
    ['response_type', 'code'],
    ['client_id', settings.clientId],
    ['redirect_uri', redirectUri],
    ['scope', settings.scope],
    ['code_challenge', pkce.challenge],
    ['code_challenge_method', 'S256'],
    // id_token_add_organizations, codex_cli_simplified_flow, then any configured extra parameters.
    ...Object.entries(settings.authorizeParams),
    ['state', pkce.state],
    ['originator', settings.originator],
  ];
  if (settings.audience) pairs.push(['audience', settings.audience]);
  // Percent-encoding (%20, not +) as Codex's `urlencoding::encode` does.
  const query = pairs.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&');
  const base = settings.authorizeUrl;
  return `${base}${base.includes('?') ? '&' : '?'}${query}`;
}
