import { createHash, randomBytes } from 'node:crypto';
import { CODEX_OAUTH_DEFAULTS } from '../auth/codex/codex-oauth-settings.js';
import { type FakeUpstream, type RecordedRequest, type Reply, startFakeUpstream } from './fake-upstream.js';

export interface FakeOpenAIAuthOptions {
  readonly clientId?: string;
  /** Access-token lifetime in seconds (default 864000, about 10 days: wire.md §1.4). */
  readonly expiresIn?: number;
  readonly accountId?: string;
  readonly planType?: string;
  readonly email?: string;
  /** Device poll interval the fake announces, in seconds (default "0": tests must not wait). */
  readonly deviceInterval?: string;
  readonly deviceDisabled?: boolean;
}

/** What `/oauth/token` answers. Secrets: fine here, these are fakes. */
export interface FakeTokenSet {
  readonly id_token: string;
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
}

export interface FakeOpenAIAuth {
  /** The issuer: `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly upstream: FakeUpstream;
  /** Requests per endpoint, for assertions ("exactly one refresh"). */
  readonly counts: {
    authorize: number;
    exchange: number;
    refresh: number;
    revoke: number;
    devicePolls: number;
  };
  /** Tokens sent to `/oauth/revoke`. */
  readonly revoked: string[];
  /** The next `/oauth/authorize` redirects with this error instead of a code (once). */
  failNextAuthorize(error: string, description?: string): void;
  /** Runs before a refresh is answered: lets a test play "another process" mid-refresh. */
  onRefresh(hook: ((refreshToken: string) => void | Promise<void>) | undefined): void;
  /** Approves every pending device code. */
  approveDevice(): void;
  /** A token set as a login would issue; its refresh token is valid once. `expiresIn` may be negative. */
  issueTokens(options?: { readonly expiresIn?: number }): FakeTokenSet;
  /** An unsigned JWT (alg none) with the wire.md §1.6 claims; `extra` is merged into the payload. */
  jwt(kind: 'id' | 'access', expiresIn: number, extra?: Record<string, unknown>): string;
  /** `providers.codex.oauth` pointing every endpoint here; the callback server on a free port. */
  config(): Record<string, string | number>;
  close(): Promise<void>;
}

const b64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const random = (prefix: string) => `${prefix}${randomBytes(12).toString('base64url')}`;

