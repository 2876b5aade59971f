import { describe, expect, it } from 'vitest';
import { startFakeUpstream } from '../testing/fake-upstream.js';
import { oauthFailure, parseOAuthError } from './oauth-error.js';
import { oauthRequest } from './oauth-http.js';

describe('oauthRequest', () => {
  it('sends form and JSON bodies and reads the JSON answer', async () => {
    const fake = await startFakeUpstream([{ path: '/token', reply: { json: { ok: true } } }]);
    try {
      const form = await oauthRequest('POST', `${fake.url}/token`, { form: { a: '1 2' } }, { what: 'test' });
      expect(form).toMatchObject({ status: 200, json: { ok: true } });
      await oauthRequest('POST', `${fake.url}/token`, { json: { b: 2 } }, { what: 'test' });
      expect(fake.requests[0]).toMatchObject({
        body: 'a=1+2',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(fake.requests[1]).toMatchObject({
        json: { b: 2 },
        headers: { 'content-type': 'application/json' },
      });
    } finally {
      await fake.close();
    }
  });

  it('maps a stalled issuer to upstream_timeout, a closed port to upstream_connection, an abort to aborted', async () => {
    const fake = await startFakeUpstream([{ path: '/stall', reply: { fault: { kind: 'stall-before' } } }]);
    try {
      await expect(
        oauthRequest('GET', `${fake.url}/stall`, undefined, { what: 'codex refresh', timeoutMs: 50 }),
      ).rejects.toMatchObject({
        code: 'upstream_timeout',
        message: expect.stringContaining('codex refresh'),
      });
      const controller = new AbortController();
      const pending = oauthRequest('GET', `${fake.url}/stall`, undefined, {
        what: 'x',
        signal: controller.signal,
      });
      controller.abort();
      await expect(pending).rejects.toMatchObject({ code: 'aborted' });
    } finally {
      await fake.close();
    }
    await expect(oauthRequest('GET', `${fake.url}/gone`, undefined, { what: 'x' })).rejects.toMatchObject({
      code: 'upstream_connection',
      retryable: true,
    });
  });
});

describe('OAuth error bodies', () => {
  it('reads both shapes auth.openai.com uses, and {detail}', () => {
    expect(parseOAuthError({ error: 'invalid_grant', error_description: 'bad code' })).toEqual({
      code: 'invalid_grant',
      description: 'bad code',
    });
    expect(parseOAuthError({ error: { code: 'refresh_token_reused', message: 'used' } })).toEqual({
      code: 'refresh_token_reused',
      description: 'used',
    });
    expect(parseOAuthError({ detail: 'Unauthorized' })).toEqual({ description: 'Unauthorized' });
    expect(parseOAuthError('nope')).toEqual({});
  });

  it('never echoes a secret the server reflected back', () => {
    const error = oauthFailure(
      {
        status: 400,
        headers: {},
        text: '',
        json: { error: 'invalid_grant', error_description: 'code ac_secret_123 is unknown' },
      },
      'codex sign-in',
      ['ac_secret_123'],
    );
    expect(error).toMatchObject({ code: 'upstream_unauthorized', providerCode: 'invalid_grant' });
    expect(error.message).toBe('codex sign-in failed: invalid_grant: code *** is unknown');
  });
});
