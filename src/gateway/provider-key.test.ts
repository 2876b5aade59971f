import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeChatCompletions, startFakeChatCompletions } from '../testing/fake-chat-completions.js';
import { startGateway, type TestGateway } from '../testing/gateway-harness.js';

// X-Provider-Key: a caller brings its own upstream key for one request (OpenAI-compatible hosts).

const UPSTREAM_KEY = 'sk-caller-own-upstream-key-123';
let fake: FakeChatCompletions;
let gw: TestGateway;

beforeEach(async () => {
  fake = await startFakeChatCompletions({ apiKey: UPSTREAM_KEY });
  gw = await startGateway({
    config: {
      providers: { myhost: { type: 'openai-compatible', base_url: fake.baseUrl, api_key_env: 'MYHOST_KEY' } },
      routing: { patterns: [{ pattern: 'host-*', provider: 'myhost' }] },
    },
    env: {}, // MYHOST_KEY unset: only the per-request key can authenticate
  });
});
afterEach(async () => {
  await gw.close(0);
  await fake.close();
});

const chat = (headers: Record<string, string>) =>
  fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer gateway-key', ...headers },
    body: JSON.stringify({ model: 'host-small', messages: [{ role: 'user', content: 'hi' }] }),
  });

describe('X-Provider-Key', () => {
  it('is sent upstream as the bearer for that request only, and never logged', async () => {
    const answered = await chat({ 'x-provider-key': UPSTREAM_KEY });
    expect(answered.status).toBe(200);
    expect(((await answered.json()) as { object: string }).object).toBe('chat.completion');
    expect(fake.chatRequests()[0]?.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);

    const without = await chat({});
    // Without it the host is not set up: refused before any upstream call.
    expect(without.status).toBe(503);
    const body = (await without.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('provider_unavailable');
    expect(body.error.message).toContain('MYHOST_KEY');
    expect(fake.chatRequests()).toHaveLength(1);
    expect(gw.logText()).not.toContain(UPSTREAM_KEY);
  });
});
