import { Agent, request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeyPolicy } from '../../config/schema.js';
import {
  anthropicFrames,
  anthropicSseFrames,
  type FakeAnthropic,
  startFakeAnthropic,
} from '../../testing/fake-anthropic.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';

// Gateway keys end to end: a key's policy (rpm, token quota, models, balance) enforced on real
// requests, and its usage metered from the upstream's own figures.

let gw: TestGateway | undefined;
let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await gw?.close(0);
  await fake?.close();
  gw = undefined;
  fake = undefined;
});

async function gatewayWithKey(policy: KeyPolicy, extra: Record<string, unknown> = {}) {
  gw = await startGateway({
    config: { server: { allow_any_key: false }, usage: { history: true }, ...extra },
    ...(fake ? { env: { ANTHROPIC_API_KEY: 'sk-ant-up' } } : {}),
  });
  const issued = await gw.services.admin.keys.add({ label: 'test', policy });
  return { gw, key: issued.key, id: issued.record.id };
}

const chatBody = (model = 'mock-text', extra: Record<string, unknown> = {}) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], ...extra });

async function chat(url: string, key: string, body = chatBody(), dispatcher?: Agent) {
  const answer = await request(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
    ...(dispatcher ? { dispatcher } : {}),
  });
  return { status: answer.statusCode, headers: answer.headers, text: await answer.body.text() };
}

