import { describe, expect, it } from 'vitest';
import { redactHeaders, redactUrl, redactValue, scrubText } from './redact.js';

describe('redaction', () => {
  it('masks credential headers by name and scrubs the rest', () => {
    expect(
      redactHeaders({
        Authorization: 'Bearer nk-abcdefghijkl-secret',
        'x-api-key': 'sk-ant-123456789',
        'x-goog-api-key': 'AIzaSyA0000000000000000000000',
        Cookie: 'session=1',
        'x-provider-key': 'up-key-123456',
        'x-refresh-token': 'rt_1',
        'content-type': 'application/json',
        'x-list': ['a', 'b'],
        session_id: 'sess-1',
      }),
    ).toEqual({
      authorization: '***',
      'x-api-key': '***',
      'x-goog-api-key': '***',
      cookie: '***',
      'x-provider-key': '***',
      'x-refresh-token': '***',
      'content-type': 'application/json',
      'x-list': 'a, b',
      session_id: 'sess-1',
    });
  });

  it('masks secret fields, keeps numbers and the cache key, scrubs keys inside text', () => {
    const jwt = 'eyJhbGciOiJub25lIn0.eyJleHAiOjF9.';
    expect(
      redactValue({
        refresh_token: 'rt_live_1',
        client_secret: 'cs',
        api_key: 'k',
        nested: [{ access_token: 'at' }],
        max_tokens: 100,
        prompt_cache_key: 'conv-1',
        input: `key nk-abcdefghijkl-xyz, auth: Bearer abc.def-ghi, ${jwt}, sk-proj-abcdefghij, AIzaSyA000000000000000000000`,
      }),
    ).toEqual({
      refresh_token: '***',
      client_secret: '***',
      api_key: '***',
      nested: [{ access_token: '***' }],
      max_tokens: 100,
      prompt_cache_key: 'conv-1',
      input: 'key nk-***, auth: Bearer ***, jwt-***, sk-***, AIza***',
    });
  });

  it('masks secret query parameters', () => {
    expect(redactUrl('/v1/messages?beta=true&api_key=abc&access_token=t#x')).toBe(
      '/v1/messages?beta=true&api_key=***&access_token=***#x',
    );
    expect(redactUrl('https://h/v1beta/models/m:stream?key=AIzaXYZ&alt=sse')).toBe(
      'https://h/v1beta/models/m:stream?key=***&alt=sse',
    );
  });

  it('scrubs literal secrets wherever they appear', () => {
    expect(scrubText('echo my-static-key-123 twice my-static-key-123', ['my-static-key-123'])).toBe(
      'echo *** twice ***',
    );
  });
});
