import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createPkceSession } from '../pkce.js';
import { codexAuthorizeUrl } from './codex-authorize-url.js';
import { resolveCodexOAuthSettings } from './codex-oauth-settings.js';

describe('codexAuthorizeUrl', () => {
  it("puts the parameters in Codex's order, percent-encoded, with extras, originator and audience", () => {
    const settings = resolveCodexOAuthSettings({
      issuer: 'https://auth.example.test/',
      audience: 'https://api.openai.com/v1',
      authorize_params: { prompt: 'login' },
    });
    const url = codexAuthorizeUrl(
      settings,
      { challenge: 'CH', state: 'ST' },
      'http://localhost:1455/auth/callback',
    );
    const [base, query] = url.split('?');
    expect(base).toBe('https://auth.example.test/oauth/authorize');
    expect(query?.split('&').map((pair) => pair.split('=')[0])).toEqual([
      'response_type',
      'client_id',
      'redirect_uri',
      'scope',
      'code_challenge',
      'code_challenge_method',
      'id_token_add_organizations',
      'codex_cli_simplified_flow',
      'prompt',
      'state',
      'originator',
      'audience',
    ]);
    expect(query).toContain('scope=openid%20profile%20email%20offline_access');
    expect(query).toContain('redirect_uri=http%3A%2F%2Flocalhost%3A1455%2Fauth%2Fcallback');
    const params = new URL(url).searchParams;
    expect(Object.fromEntries(params)).toMatchObject({
      client_id: 'app_EMoamEEZ73f0CkXaXp7hrann',
      code_challenge: 'CH',
      code_challenge_method: 'S256',
      state: 'ST',
      originator: 'codex_cli_rs',
      id_token_add_organizations: 'true',
      codex_cli_simplified_flow: 'true',
    });
  });

  it('uses an S256 challenge of a fresh verifier, and a fresh state each time', async () => {
    const a = await createPkceSession();
    const b = await createPkceSession();
    expect(a.challenge).toBe(createHash('sha256').update(a.verifier).digest('base64url'));
    expect(a.verifier).toMatch(/^[A-Za-z0-9_-]{43,128}$/);
    expect(a.state).not.toBe(b.state);
    expect(a.verifier).not.toBe(b.verifier);
  });
});

describe('resolveCodexOAuthSettings', () => {
  it('layers defaults < config < CODEX_OAUTH_* < code overrides, and sends no refresh scope by default', () => {
    const env = { CODEX_OAUTH_CLIENT_ID: 'from-env', CODEX_OAUTH_TOKEN_ENDPOINT: 'http://env/token' };
    const settings = resolveCodexOAuthSettings({ client_id: 'from-file', scope: 'openid' }, env, {
      token_url: 'http://code/token',
    });
    expect(settings.clientId).toBe('from-env');
    expect(settings.scope).toBe('openid');
    expect(settings.tokenUrl).toBe('http://code/token');
    expect(settings.refreshScope).toBeUndefined();
    expect(settings.credentialStore).toBe('file');
  });
});
