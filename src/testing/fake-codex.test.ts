import { afterEach, describe, expect, it } from 'vitest';
import { parseSseText } from '../sse/parse-sse.js';
import {
  CODEX_UNSUPPORTED_PARAMS,
  codexSseFrames,
  FAKE_CODEX_QUOTA_HEADERS,
  type FakeCodex,
  type FakeCodexOptions,
  fakeJwt,
  startFakeCodex,
} from './fake-codex.js';
import { fixtureJson, fixtureText } from './fixtures.js';

interface RequestFixture {
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

const ACCEPTED = fixtureJson<RequestFixture>('codex-request.json');
const HEADERS: Record<string, string> = { ...ACCEPTED.headers, Authorization: 'Bearer tok-1' };

function omit(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name));
}

let fake: FakeCodex | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(options: FakeCodexOptions = {}): Promise<FakeCodex> {
  fake = await startFakeCodex(options);
  return fake;
}

async function post(body: unknown, headers: Record<string, string> = HEADERS): Promise<Response> {
  return fetch(`${fake?.baseUrl}/responses`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('fake Codex: accepts what the backend accepts', () => {
  it('streams the default reply (codex-text.sse) with x-codex headers for the accepted request', async () => {
    await start();
    const response = await post(ACCEPTED.body);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    for (const [name, value] of Object.entries(FAKE_CODEX_QUOTA_HEADERS))
      expect(response.headers.get(name)).toBe(value);
    expect(parseSseText(await response.text())).toEqual(parseSseText(fixtureText('codex-text.sse')));
    expect(fake?.responses()).toHaveLength(1);
    expect(fake?.responses()[0]?.json).toEqual(ACCEPTED.body);
  });

  it('queued replies come first, in order, then the default; quotaHeaders:false sends none', async () => {
    await start({
      quotaHeaders: false,
      reply: { sse: codexSseFrames([{ type: 'response.created', response: { id: 'r' } }]) },
    });
    fake?.enqueue(
      { status: 500, json: { detail: 'Internal Server Error' } },
      { mode: 'usage-limit', planType: 'pro' },
    );
    const first = await post(ACCEPTED.body);
    expect([first.status, await first.json()]).toEqual([500, { detail: 'Internal Server Error' }]);
    const second = await post(ACCEPTED.body);
    expect(second.status).toBe(429);
    expect(second.headers.get('x-codex-primary-used-percent')).toBe('100');
    expect(await second.json()).toEqual({
      error: {
        type: 'usage_limit_reached',
        message: 'The usage limit has been reached',
        plan_type: 'pro',
        resets_at: 1777936568,
        eligible_promo: null,
        resets_in_seconds: 13872,
      },
    });
    const third = await post(ACCEPTED.body);
    expect(third.headers.get('x-codex-plan-type')).toBeNull();
    expect(await third.text()).toBe(
      'event: response.created\ndata: {"type":"response.created","response":{"id":"r"}}\n\n',
    );
  });

  it('overloaded-first: a 200 whose first event after created / in_progress is an overload error', async () => {
    await start();
    fake?.enqueue({ mode: 'overloaded-first' });
    const messages = parseSseText(await (await post(ACCEPTED.body)).text());
    expect(messages.map((m) => m.event)).toEqual(['response.created', 'response.in_progress', 'error']);
    expect(JSON.parse(messages[2]?.data ?? '')).toMatchObject({ error: { code: 'server_is_overloaded' } });
  });

  it('serves GET {base}/models with an etag, behind the bearer', async () => {
    await start();
    const ok = await fetch(`${fake?.baseUrl}/models?client_version=0.144.1`, { headers: HEADERS });
    expect(ok.headers.get('x-models-etag')).toBe('"fake-models-1"');
    expect(((await ok.json()) as { models: { slug: string }[] }).models.map((m) => m.slug)).toEqual([
      'gpt-5.5',
      'gpt-5.4-mini',
    ]);
    expect((await fetch(`${fake?.baseUrl}/models`)).status).toBe(401);
  });
});

describe('fake Codex: rejects what the backend rejects (wire.md §2.3–2.4)', () => {
  const without = (key: string) =>
    Object.fromEntries(Object.entries(ACCEPTED.body).filter(([k]) => k !== key));

  const cases: [string, unknown, string][] = [
    ['store omitted', without('store'), 'Store must be set to false'],
    ['store true', { ...ACCEPTED.body, store: true }, 'Store must be set to false'],
    ['stream false', { ...ACCEPTED.body, stream: false }, 'Stream must be set to true'],
    ['instructions omitted', without('instructions'), 'Instructions are required'],
    ['input a string', { ...ACCEPTED.body, input: 'hi' }, 'Input must be a list'],
    [
      'a system message',
      {
        ...ACCEPTED.body,
        input: [{ type: 'message', role: 'system', content: [{ type: 'input_text', text: 's' }] }],
      },
      'System messages are not allowed',
    ],
    ...CODEX_UNSUPPORTED_PARAMS.map((p): [string, unknown, string] => [
      `${p} present`,
      { ...ACCEPTED.body, [p]: 1 },
      `Unsupported parameter: ${p}`,
    ]),
  ];
  it.each(cases)('%s → 400 {"detail":…}', async (_label, body, detail) => {
    await start();
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ detail });
  });

  it('the detail bodies are exactly those of codex-http-errors.json', async () => {
    const { errors } = fixtureJson<{
      errors: { status: number; body?: { detail?: string }; trigger: string }[];
    }>('codex-http-errors.json');
    const known = new Set(errors.map((e) => e.body?.detail).filter(Boolean));
    for (const text of [
      'Store must be set to false',
      'Stream must be set to true',
      'Instructions are required',
      'Input must be a list',
      'System messages are not allowed',
      'Unsupported parameter: temperature',
      'Unauthorized',
    ]) {
      expect(known.has(text)).toBe(true);
    }
  });

  it('auth: no bearer, expired JWT, unknown token, missing account id', async () => {
    await start({ accessTokens: ['tok-1', fakeJwt({ exp: 1 })] });
    const noAuth = omit(HEADERS, 'Authorization');
    expect([
      (await post(ACCEPTED.body, noAuth)).status,
      await (await post(ACCEPTED.body, noAuth)).json(),
    ]).toEqual([401, { detail: 'Unauthorized' }]);
    const expired = await post(ACCEPTED.body, { ...HEADERS, Authorization: `Bearer ${fakeJwt({ exp: 1 })}` });
    expect(expired.status).toBe(401);
    expect(await expired.json()).toMatchObject({ error: { code: 'token_expired' } });
    const unknown = await post(ACCEPTED.body, { ...HEADERS, Authorization: 'Bearer nope' });
    expect(await unknown.json()).toEqual({
      detail: 'Could not parse your authentication token. Please try signing in again.',
    });
    const noAccount = omit(HEADERS, 'ChatGPT-Account-ID');
    const missing = await post(ACCEPTED.body, noAccount);
    expect([missing.status, await missing.json()]).toEqual([
      400,
      { detail: 'Missing ChatGPT-Account-ID header' },
    ]);
  });

  it('replay rules: ids, names over 64 chars, call/output pairing', async () => {
    await start();
    const input = ACCEPTED.body.input as Record<string, unknown>[];
    const withId = await post({ ...ACCEPTED.body, input: [{ ...input[0], id: 'msg_1' }] });
    expect(withId.status).toBe(404);
    expect(await withId.json()).toMatchObject({
      error: { message: expect.stringContaining("Item with id 'msg_1' not found") },
    });
    const long = 'n'.repeat(65);
    const longName = await post({
      ...ACCEPTED.body,
      tools: [{ type: 'function', name: long, parameters: {} }],
    });
    expect(await longName.json()).toMatchObject({
      error: { code: 'string_above_max_length', param: 'tools[0].name' },
    });
    const calls = input.filter((item) => item.type === 'function_call');
    const outputs = input.filter((item) => item.type === 'function_call_output');
    const unanswered = await post({ ...ACCEPTED.body, input: calls });
    expect(await unanswered.json()).toMatchObject({
      error: { message: 'No tool output found for function call call_Xk3b9QmT2vL8pR4sN6wY1zA0.' },
    });
    const orphan = await post({ ...ACCEPTED.body, input: outputs });
    expect(orphan.status).toBe(400);
    expect(fake?.responses()).toHaveLength(4);
  });
});
