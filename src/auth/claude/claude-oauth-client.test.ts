import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeUpstream, startFakeUpstream } from '../../testing/fake-upstream.js';
import { claudeAuthorizeUrl, refreshClaudeCredentials } from './claude-oauth-client.js';
import { type ClaudeOAuthSettings, resolveClaudeOAuthSettings } from './claude-oauth-settings.js';

let upstream: FakeUpstream;
let settings: ClaudeOAuthSettings;
beforeEach(async () => {
  upstream = await startFakeUpstream();
  settings = resolveClaudeOAuthSettings({ token_url: `${upstream.url}/v1/oauth/token` });
});
afterEach(() => upstream.close());

const current = { accessToken: 'sk-ant-oat01-a', refreshToken: 'sk-ant-ort01-secret-refresh' };

describe('Claude OAuth client', () => {
  it('builds the authorize URL in Claude Code’s parameter order, with the default endpoints and scopes', () => {
    const defaults = resolveClaudeOAuthSettings();
    expect(
      claudeAuthorizeUrl(defaults, { challenge: 'ch', state: 'st' }, 'http://localhost:54545/callback'),
    ).toBe(
      'https://claude.ai/oauth/authorize?code=true&client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e&response_type=code' +
        '&redirect_uri=http%3A%2F%2Flocalhost%3A54545%2Fcallback' +
        '&scope=org%3Acreate_api_key%20user%3Aprofile%20user%3Ainference%20user%3Asessions%3Aclaude_code%20user%3Amcp_servers%20user%3Afile_upload' +
        '&code_challenge=ch&code_challenge_method=S256&state=st',
    );
    expect(defaults.tokenUrl).toBe('https://platform.claude.com/v1/oauth/token');
  });

  it('an HTTP-200 rate-limit body and a 429 are retryable rate limits (with the wait); 5xx a server error', async () => {
    upstream.script({
      path: '/v1/oauth/token',
      times: 1,
      reply: {
        json: { error: { type: 'rate_limit_error', message: 'Rate limited. Please try again later.' } },
      },
    });
    await expect(refreshClaudeCredentials(settings, current)).rejects.toMatchObject({
      code: 'upstream_rate_limited',
      retryable: true,
      providerCode: 'rate_limit_error',
    });
    upstream.script({
      path: '/v1/oauth/token',
      times: 1,
      reply: { status: 429, headers: { 'retry-after': '4' }, json: {} },
    });
    await expect(refreshClaudeCredentials(settings, current)).rejects.toMatchObject({ retryAfterMs: 4000 });
    upstream.script({ path: '/v1/oauth/token', times: 1, reply: { status: 503, body: 'unavailable' } });
    const error = await refreshClaudeCredentials(settings, current).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream_error', retryable: true });
    expect(
      upstream.requests.every((r) => r.headers['user-agent'] === 'claude-cli/2.1.220 (external, cli)'),
    ).toBe(true);
  });

  it('invalid_grant is credentials_expired; an echoed refresh token never reaches the message', async () => {
    upstream.script({
      path: '/v1/oauth/token',
      reply: {
        status: 400,
        json: { error: 'invalid_grant', error_description: 'Refresh token not found or invalid' },
      },
    });
    await expect(refreshClaudeCredentials(settings, current)).rejects.toMatchObject({
      code: 'credentials_expired',
      providerCode: 'invalid_grant',
    });
    upstream.script({
      path: '/v1/oauth/token',
      reply: {
        status: 403,
        json: { error: 'access_denied', error_description: `bad ${current.refreshToken}` },
      },
    });
    const error = await refreshClaudeCredentials(settings, current).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'upstream_unauthorized' });
    expect((error as Error).message).not.toContain(current.refreshToken);
  });
});
