import { describe, expect, it } from 'vitest';
import { fixtureJson } from '../testing/fixtures.js';
import { decodeJwtPayload, readJwtClaims } from './jwt-claims.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('readJwtClaims', () => {
  it('reads account, plan, user, email and exp from the Codex fixture tokens', () => {
    const auth = fixtureJson<{ tokens: { id_token: string; access_token: string } }>('codex-auth.json');
    expect(readJwtClaims(auth.tokens.id_token)).toEqual({
      accountId: '6f2c1a7e-3b4d-4e5f-9a8b-0c1d2e3f4a5b',
      planType: 'plus',
      userId: 'user-FAKEuser000000000000000',
      email: 'user@example.com',
      expiresAt: 1767229200 * 1000,
    });
    // The access token has its email only under the profile claim.
    expect(readJwtClaims(auth.tokens.access_token)?.email).toBe('user@example.com');
  });

  it('falls back to user_id and account_id, and ignores claims of the wrong type', () => {
    const token = `x.${b64({ exp: 'soon', 'https://api.openai.com/auth': { account_id: 'a1', user_id: 'u1', chatgpt_plan_type: 7 } })}.`;
    expect(readJwtClaims(token)).toEqual({ accountId: 'a1', userId: 'u1' });
  });

  it('gives undefined for malformed tokens instead of throwing', () => {
    for (const bad of [
      undefined,
      '',
      'abc',
      'a.!!!.c',
      `a.${b64([1, 2])}.c`,
      `a.${Buffer.from('{').toString('base64url')}.c`,
    ]) {
      expect(readJwtClaims(bad)).toBeUndefined();
    }
    expect(decodeJwtPayload(`a.${b64('text')}.c`)).toBeUndefined();
  });
});