/** Form or JSON body fields of a recorded request (the token endpoint takes both: wire.md §1.4). */
function fields(request: RecordedRequest): Record<string, string> {
  if (request.json && typeof request.json === 'object') {
    return Object.fromEntries(
      Object.entries(request.json as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
    );
  }
  return Object.fromEntries(new URLSearchParams(request.body));
}

const REUSED = {
  error: {
    message:
      'Your refresh token has already been used to generate a new access token. Please try signing in again.',
    type: 'invalid_request_error',
    param: null,
    code: 'refresh_token_reused',
  },
};

/**
 * A fake auth.openai.com on 127.0.0.1, built on the fake upstream kit: `/oauth/authorize` (302 with
 * code and state), `/oauth/token` (authorization_code with PKCE check; refresh_token with rotation,
 * each refresh token works once, reuse → 401 `refresh_token_reused`), `/oauth/revoke`, the device
 * endpoints (pending until `approveDevice()`), discovery. JWTs are unsigned with the §1.6 claims.
 *
 * @example
 * const auth = await startFakeOpenAIAuth();
 * const tokens = auth.issueTokens({ expiresIn: -60 }); // already expired
 * // … refresh through nodex …
 * expect(auth.counts.refresh).toBe(1);
 */
export async function startFakeOpenAIAuth(options: FakeOpenAIAuthOptions = {}): Promise<FakeOpenAIAuth> {
  const clientId = options.clientId ?? CODEX_OAUTH_DEFAULTS.clientId;
  const expiresIn = options.expiresIn ?? 864_000;
  const accountId = options.accountId ?? 'acct-fake-0001';
  const counts = { authorize: 0, exchange: 0, refresh: 0, revoke: 0, devicePolls: 0 };
  const revoked: string[] = [];
  const codes = new Map<string, { challenge: string; redirectUri: string; used: boolean }>();
  const refreshTokens = new Map<string, 'valid' | 'used' | 'revoked'>();
  const devices = new Map<string, { userCode: string; approved: boolean }>();
  let authorizeError: { error: string; description?: string } | undefined;
  let refreshHook: ((refreshToken: string) => void | Promise<void>) | undefined;
  const upstream = await startFakeUpstream();
  const url = upstream.url;

  const jwt = (kind: 'id' | 'access', lifetime: number, extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const payload = {
      iss: url,
      aud: kind === 'id' ? [clientId] : ['https://api.openai.com/v1'],
      sub: 'auth0|fake-user',
      iat: now,
      exp: now + lifetime,
      ...(kind === 'id' ? { email: options.email ?? 'user@example.com' } : {}),
      'https://api.openai.com/auth': {
        chatgpt_account_id: accountId,
        chatgpt_plan_type: options.planType ?? 'plus',
        chatgpt_user_id: 'user-fake-0001',
        user_id: 'user-fake-0001',
      },
      ...(kind === 'access'
        ? { 'https://api.openai.com/profile': { email: options.email ?? 'user@example.com' } }
        : {}),
      ...extra,
    };
    return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}.`;
  };
  const issueTokens = (issue: { expiresIn?: number } = {}): FakeTokenSet => {
    const lifetime = issue.expiresIn ?? expiresIn;
    const refresh_token = random('rt_fake_');
    refreshTokens.set(refresh_token, 'valid');
    return {
      id_token: jwt('id', 3600),
      access_token: jwt('access', lifetime, { jti: random('') }),
      refresh_token,
      token_type: 'Bearer',
      expires_in: lifetime,
      scope: CODEX_OAUTH_DEFAULTS.scope,
    };
  };
  const invalidGrant = (description: string): Reply => ({
    status: 400,
    json: { error: 'invalid_grant', error_description: description },
  });

  const authorize = (request: RecordedRequest): Reply => {
    counts.authorize += 1;
    const q = request.query;
    const redirectUri = q.get('redirect_uri');
    if (q.get('client_id') !== clientId) return { status: 400, json: { error: 'invalid_client' } };
    if (q.get('response_type') !== 'code' || !redirectUri || !q.get('code_challenge'))
      return { status: 400, json: { error: 'invalid_request' } };
    if (q.get('code_challenge_method') !== 'S256')
      return { status: 400, json: { error: 'invalid_request', error_description: 'S256 required' } };
    const target = new URL(redirectUri);
    if (authorizeError) {
      target.searchParams.set('error', authorizeError.error);
      if (authorizeError.description)
        target.searchParams.set('error_description', authorizeError.description);
      authorizeError = undefined;
    } else {
      const code = random('ac_fake_');
      codes.set(code, { challenge: q.get('code_challenge') ?? '', redirectUri, used: false });
      target.searchParams.set('code', code);
    }
    target.searchParams.set('state', q.get('state') ?? '');
    return { status: 302, headers: { location: target.toString() } };
  };

  const token = async (request: RecordedRequest): Promise<Reply> => {
    const body = fields(request);
    if (body.client_id !== clientId) return { status: 401, json: { error: 'invalid_client' } };
    if (body.grant_type === 'authorization_code') {
      counts.exchange += 1;
      const grant = codes.get(body.code ?? '');
      if (!grant || grant.used) return invalidGrant('unknown or used authorization code');
      grant.used = true;
      if (grant.redirectUri !== body.redirect_uri) return invalidGrant('redirect_uri mismatch');
      const challenge = createHash('sha256')
        .update(body.code_verifier ?? '')
        .digest('base64url');
      if (challenge !== grant.challenge) return invalidGrant('PKCE verification failed');
      return { json: issueTokens() };
    }
    if (body.grant_type === 'refresh_token') {
      counts.refresh += 1;
      const rt = body.refresh_token ?? '';
      await refreshHook?.(rt);
      const state = refreshTokens.get(rt);
      if (state === 'used') return { status: 401, json: REUSED };
      if (state !== 'valid')
        return { status: 401, json: { error: { message: 'revoked', code: 'refresh_token_invalidated' } } };
      refreshTokens.set(rt, 'used');
      return { json: issueTokens() };
    }
    return { status: 400, json: { error: 'unsupported_grant_type' } };
  };

  const deviceUserCode = (request: RecordedRequest): Reply => {
    if (options.deviceDisabled) return { status: 404, json: { error: 'not_found' } };
    if (fields(request).client_id !== clientId) return { status: 401, json: { error: 'invalid_client' } };
    const id = random('dev_');
    const userCode = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase();
    devices.set(id, { userCode, approved: false });
    return { json: { device_auth_id: id, user_code: userCode, interval: options.deviceInterval ?? '0' } };
  };

  const deviceToken = (request: RecordedRequest): Reply => {
    counts.devicePolls += 1;
    const body = fields(request);
    const device = devices.get(body.device_auth_id ?? '');
    if (!device || device.userCode !== body.user_code) return { status: 404, json: { error: 'unknown' } };
    if (!device.approved) return { status: 403, json: { error: 'authorization_pending' } };
    devices.delete(body.device_auth_id ?? '');
    const verifier = b64url(randomBytes(32));
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const code = random('ac_dev_');
    codes.set(code, { challenge, redirectUri: `${url}/deviceauth/callback`, used: false });
    return { json: { authorization_code: code, code_challenge: challenge, code_verifier: verifier } };
  };

  upstream.script({ method: 'GET', path: '/oauth/authorize', reply: authorize });
  upstream.script({ method: 'POST', path: '/oauth/token', reply: token });
  upstream.script({
    method: 'POST',
    path: '/oauth/revoke',
    reply: (request) => {
      counts.revoke += 1;
      const revokedToken = fields(request).token ?? '';
      revoked.push(revokedToken);
      if (refreshTokens.has(revokedToken)) refreshTokens.set(revokedToken, 'revoked');
      return { json: {} };
    },
  });
  upstream.script({ method: 'POST', path: '/api/accounts/deviceauth/usercode', reply: deviceUserCode });
  upstream.script({ method: 'POST', path: '/api/accounts/deviceauth/token', reply: deviceToken });
  upstream.script({
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    reply: {
      json: {
        issuer: url,
        authorization_endpoint: `${url}/oauth/authorize`,
        token_endpoint: `${url}/oauth/token`,
        revocation_endpoint: `${url}/oauth/revoke`,
      },
    },
  });

  return {
    url,
    upstream,
    counts,
    revoked,
    failNextAuthorize: (error, description) => {
      authorizeError = description === undefined ? { error } : { error, description };
    },
    onRefresh: (hook) => {
      refreshHook = hook;
    },
    approveDevice: () => {
      for (const device of devices.values()) device.approved = true;
    },
    issueTokens,
    jwt,
    config: () => ({ issuer: url, callback_port: 0 }),
    close: () => upstream.close(),
  };
}
