import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readJwtClaims } from '../auth/jwt-claims.js';
import { type FakeOpenAIAuth, startFakeOpenAIAuth } from './fake-openai-auth.js';

let auth: FakeOpenAIAuth;
beforeEach(async () => {
  auth = await startFakeOpenAIAuth({ accountId: 'acct-42', planType: 'pro', email: 'me@example.com' });
});
afterEach(() => auth.close());

const CLIENT = 'app_EMoamEEZ73f0CkXaXp7hrann';
const postJson = (path: string, body: unknown) =>
  fetch(`${auth.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const postForm = (path: string, body: Record<string, string>) =>
  fetch(`${auth.url}${path}`, { method: 'POST', body: new URLSearchParams(body) });

async function authorize(verifier: string, redirectUri = 'http://localhost:1455/auth/callback') {
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT,
    redirect_uri: redirectUri,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'st-1',
  });
  const res = await fetch(`${auth.url}/oauth/authorize?${query}`, { redirect: 'manual' });
  return { res, location: new URL(res.headers.get('location') ?? 'about:blank') };
}

describe('fake OpenAI auth server', () => {
  it('redirects with code and state, and exchanges the code only with the right PKCE verifier', async () => {
    const verifier = 'v'.repeat(43);
    const { res, location } = await authorize(verifier);
    expect(res.status).toBe(302);
    expect(location.origin + location.pathname).toBe('http://localhost:1455/auth/callback');
    expect(location.searchParams.get('state')).toBe('st-1');
    const code = location.searchParams.get('code') ?? '';
    const exchange = (codeVerifier: string, c = code) =>
      postForm('/oauth/token', {
        grant_type: 'authorization_code',
        code: c,
        redirect_uri: 'http://localhost:1455/auth/callback',
        client_id: CLIENT,
        code_verifier: codeVerifier,
      });
    const wrong = await exchange('w'.repeat(43));
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' });
    const second = await authorize(verifier);
    const ok = await exchange(verifier, second.location.searchParams.get('code') ?? '');
    expect(ok.status).toBe(200);
    const tokens = (await ok.json()) as { id_token: string; access_token: string; expires_in: number };
    expect(readJwtClaims(tokens.id_token)).toMatchObject({
      accountId: 'acct-42',
      planType: 'pro',
      email: 'me@example.com',
    });
    expect(tokens.access_token.split('.')).toHaveLength(3);
    expect(tokens.expires_in).toBe(864_000);
    expect(auth.counts.exchange).toBe(2);
  });

  it('rejects authorize requests without S256 or with a foreign client id', async () => {
    const bad = await fetch(
      `${auth.url}/oauth/authorize?response_type=code&client_id=${CLIENT}&redirect_uri=x&code_challenge=c&code_challenge_method=plain`,
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
    const foreign = await fetch(`${auth.url}/oauth/authorize?client_id=other`, { redirect: 'manual' });
    expect(foreign.status).toBe(400);
  });

  it('redirects with the configured error once, keeping the state', async () => {
    auth.failNextAuthorize('access_denied', 'missing_codex_entitlement');
    const { location } = await authorize('v'.repeat(43));
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('st-1');
    expect((await authorize('v'.repeat(43))).location.searchParams.get('code')).toBeTruthy();
  });

  it('rotates refresh tokens: each works once (JSON or form), reuse is a 401 refresh_token_reused', async () => {
    const first = auth.issueTokens();
    const viaJson = await postJson('/oauth/token', {
      client_id: CLIENT,
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(viaJson.status).toBe(200);
    const next = (await viaJson.json()) as { refresh_token: string };
    expect(next.refresh_token).not.toBe(first.refresh_token);
    const reuse = await postForm('/oauth/token', {
      client_id: CLIENT,
      grant_type: 'refresh_token',
      refresh_token: first.refresh_token,
    });
    expect(reuse.status).toBe(401);
    expect(await reuse.json()).toEqual({
      error: {
        message:
          'Your refresh token has already been used to generate a new access token. Please try signing in again.',
        type: 'invalid_request_error',
        param: null,
        code: 'refresh_token_reused',
      },
    });
    const viaForm = await postForm('/oauth/token', {
      client_id: CLIENT,
      grant_type: 'refresh_token',
      refresh_token: next.refresh_token,
    });
    expect(viaForm.status).toBe(200);
    expect(auth.counts.refresh).toBe(3);
  });

  it('keeps a device code pending until approved, then hands out a code exchangeable with its verifier', async () => {
    const start = await postJson('/api/accounts/deviceauth/usercode', { client_id: CLIENT });
    const device = (await start.json()) as { device_auth_id: string; user_code: string; interval: string };
    expect(device.interval).toBe('0');
    const poll = () =>
      postJson('/api/accounts/deviceauth/token', {
        device_auth_id: device.device_auth_id,
        user_code: device.user_code,
      });
    expect((await poll()).status).toBe(403);
    auth.approveDevice();
    const approved = (await (await poll()).json()) as { authorization_code: string; code_verifier: string };
    const exchange = await postForm('/oauth/token', {
      grant_type: 'authorization_code',
      code: approved.authorization_code,
      redirect_uri: `${auth.url}/deviceauth/callback`,
      client_id: CLIENT,
      code_verifier: approved.code_verifier,
    });
    expect(exchange.status).toBe(200);
    expect(auth.counts.devicePolls).toBe(2);
  });

  it('records revoked tokens and invalidates a revoked refresh token', async () => {
    const tokens = auth.issueTokens();
    await postJson('/oauth/revoke', {
      token: tokens.refresh_token,
      token_type_hint: 'refresh_token',
      client_id: CLIENT,
    });
    expect(auth.revoked).toEqual([tokens.refresh_token]);
    const after = await postJson('/oauth/token', {
      client_id: CLIENT,
      grant_type: 'refresh_token',
      refresh_token: tokens.refresh_token,
    });
    expect(after.status).toBe(401);
  });

  it('answers 404 on the device endpoint when device login is disabled', async () => {
    const disabled = await startFakeOpenAIAuth({ deviceDisabled: true });
    try {
      const res = await fetch(`${disabled.url}/api/accounts/deviceauth/usercode`, {
        method: 'POST',
        body: JSON.stringify({ client_id: CLIENT }),
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(404);
    } finally {
      await disabled.close();
    }
  });
});
