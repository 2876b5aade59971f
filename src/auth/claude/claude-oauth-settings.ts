import { z } from 'zod';
import type { Env } from '../../config/paths.js';
import { duration } from '../../config/schema.js';

/**
 * Claude Code OAuth constants (research/wire.md §4.1). The token URL is volatile (it moved twice in
 * 2026), so every URL is configurable.
 */
export const CLAUDE_OAUTH_DEFAULTS = {
  clientId: '9d1c250a-e61b-44d9-88ed-5944d1962f5e',
  authorizeUrl: 'https://claude.ai/oauth/authorize',
  tokenUrl: 'https://platform.claude.com/v1/oauth/token',
  /** The page that shows `code#state` for the user to paste (manual flow). */
  manualRedirectUri: 'https://platform.claude.com/oauth/code/callback',
  /** Claude Code v2.1.81's scopes (wire.md §4.1). */
  scope:
    'org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload',
  /** CPA's callback port; any localhost port is accepted for `http://localhost:<port>/callback`. */
  callbackPort: 54545,
  callbackPath: '/callback',
  /** The Claude Code version nodex presents in `User-Agent: claude-cli/<ver> (external, cli)`. */
  cliVersion: '2.1.220',
  refreshAheadMs: 5 * 60_000,
} as const;

/** `providers.anthropic.oauth` in the config file. */
export const ClaudeOAuthConfigSchema = z.strictObject({
  authorize_url: z.url().optional(),
  token_url: z.url().optional(),
  client_id: z.string().min(1).optional(),
  /** Space-separated scopes asked for at login. */
  scope: z.string().min(1).optional(),
  /** Automatic flow redirect; default `http://localhost:{port}/callback` of the callback server. */
  redirect_uri: z.url().optional(),
  /** Manual (paste `code#state`) flow redirect. */
  manual_redirect_uri: z.url().optional(),
  /** 0 = any free port. */
  callback_port: z.number().int().min(0).max(65535).optional(),
  /** Claude Code treats tokens as expired 5 minutes early (wire.md §4.2). */
  refresh_ahead: duration.optional(),
  /**
   * Scope sent with refresh requests. Default: the scopes stored with the credentials (Claude Code
   * and CPA send one; OAA sends none). `none` sends no scope field.
   */
  refresh_scope: z.string().min(1).optional(),
  /** `User-Agent` of token requests; default `claude-cli/{cli_version} (external, cli)`. */
  user_agent: z.string().min(1).optional(),
  cli_version: z.string().min(1).optional(),
});

export type ClaudeOAuthConfig = z.output<typeof ClaudeOAuthConfigSchema>;

/** The resolved Claude OAuth settings. */
export interface ClaudeOAuthSettings {
  readonly authorizeUrl: string;
  readonly tokenUrl: string;
  readonly clientId: string;
  readonly scope: string;
  /** Set when configured; otherwise the callback server's `http://localhost:{port}/callback`. */
  readonly redirectUri?: string;
  readonly manualRedirectUri: string;
  readonly callbackPort: number;
  readonly refreshAheadMs: number;
  /** undefined: the credentials' own scopes; `none`: no scope field; else this text. */
  readonly refreshScope?: string;
  readonly userAgent: string;
}

/**
 * `claude-cli/<version> (external, cli)`: the token endpoint answers a rate-limit error to generic
 * agents (wire.md §4.2), and OAuth requests are expected to look like Claude Code's (§4.4).
 *
 * @example
 * claudeCliUserAgent('2.1.220'); // 'claude-cli/2.1.220 (external, cli)'
 */
export function claudeCliUserAgent(version: string = CLAUDE_OAUTH_DEFAULTS.cliVersion): string {
  return `claude-cli/${version} (external, cli)`;
}

/** Drops undefined and empty values, so a layer only overrides what it sets. */
function defined(layer: ClaudeOAuthConfig): ClaudeOAuthConfig {
  return Object.fromEntries(
    Object.entries(layer).filter(([, value]) => value !== undefined && value !== ''),
  ) as ClaudeOAuthConfig;
}

/**
 * Resolves the Claude OAuth settings: defaults < `providers.anthropic.oauth` < `NODEX_CLAUDE_TOKEN_URL`
 * / `NODEX_CLAUDE_AUTHORIZE_URL` < `overrides` (options passed in code).
 *
 * @example
 * const settings = resolveClaudeOAuthSettings({ token_url: 'http://127.0.0.1:4000/v1/oauth/token' });
 */
export function resolveClaudeOAuthSettings(
  fileConfig: ClaudeOAuthConfig = {},
  env: Env = {},
  overrides: ClaudeOAuthConfig = {},
): ClaudeOAuthSettings {
  const envLayer = defined({
    token_url: env.NODEX_CLAUDE_TOKEN_URL,
    authorize_url: env.NODEX_CLAUDE_AUTHORIZE_URL,
  });
  const config: ClaudeOAuthConfig = { ...defined(fileConfig), ...envLayer, ...defined(overrides) };
  return {
    authorizeUrl: config.authorize_url ?? CLAUDE_OAUTH_DEFAULTS.authorizeUrl,
    tokenUrl: config.token_url ?? CLAUDE_OAUTH_DEFAULTS.tokenUrl,
    clientId: config.client_id ?? CLAUDE_OAUTH_DEFAULTS.clientId,
    scope: config.scope ?? CLAUDE_OAUTH_DEFAULTS.scope,
    ...(config.redirect_uri ? { redirectUri: config.redirect_uri } : {}),
    manualRedirectUri: config.manual_redirect_uri ?? CLAUDE_OAUTH_DEFAULTS.manualRedirectUri,
    callbackPort: config.callback_port ?? CLAUDE_OAUTH_DEFAULTS.callbackPort,
    refreshAheadMs: config.refresh_ahead ?? CLAUDE_OAUTH_DEFAULTS.refreshAheadMs,
    ...(config.refresh_scope ? { refreshScope: config.refresh_scope } : {}),
    userAgent: config.user_agent ?? claudeCliUserAgent(config.cli_version),
  };
}
