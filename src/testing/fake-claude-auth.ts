import { createHash, randomBytes } from 'node:crypto';
import { CLAUDE_OAUTH_DEFAULTS } from '../auth/claude/claude-oauth-settings.js';
import { type FakeUpstream, type RecordedRequest, type Reply, startFakeUpstream } from './fake-upstream.js';

export interface FakeClaudeAuthOptions {
  readonly clientId?: string;
  /** Access-token lifetime in seconds (default 28800, 8 h: wire.md §4.2). */
  readonly expiresIn?: number;
  readonly email?: string;
  /** Answer token requests whose User-Agent is not `claude-cli/…` with the HTTP-200 rate-limit body (default true). */
  readonly requireCliUserAgent?: boolean;
}

/** What the token endpoint answers (claude-oauth-token-response.json's shape). Fakes: fine to print. */
export interface FakeClaudeTokenSet {
  readonly token_type: 'Bearer';
  readonly access_token: string;
  readonly expires_in: number;
  readonly refresh_token: string;
  readonly scope: string;
  readonly token_uuid: string;
  readonly refresh_token_expires_in: number;
  readonly organization: { readonly uuid: string; readonly name: string };
  readonly account: { readonly uuid: string; readonly email_address: string };
}

export interface FakeClaudeAuth {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** `{url}/v1/oauth/token`. */
  readonly tokenUrl: string;
  readonly upstream: FakeUpstream;
  readonly counts: { authorize: number; exchange: number; refresh: number };
  /** Runs before a refresh is answered: lets a test play Claude Code refreshing meanwhile. */
  onRefresh(hook: ((refreshToken: string) => void | Promise<void>) | undefined): void;
  /** A token pair as a login would issue; the refresh token works once. `expiresIn` may be negative. */
  issueTokens(options?: { readonly expiresIn?: number }): FakeClaudeTokenSet;
  /** Whether an access token is current (issued and not rotated away). */
  isValidAccessToken(token: string): boolean;
  /** `providers.anthropic.oauth` pointing here, with the callback server on a free port. */
  config(): { authorize_url: string; token_url: string; callback_port: number };
  close(): Promise<void>;
}

const random = (prefix: string) => `${prefix}${randomBytes(18).toString('base64url')}`;

/** The body of a reused or unknown refresh token (wire.md §4.2, observed). */
export const CLAUDE_INVALID_GRANT = {
  error: 'invalid_grant',
  error_description: 'Refresh token not found or invalid',
} as const;

/** What the endpoint answers generic user agents, with HTTP 200 (wire.md §4.2). */
const RATE_LIMITED_200 = {
  error: { type: 'rate_limit_error', message: 'Rate limited. Please try again later.' },
};

function body(request: RecordedRequest): Record<string, string> | undefined {
  if (!request.headers['content-type']?.includes('application/json')) return undefined;
  if (typeof request.json !== 'object' || request.json === null) return undefined;
  return Object.fromEntries(Object.entries(request.json).map(([k, v]) => [k, String(v)]));
}

/**
 * A fake Claude OAuth server on 127.0.0.1 (wire.md §8 "Anthropic OAuth fake"): `GET /oauth/authorize`
 * (302 with code and state to a localhost redirect; for any other redirect a page showing
 * `code#state`, as Claude's manual page does), `POST /v1/oauth/token` taking JSON only:
 * `authorization_code` with PKCE verification, `refresh_token` rotating BOTH tokens (the old pair
 * dies at once; reusing a refresh token → 400 `invalid_grant` "Refresh token not found or invalid").
 *
 * @example
 * const auth = await startFakeClaudeAuth();
 * const tokens = auth.issueTokens({ expiresIn: -60 }); // already expired
 * // … refresh through nodex …
 * expect(auth.counts.refresh).toBe(1);
 */