describe('rate limits', () => {
  it('rpm 50 under 200 concurrent requests: exactly 50 succeed, the rest get 429 with Retry-After', async () => {
    const { gw, key } = await gatewayWithKey({ rpm: 50 });
    const dispatcher = new Agent({ connections: 200 });
    const answers = await Promise.all(
      Array.from({ length: 200 }, () => chat(gw.url, key, chatBody(), dispatcher)),
    );
    await dispatcher.close();
    const ok = answers.filter((a) => a.status === 200);
    const limited = answers.filter((a) => a.status === 429);
    expect(ok).toHaveLength(50);
    expect(limited).toHaveLength(150);
    for (const answer of limited) {
      expect(JSON.parse(answer.text)).toMatchObject({
        error: { code: 'rate_limited', type: 'rate_limit_error' },
      });
      // 50 per minute refill one request every 1.2 s: the wait is at most that, never 0.
      const waitMs = Number(answer.headers['retry-after-ms']);
      expect(waitMs).toBeGreaterThan(0);
      expect(waitMs).toBeLessThanOrEqual(1200);
      expect(answer.headers['retry-after']).toBe(String(Math.ceil(waitMs / 1000)));
      expect(answer.headers['x-ratelimit-limit-requests']).toBe('50');
      expect(answer.headers['x-ratelimit-remaining-requests']).toBe('0');
    }
    expect(ok[0]?.headers['x-ratelimit-limit-requests']).toBe('50');
    expect(ok.map((a) => Number(a.headers['x-ratelimit-remaining-requests'])).sort((a, b) => a - b)[0]).toBe(
      0,
    );
  });

  it('a token quota is never exceeded: concurrent requests are refused once reservations fill it', async () => {
    // A paced mock keeps the requests in flight together, so their reservations add up.
    const { gw, key, id } = await gatewayWithKey(
      { quota: { tokens: 3000, window: 3_600_000 } },
      { providers: { mock: { delta_interval_ms: 20 } } },
    );
    const answers = await Promise.all(
      Array.from({ length: 60 }, () => chat(gw.url, key, chatBody('mock-text', { max_tokens: 200 }))),
    );
    const ok = answers.filter((a) => a.status === 200).length;
    const refused = answers.filter((a) => a.status === 429);
    expect(ok).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused)
      expect(JSON.parse(answer.text)).toMatchObject({ error: { code: 'quota_exceeded' } });
    const shown = await gw.services.admin.usage.show(id, {});
    expect(shown.window?.limit).toBe(3000);
    expect(shown.window?.tokens).toBeLessThanOrEqual(3000);
    const total = shown.totals.reduce((sum, t) => sum + t.total_tokens, 0);
    expect(total).toBe(shown.window?.tokens);
    expect(shown.totals.reduce((sum, t) => sum + t.requests, 0)).toBe(ok + refused.length);
  });

  it('a model outside the key policy is 403; a key with no tokens left is 402', async () => {
    const { gw, key, id } = await gatewayWithKey({ models: ['mock-*'] });
    expect((await chat(gw.url, key, chatBody('mock-text'))).status).toBe(200);
    const denied = await chat(gw.url, key, chatBody('mock'));
    expect(denied.status).toBe(403);
    expect(JSON.parse(denied.text)).toMatchObject({ error: { code: 'permission_denied', param: 'model' } });
    await gw.services.admin.keys.addTokens(id, 0);
    const broke = await chat(gw.url, key);
    expect(broke.status).toBe(402);
    expect(JSON.parse(broke.text)).toMatchObject({ error: { code: 'payment_required' } });
    await gw.services.admin.keys.addTokens(id, 1000);
    expect((await chat(gw.url, key)).status).toBe(200);
    // Usage is taken off the balance.
    const view = await gw.services.admin.keys.get(id);
    expect(view.token_balance).toBeLessThan(1000);
  });

  it('revoked, rotated-away and expired keys get the same 401 as an unknown one', async () => {
    const { gw, key, id } = await gatewayWithKey({});
    expect((await chat(gw.url, key)).status).toBe(200);
    const rotated = await gw.services.admin.keys.rotate(id);
    const old = await chat(gw.url, key);
    expect(old.status).toBe(401);
    expect((await chat(gw.url, rotated.key)).status).toBe(200);
    await gw.services.admin.keys.revoke(id);
    const revoked = await chat(gw.url, rotated.key);
    const unknown = await chat(gw.url, `nk-${'a'.repeat(12)}-${'b'.repeat(43)}`);
    const expired = await gw.services.admin.keys.add({ label: 'short', expires_in: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const late = await chat(gw.url, expired.key);
    for (const answer of [revoked, unknown, late]) {
      expect(answer.status).toBe(401);
      expect(JSON.parse(answer.text).error.message).toBe(JSON.parse(old.text).error.message);
    }
    for (const text of [key, rotated.key, expired.key]) expect(gw.logText()).not.toContain(text);
  });
});

describe('metering', () => {
  it('usage totals equal the upstream usage for streamed, non-streamed and aborted requests', async () => {
    fake = await startFakeAnthropic({ apiKeys: ['sk-ant-up'] });
    const full = (input: number, output: number) => ({
      sse: anthropicSseFrames([
        anthropicFrames.start({ inputTokens: input }),
        ...anthropicFrames.text(0, ['Hello', ' there']),
        ...anthropicFrames.end('end_turn', output),
      ]),
    });
    fake.enqueue(full(120, 7), full(80, 5), {
      sse: anthropicSseFrames([
        anthropicFrames.start({ inputTokens: 300 }),
        ...anthropicFrames.text(
          0,
          Array.from({ length: 50 }, (_, i) => `w${i} `),
        ),
        ...anthropicFrames.end('end_turn', 60),
      ]),
      pacing: { frameIntervalMs: 40 },
    });
    const { gw, key, id } = await gatewayWithKey({}, { providers: { anthropic: { base_url: fake.url } } });
    const body = (stream: boolean) => chatBody('claude-sonnet-4-5', { stream });
    expect((await chat(gw.url, key, body(false))).status).toBe(200);
    const streamed = await chat(gw.url, key, body(true));
    expect(streamed.text).toContain('[DONE]');

    // The third is abandoned after its first words: the upstream said 300 in, 1 out so far.
    const controller = new AbortController();
    const aborted = await fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: body(true),
      signal: controller.signal,
    });
    const reader = aborted.body?.getReader();
    await reader?.read();
    await reader?.read();
    controller.abort();
    await vi.waitFor(async () => {
      const [totals] = await gw.services.admin.usage.list({ keyId: id });
      expect(totals?.requests).toBe(3);
    });
    const [totals] = await gw.services.admin.usage.list({ keyId: id });
    expect(totals).toMatchObject({ input_tokens: 120 + 80 + 300, output_tokens: 7 + 5 + 1, streamed: 2 });
    const requests = (await gw.services.admin.usage.show(id, {})).requests;
    expect(requests).toHaveLength(3);
    expect(requests.every((r) => r.provider === 'anthropic' && r.key_id === id && !r.estimated)).toBe(true);
    expect(requests.find((r) => r.input_tokens === 300)).toMatchObject({
      stream: true,
      error_code: 'aborted',
    });
  });
});
