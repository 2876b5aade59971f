import { afterEach, describe, expect, it } from 'vitest';
import { parseSseText } from '../sse/parse-sse.js';
import {
  type FakeChatCompletions,
  type FakeChatOptions,
  type FakeChatReply,
  startFakeChatCompletions,
} from './fake-chat-completions.js';
import { fixtureText } from './fixtures.js';

type Json = Record<string, unknown>;

let fake: FakeChatCompletions | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function start(
  options: FakeChatOptions = {},
  ...replies: FakeChatReply[]
): Promise<FakeChatCompletions> {
  fake = await startFakeChatCompletions({ apiKey: 'k-1', ...options });
  fake.enqueue(...replies);
  return fake;
}

const user = { role: 'user', content: 'hi' };
const body = (extra: Json = {}): Json => ({ model: 'm', messages: [user], stream: true, ...extra });

async function post(
  payload: unknown,
  headers: Record<string, string> = { authorization: 'Bearer k-1' },
): Promise<Response> {
  return fetch(`${fake?.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(payload),
  });
}

async function chunks(response: Response): Promise<unknown[]> {
  return parseSseText(await response.text()).map((m) =>
    m.data === '[DONE]' ? '[DONE]' : JSON.parse(m.data),
  );
}

describe('fake chat completions: openai dialect (wire.md §6.1)', () => {
  it('streams a turn: role chunk, deltas, tool-call fragments by index, finish, usage only when asked, [DONE]', async () => {
    await start(
      {},
      { turn: { text: ['Hi'], calls: [{ name: 'f', arguments: { a: 1 } }] } },
      { turn: { text: ['Hi'] } },
    );
    const withUsage = (await chunks(await post(body({ stream_options: { include_usage: true } })))) as Json[];
    expect(
      withUsage.map((c) => (c === ('[DONE]' as unknown) ? c : ((c.choices as Json[])[0]?.delta ?? 'usage'))),
    ).toEqual([
      { role: 'assistant', content: '', refusal: null },
      { content: 'Hi' },
      {
        tool_calls: [
          { index: 0, id: 'call_fake1x0', type: 'function', function: { name: 'f', arguments: '' } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] },
      { tool_calls: [{ index: 0, function: { arguments: ':1}' } }] },
      {},
      'usage',
      '[DONE]',
    ]);
    expect(withUsage[5]).toMatchObject({ choices: [{ finish_reason: 'tool_calls' }] });
    expect(withUsage[6]).toMatchObject({
      choices: [],
      usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
    });
    const without = await chunks(await post(body()));
    expect(without.some((c) => typeof c === 'object' && c !== null && 'usage' in c)).toBe(false);
    expect(fake?.chatRequests()).toHaveLength(2);
  });

  it('401 in the OpenAI shape without or with a wrong key', async () => {
    await start();
    const none = await post(body(), {});
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({
      error: { type: 'invalid_request_error', message: expect.stringContaining("didn't provide") },
    });
    const wrong = await post(body(), { authorization: 'Bearer sk-wrong-0000' });
    expect(await wrong.json()).toMatchObject({
      error: { code: 'invalid_api_key', message: expect.stringContaining('sk-********0000') },
    });
  });

  it('validates message structure like the host', async () => {
    await start();
    const call = { id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } };
    const orphan = await post(body({ messages: [user, { role: 'tool', tool_call_id: 'c1', content: 'x' }] }));
    expect([orphan.status, ((await orphan.json()) as { error: Json }).error.message]).toEqual([
      400,
      "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
    ]);
    const unanswered = await post(
      body({ messages: [user, { role: 'assistant', content: null, tool_calls: [call] }, user] }),
    );
    expect(JSON.stringify(await unanswered.json())).toContain('did not have response messages: c1');
    const reasoningModel = await post(body({ model: 'o3-mini', max_tokens: 5 }));
    expect(await reasoningModel.json()).toMatchObject({
      error: { code: 'unsupported_parameter', param: 'max_tokens' },
    });
    const ok = await post(
      body({
        messages: [
          user,
          { role: 'assistant', content: null, tool_calls: [call] },
          { role: 'tool', tool_call_id: 'c1', content: 'x' },
        ],
      }),
    );
    expect(ok.status).toBe(200);
  });

  it('modes: 429 with retry-after, 503, 500; kit replies replay fixtures; /models lists', async () => {
    await start(
      {},
      { mode: 'rate-limited', retryAfterSeconds: 4 },
      { mode: 'overloaded' },
      { mode: 'server-error' },
      { sse: { fixture: 'chat-completions-text.sse' } },
    );
    const limited = await post(body());
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '4']);
    expect(await limited.json()).toMatchObject({ error: { code: 'rate_limit_exceeded' } });
    expect((await post(body())).status).toBe(503);
    expect((await post(body())).status).toBe(500);
    expect(parseSseText(await (await post(body())).text())).toEqual(
      parseSseText(fixtureText('chat-completions-text.sse')),
    );
    const models = await fetch(`${fake?.baseUrl}/models`, { headers: { authorization: 'Bearer k-1' } });
    expect(await models.json()).toMatchObject({
      object: 'list',
      data: [{ id: 'gpt-4o-mini', object: 'model' }, { id: 'gpt-5.5' }],
    });
  });
});

describe('fake chat completions: gemini dialect (wire.md §6.3)', () => {
  it('no index, whole calls in separate chunks, short ids, a signature on the first; usage on the finish chunk', async () => {
    await start(
      { dialect: 'gemini' },
      {
        turn: {
          calls: [
            { name: 'f', arguments: { a: 1 } },
            { name: 'g', arguments: {} },
          ],
        },
      },
    );
    expect(fake?.baseUrl).toMatch(/\/v1beta\/openai$/);
    const list = (await chunks(await post(body({ stream_options: { include_usage: true } })))) as Json[];
    const calls = list
      .slice(0, 2)
      .map((c) => ((c.choices as Json[])[0]?.delta as { tool_calls: Json[] } | undefined)?.tool_calls);
    expect(calls).toEqual([
      [
        {
          function: { arguments: '{"a":1}', name: 'f' },
          id: '1x0q7m2',
          type: 'function',
          extra_content: { google: { thought_signature: expect.any(String) } },
        },
      ],
      [{ function: { arguments: '{}', name: 'g' }, id: '1x1q7m2', type: 'function' }],
    ]);
    expect(list[2]).toMatchObject({
      choices: [{ finish_reason: 'tool_calls', delta: { content: '', role: 'assistant' } }],
      usage: { total_tokens: 15 },
    });
    expect(list[3]).toBe('[DONE]');
  });

  it('400 when a signed call comes back without (or with a different) signature; accepts it echoed', async () => {
    await start(
      { dialect: 'gemini' },
      { turn: { calls: [{ name: 'f', arguments: {}, thoughtSignature: 'sig-A' }] } },
    );
    await post(body());
    const history = (extra: Json) => [
      user,
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: '1x0q7m2', type: 'function', function: { name: 'f', arguments: '{}' }, ...extra }],
      },
      { role: 'tool', tool_call_id: '1x0q7m2', content: 'r' },
    ];
    const missing = await post(body({ messages: history({}) }));
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain(
      'Function call is missing a thought_signature in functionCall parts',
    );
    const corrupted = await post(
      body({ messages: history({ extra_content: { google: { thought_signature: 'sig-B' } } }) }),
    );
    expect(await corrupted.json()).toEqual([
      { error: { code: 400, message: 'Corrupted thought signature.', status: 'INVALID_ARGUMENT' } },
    ]);
    const echoed = await post(
      body({ messages: history({ extra_content: { google: { thought_signature: 'sig-A' } } }) }),
    );
    expect(echoed.status).toBe(200);
  });

  it("errors use Google's array envelope; models are listed as models/<id>", async () => {
    await start({ dialect: 'gemini' }, { mode: 'rate-limited', retryAfterSeconds: 9 });
    expect(await (await post(body(), {})).json()).toMatchObject([
      { error: { code: 401, status: 'UNAUTHENTICATED' } },
    ]);
    expect(await (await post(body(), { authorization: 'Bearer bad' })).json()).toMatchObject([
      { error: { code: 400, details: [{ reason: 'API_KEY_INVALID' }] } },
    ]);
    expect(await (await post(body())).json()).toMatchObject([
      { error: { status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '9s' }] } },
    ]);
    const models = await fetch(`${fake?.baseUrl}/models`, { headers: { authorization: 'Bearer k-1' } });
    expect(await models.json()).toMatchObject({
      data: [{ id: 'models/gemini-2.5-flash', owned_by: 'google' }, { id: 'models/gemini-2.5-pro' }],
    });
  });
});
