import Anthropic from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAUDE_CODE_IDENTITY } from '../providers/anthropic/convert-to-anthropic-request.js';
import {
  anthropicSseFrames,
  type FakeAnthropic,
  anthropicFrames as f,
  startFakeAnthropic,
} from './fake-anthropic.js';
import { fixtureJson } from './fixtures.js';

const KEY = 'sk-ant-api03-fake-test';
const OAUTH = 'sk-ant-oat01-fake-test';
let fake: FakeAnthropic;
beforeEach(async () => {
  fake = await startFakeAnthropic({ apiKeys: [KEY] });
});
afterEach(() => fake.close());

type Json = Record<string, unknown>;
const user = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });

async function post(
  body: Json,
  headers: Record<string, string> = { 'x-api-key': KEY },
  path = '/v1/messages',
) {
  const res = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const base = { model: 'claude-sonnet-4-5', max_tokens: 100, stream: true, messages: [user('hi')] };
const oauthHeaders = {
  authorization: `Bearer ${OAUTH}`,
  'anthropic-beta': 'claude-code-20250219,oauth-2025-04-20',
};
const identity = [{ type: 'text', text: CLAUDE_CODE_IDENTITY }];
const message = (text: string) => (JSON.parse(text) as { error: { message: string } }).error.message;

describe('startFakeAnthropic', () => {
  it('the official SDK streams from it (API key): the default reply is the anthropic-text.sse fixture', async () => {
    const client = new Anthropic({ apiKey: KEY, authToken: null, baseURL: fake.url, maxRetries: 0 });
    const final = await client.messages
      .stream({ model: 'claude-opus-4-8', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
      .finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Hello there!' }]);
    expect(final.stop_reason).toBe('end_turn');
    // The 2026 SDK sends the API key as a Bearer, which the fake accepts like the API.
    expect(fake.messages()[0]?.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('OAuth: needs the oauth beta (401 otherwise), and the identity first for non-Haiku models', async () => {
    const noBeta = await post({ ...base, system: identity }, { authorization: `Bearer ${OAUTH}` });
    expect(noBeta.status).toBe(401);
    expect(JSON.parse(noBeta.text)).toMatchObject({
      type: 'error',
      error: { type: 'authentication_error', message: 'OAuth authentication is currently not supported.' },
      request_id: expect.stringMatching(/^req_/),
    });
    const noIdentity = await post(base, oauthHeaders, '/v1/messages?beta=true');
    expect(noIdentity.status).toBe(400);
    expect(message(noIdentity.text)).toBe(
      'This credential is only authorized for use with Claude Code and cannot be used for other API requests.',
    );
    expect((await post({ ...base, model: 'claude-haiku-4-5' }, oauthHeaders)).status).toBe(200);
    const ok = await post({ ...base, system: identity }, oauthHeaders, '/v1/messages?beta=true');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('anthropic-ratelimit-unified-5h-status')).toBe('allowed');
    expect(fake.messages().at(-1)?.url).toBe('/v1/messages?beta=true');
    expect((await post(base, { authorization: 'Bearer sk-ant-api03-x' })).status).toBe(401);
    expect((await post(base, { 'x-api-key': 'wrong' })).status).toBe(401);
  });

  it('rejects what the real API rejects, with its messages', async () => {
    const toolTurn = (id: string) => [
      user('q'),
      { role: 'assistant', content: [{ type: 'tool_use', id, name: 't', input: {} }] },
    ];
    const cases: Array<[Json, string]> = [
      [{ ...base, messages: [user('')] }, 'messages: text content blocks must be non-empty'],
      [{ ...base, messages: [user('  ')] }, 'messages: text content blocks must contain non-whitespace text'],
      [
        { ...base, temperature: 0.5, top_p: 0.9 },
        '`temperature` and `top_p` cannot both be specified for this model. Please use only one.',
      ],
      [
        {
          ...base,
          messages: [
            ...toolTurn('call.1'),
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call.1' }] },
          ],
        },
        "messages.1.content.0.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'",
      ],
      [
        { ...base, messages: [...toolTurn('t1'), user('no result')] },
        'messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: t1. Each `tool_use` block must have a corresponding `tool_result` block in the next message.',
      ],
      [
        { ...base, messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'x1' }] }] },
        'messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: x1. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
      ],
      [
        {
          ...base,
          max_tokens: 2000,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          tools: [{ name: 't', input_schema: {} }],
          tool_choice: { type: 'any' },
        },
        'Thinking may not be enabled when tool_choice forces tool use.',
      ],
      [
        { ...base, thinking: { type: 'enabled', budget_tokens: 1024 } },
        '`max_tokens` must be greater than `thinking.budget_tokens`.',
      ],
      [
        {
          ...base,
          max_tokens: 2000,
          thinking: { type: 'enabled', budget_tokens: 1024 },
          messages: [
            ...toolTurn('t1'),
            { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }] },
          ],
        },
        'messages.1.content.0.type: Expected `thinking` or `redacted_thinking`, but found `tool_use`. When `thinking` is enabled, a final `assistant` message must start with a thinking block.',
      ],
      [{ ...base, stop_sequences: 'END' }, 'stop_sequences: Input should be a valid list'],
    ];
    for (const [body, expected] of cases) {
      const res = await post(body);
      expect([res.status, message(res.text)]).toEqual([400, expected]);
    }
    expect(fake.requests).toHaveLength(cases.length); // all recorded
  });

  it('scripted modes: 529 with the fixture body, 429 with retry-after, an overload as the first event, frames', async () => {
    fake.enqueue(
      { mode: 'overloaded' },
      { mode: 'rate-limited', retryAfterSeconds: 9 },
      { mode: 'overloaded-first' },
      { sse: anthropicSseFrames([f.start(), ...f.text(0, ['a']), ...f.end('end_turn', 1)]) },
    );
    const overloaded = await post(base);
    expect(overloaded.status).toBe(529);
    const fixture = fixtureJson<{ errors: Array<{ status: number; body: { error: unknown } }> }>(
      'anthropic-http-errors.json',
    );
    expect(JSON.parse(overloaded.text).error).toEqual(
      fixture.errors.find((e) => e.status === 529)?.body.error,
    );
    const limited = await post(base);
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '9']);
    const first = await post(base);
    expect(first.status).toBe(200);
    expect(first.text).toContain(
      'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    );
    expect((await post(base)).text).toContain('"text":"a"');
    const client = new Anthropic({ apiKey: KEY, authToken: null, baseURL: fake.url, maxRetries: 0 });
    fake.enqueue({ mode: 'overloaded-first' });
    await expect(
      client.messages
        .stream({ model: 'claude-opus-4-8', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
        .finalMessage(),
    ).rejects.toThrow(/overloaded_error/);
  });

  it('GET /v1/models pages with limit and after_id', async () => {
    const page = async (query: string) =>
      (await (
        await fetch(`${fake.url}/v1/models?${query}`, { headers: { 'x-api-key': KEY } })
      ).json()) as Json;
    expect(await page('limit=2')).toMatchObject({
      has_more: true,
      first_id: 'claude-opus-4-8',
      last_id: 'claude-sonnet-4-5-20250929',
    });
    expect(await page('limit=2&after_id=claude-sonnet-4-5-20250929')).toMatchObject({
      data: [expect.objectContaining({ id: 'claude-haiku-4-5-20251001' })],
      has_more: false,
    });
  });
});
