import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_INVALID_GRANT, type FakeClaudeAuth, startFakeClaudeAuth } from './fake-claude-auth.js';

const CLIENT = '9d1c250a-e61b-44d9-88ed-5944d1962f5e';
const UA = 'claude-cli/2.1.220 (external, cli)';
let auth: FakeClaudeAuth;
beforeEach(async () => {
  auth = await startFakeClaudeAuth();
});
afterEach(() => auth.close());

async function token(body: Record<string, string>, headers: Record<string, string> = {}) {
  const res = await fetch(auth.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': UA, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const verifier = 'v'.repeat(43);
const challenge = createHash('sha256').update(verifier).digest('base64url');

function authorizeUrl(redirectUri: string, state = 'st-1'): string {
  const q = new URLSearchParams({
    code: 'true',
    client_id: CLIENT,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'user:inference',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state,
  });
  return `${auth.url}/oauth/authorize?${q}`;
}

describe('startFakeClaudeAuth', () => {
  it('authorize → 302 to a localhost redirect; the code exchanges once with the PKCE verifier and state', async () => {
    const redirect = 'http://localhost:1234/callback';
    const res = await fetch(authorizeUrl(redirect), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code') ?? '';
    const grant = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirect,
      client_id: CLIENT,
      code_verifier: 'wrong',
      state: 'st-1',
    };
    expect(await token(grant)).toEqual({
      status: 400,
      json: { error: 'invalid_grant', error_description: 'Invalid code verifier' },
    });
    const res2 = await fetch(authorizeUrl(redirect), { redirect: 'manual' });
    const code2 = new URL(res2.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const ok = await token({ ...grant, code: code2, code_verifier: verifier });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({
      token_type: 'Bearer',
      expires_in: 28_800,
      access_token: expect.stringMatching(/^sk-ant-oat01-/),
    });
    expect((await token({ ...grant, code: code2, code_verifier: verifier })).status).toBe(400); // once only
    expect(auth.counts).toEqual({ authorize: 2, exchange: 3, refresh: 0 });
  });

  it('authorize with the manual redirect shows code#state, as Claude’s page does', async () => {
    const text = await (
      await fetch(authorizeUrl('https://platform.claude.com/oauth/code/callback', 'st-9'))
    ).text();
    expect(text).toMatch(/^ac_fake_\S+#st-9$/);
  });

  it('refresh rotates BOTH tokens; reusing a refresh token is invalid_grant "Refresh token not found or invalid"', async () => {
    const first = auth.issueTokens();
    const refresh = { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT };
    const next = await token(refresh);
    expect(next.status).toBe(200);
    expect(next.json.refresh_token).not.toBe(first.refresh_token);
    expect(next.json.access_token).not.toBe(first.access_token);
    expect(auth.isValidAccessToken(first.access_token)).toBe(false);
    expect(auth.isValidAccessToken(String(next.json.access_token))).toBe(true);
    expect(await token(refresh)).toEqual({ status: 400, json: { ...CLAUDE_INVALID_GRANT } });
    expect(auth.counts.refresh).toBe(2);
  });

  it('a generic user agent gets the HTTP-200 rate-limit body; a form body is refused', async () => {
    const first = auth.issueTokens();
    const body = { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: CLIENT };
    expect(await token(body, { 'user-agent': 'curl/8.0' })).toEqual({
      status: 200,
      json: { error: { type: 'rate_limit_error', message: 'Rate limited. Please try again later.' } },
    });
    const form = await fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': UA },
      body: new URLSearchParams(body).toString(),
    });
    expect(form.status).toBe(400);
    expect(auth.isValidAccessToken(first.access_token)).toBe(true); // nothing was spent
  });
});