export async function startFakeClaudeAuth(options: FakeClaudeAuthOptions = {}): Promise<FakeClaudeAuth> {
  const clientId = options.clientId ?? CLAUDE_OAUTH_DEFAULTS.clientId;
  const lifetime = options.expiresIn ?? 28_800;
  const counts = { authorize: 0, exchange: 0, refresh: 0 };
  const codes = new Map<string, { challenge: string; redirectUri: string; state: string; used: boolean }>();
  const refreshTokens = new Map<string, { state: 'valid' | 'used'; access: string }>();
  const accessTokens = new Set<string>();
  let refreshHook: ((refreshToken: string) => void | Promise<void>) | undefined;
  const upstream = await startFakeUpstream();

  const issueTokens = (issue: { expiresIn?: number } = {}): FakeClaudeTokenSet => {
    const access = random('sk-ant-oat01-fake-');
    const refresh = random('sk-ant-ort01-fake-');
    accessTokens.add(access);
    refreshTokens.set(refresh, { state: 'valid', access });
    return {
      token_type: 'Bearer',
      access_token: access,
      expires_in: issue.expiresIn ?? lifetime,
      refresh_token: refresh,
      scope: 'user:file_upload user:inference user:mcp_servers user:profile user:sessions:claude_code',
      token_uuid: random('tok-'),
      refresh_token_expires_in: 2_394_082,
      organization: { uuid: '00000000-0000-4000-8000-00000000a001', name: "fake@example.com's Organization" },
      account: {
        uuid: '00000000-0000-4000-8000-00000000b001',
        email_address: options.email ?? 'fake@example.com',
      },
    };
  };
  const invalidGrant = (description: string = CLAUDE_INVALID_GRANT.error_description): Reply => ({
    status: 400,
    json: { error: 'invalid_grant', error_description: description },
  });

  const authorize = (request: RecordedRequest): Reply => {
    counts.authorize += 1;
    const q = request.query;
    const redirectUri = q.get('redirect_uri');
    if (q.get('client_id') !== clientId) return { status: 400, json: { error: 'invalid_client' } };
    if (q.get('response_type') !== 'code' || !redirectUri || !q.get('code_challenge') || !q.get('state'))
      return { status: 400, json: { error: 'invalid_request' } };
    if (q.get('code_challenge_method') !== 'S256')
      return { status: 400, json: { error: 'invalid_request', error_description: 'S256 required' } };
    const code = random('ac_fake_');
    const state = q.get('state') ?? '';
    codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri, state, used: false });
    const target = new URL(redirectUri);
    if (target.hostname === 'localhost' || target.hostname === '127.0.0.1') {
      target.searchParams.set('code', code);
      target.searchParams.set('state', state);
      return { status: 302, headers: { location: target.toString() } };
    }
    // The manual page: Claude shows `code#state` for the user to copy (wire.md §4.1).
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: `${code}#${state}` };
  };

  const token = async (request: RecordedRequest): Promise<Reply> => {
    if (options.requireCliUserAgent !== false && !request.headers['user-agent']?.startsWith('claude-cli/'))
      return { status: 200, json: RATE_LIMITED_200 };
    const fields = body(request);
    if (!fields)
      return { status: 400, json: { error: 'invalid_request', error_description: 'JSON body required' } };
    if (fields.client_id !== clientId) return { status: 401, json: { error: 'invalid_client' } };
    if (fields.grant_type === 'authorization_code') {
      counts.exchange += 1;
      const grant = codes.get(fields.code ?? '');
      if (!grant || grant.used) return invalidGrant('Invalid authorization code');
      grant.used = true;
      if (grant.redirectUri !== fields.redirect_uri) return invalidGrant('Redirect URI mismatch');
      if (grant.state !== fields.state) return invalidGrant('Invalid state');
      const challenge = createHash('sha256')
        .update(fields.code_verifier ?? '')
        .digest('base64url');
      if (challenge !== grant.challenge) return invalidGrant('Invalid code verifier');
      return { json: issueTokens() };
    }
    if (fields.grant_type === 'refresh_token') {
      counts.refresh += 1;
      const rt = fields.refresh_token ?? '';
      await refreshHook?.(rt);
      const entry = refreshTokens.get(rt);
      if (entry?.state !== 'valid') return invalidGrant();
      // Rotation invalidates the previous pair at once (wire.md §4.2).
      entry.state = 'used';
      accessTokens.delete(entry.access);
      return { json: issueTokens() };
    }
    return { status: 400, json: { error: 'unsupported_grant_type' } };
  };

  upstream.script({ method: 'GET', path: '/oauth/authorize', reply: authorize });
  upstream.script({ method: 'POST', path: '/v1/oauth/token', reply: token });

  return {
    url: upstream.url,
    tokenUrl: `${upstream.url}/v1/oauth/token`,
    upstream,
    counts,
    onRefresh: (hook) => {
      refreshHook = hook;
    },
    issueTokens,
    isValidAccessToken: (candidate) => accessTokens.has(candidate),
    config: () => ({
      authorize_url: `${upstream.url}/oauth/authorize`,
      token_url: `${upstream.url}/v1/oauth/token`,
      callback_port: 0,
    }),
    close: () => upstream.close(),
  };
}
