import { arch, release, type } from 'node:os';
import type { AccessToken } from '../../auth/token-source.js';

/** Codex's default `originator` (codex-rs `DEFAULT_ORIGINATOR`, wire.md §2.2). */
export const CODEX_ORIGINATOR = 'codex_cli_rs';

/**
 * The Codex CLI version nodex presents (`version` header, `User-Agent`, the models endpoint's
 * `client_version`). The backend gates model lists on it; configurable because it is volatile.
 */
export const CODEX_CLIENT_VERSION = '0.144.1';

const REDACTED = '[REDACTED]';

function osName(): string {
  const name = type();
  if (name === 'Darwin') return 'Mac OS';
  if (name === 'Windows_NT') return 'Windows';
  return name;
}

function archName(): string {
  const name = arch();
  return name === 'x64' ? 'x86_64' : name;
}

/**
 * A Codex-like User-Agent, `{originator}/{version} ({os} {release}; {arch}) nodex`, after codex-rs
 * `get_codex_user_agent`: the backend has answered 5xx to generic client agents (wire.md §2.2).
 *
 * @example
 * codexUserAgent('codex_cli_rs', '0.144.1'); // 'codex_cli_rs/0.144.1 (Linux 6.8.0; x86_64) nodex'
 */
export function codexUserAgent(originator = CODEX_ORIGINATOR, version = CODEX_CLIENT_VERSION): string {
  return `${originator}/${version} (${osName()} ${release()}; ${archName()}) nodex`;
}

export interface CodexHeaderSettings {
  readonly originator: string;
  readonly userAgent: string;
  readonly clientVersion: string;
}

/**
 * The headers of one Codex request (wire.md §2.2): bearer, account id when the token has one,
 * originator, User-Agent, version, `session_id` = `prompt_cache_key` when there is one.
 *
 * @example
 * codexHeaders({ accessToken: 't', accountId: 'a' }, settings, { sessionId: 'conv-1' }).session_id; // 'conv-1'
 */
export function codexHeaders(
  token: AccessToken,
  settings: CodexHeaderSettings,
  options: { readonly sessionId?: string; readonly accept?: string } = {},
): Record<string, string> {
  return {
    Authorization: `Bearer ${token.accessToken}`,
    ...(token.accountId ? { 'ChatGPT-Account-ID': token.accountId } : {}),
    originator: settings.originator,
    'User-Agent': settings.userAgent,
    version: settings.clientVersion,
    ...(options.sessionId ? { session_id: options.sessionId } : {}),
    Accept: options.accept ?? 'text/event-stream',
    'Content-Type': 'application/json',
  };
}

/**
 * The headers with the bearer and account id replaced, for `onUpstreamRequest` and logs.
 *
 * @example
 * redactCodexHeaders({ Authorization: 'Bearer t' }); // { Authorization: 'Bearer [REDACTED]' }
 */
export function redactCodexHeaders(headers: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization') out[name] = `Bearer ${REDACTED}`;
    else if (lower === 'chatgpt-account-id') out[name] = REDACTED;
    else out[name] = value;
  }
  return out;
}
