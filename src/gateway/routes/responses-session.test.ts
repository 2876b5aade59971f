import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { streamEvent } from '../../core/events.js';
import { makeUsage } from '../../core/usage.js';
import { startGateway, type TestGateway } from '../../testing/gateway-harness.js';
import { ScriptedProvider, textTurn } from '../../testing/scripted-provider.js';

// Responses clients (Codex CLI among them) may leave out instructions on later turns and resend a
// tool output without its call (seeds-spec §A.11–A.12): the gateway repairs both per session.

const ARGS = '{"cmd":"ls"}';
const toolTurn = () => [
  streamEvent('response_started', { response_id: 'resp_t', model: 'scripted-model', created_at: 1 }),
  streamEvent('tool_call_started', { call_id: 'call_s1', name: 'shell' }),
  streamEvent('tool_call_arguments_delta', { call_id: 'call_s1', delta: ARGS }),
  streamEvent('tool_call_done', {
    call_id: 'call_s1',
    tool_call: { id: 'call_s1', name: 'shell', arguments_json: ARGS, arguments: { cmd: 'ls' } },
    provider_data: { gemini: { thought_signature: 'sig-1' } },
  }),
  streamEvent('usage', { usage: makeUsage({ input_tokens: 3, output_tokens: 2 }) }),
  streamEvent('response_completed', { finish_reason: 'tool_calls', finish_reason_raw: 'tool_calls' }),
];

let gw: TestGateway | undefined;
afterEach(async () => {
  await gw?.close(0);
  gw = undefined;
});

describe('POST /v1/responses session repair', () => {
  it('completes an orphaned tool output from the session, reuses instructions, restores provider data', async () => {
    const provider = new ScriptedProvider([toolTurn(), textTurn('done'), textTurn('again')]);
    gw = await startGateway({ providers: [provider] });
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'any', maxRetries: 0 });
    const tools = [
      {
        type: 'function' as const,
        name: 'shell',
        parameters: { type: 'object', properties: { cmd: { type: 'string' } } },
        strict: false,
      },
    ];
    const first = await client.responses.create({
      model: 'scripted',
      instructions: 'You are terse.',
      input: 'list files',
      tools,
      user: 'alice',
    });
    expect(first.output).toContainEqual(
      expect.objectContaining({ type: 'function_call', call_id: 'call_s1' }),
    );

    // The follow-up carries only the output: no call, no instructions.
    const second = await client.responses.create({
      model: 'scripted',
      input: [{ type: 'function_call_output', call_id: 'call_s1', output: 'a.txt' }],
      tools,
      user: 'alice',
    });
    expect(second.output_text).toBe('done');
    const sent = provider.requests[1];
    expect(sent?.instructions).toBe('You are terse.');
    expect(sent?.input).toEqual([
      expect.objectContaining({
        type: 'function_call',
        call_id: 'call_s1',
        name: 'shell',
        arguments: ARGS,
        provider_data: { gemini: { thought_signature: 'sig-1' } },
      }),
      { type: 'function_call_output', call_id: 'call_s1', output: 'a.txt' },
    ]);

    // Another user's session knows nothing of that call: the output is dropped, with a warning.
    const raw = await client.responses
      .create({
        model: 'scripted',
        input: [
          { role: 'user', content: 'hi' },
          { type: 'function_call_output', call_id: 'call_s1', output: 'a.txt' },
        ],
        user: 'bob',
      })
      .withResponse();
    expect(provider.requests[2]?.input).toHaveLength(1);
    expect(provider.requests[2]?.instructions).toBeUndefined();
    expect(raw.response.headers.get('x-nodex-warnings')).toContain('call_s1');
  });

  it('continues a stored response with previous_response_id, per API key; store:false is not kept', async () => {
    const provider = new ScriptedProvider([
      textTurn('first answer', 'resp_one'),
      textTurn('second answer', 'resp_two'),
      textTurn('third answer', 'resp_three'),
      textTurn('unstored', 'resp_four'),
    ]);
    gw = await startGateway({
      providers: [provider],
      config: { server: { allow_any_key: false, api_keys: ['nx-key-alice', 'nx-key-bob00'] } },
    });
    const alice = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'nx-key-alice', maxRetries: 0 });
    const bob = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'nx-key-bob00', maxRetries: 0 });

    const one = await alice.responses.create({ model: 'scripted', input: 'first question' });
    expect(one.id).toBe('resp_one');
    expect((one as { store?: boolean }).store).toBe(true);
    const stream = await alice.responses.create({
      model: 'scripted',
      input: 'second question',
      previous_response_id: one.id,
      stream: true,
    });
    let two = '';
    for await (const event of stream) if (event.type === 'response.completed') two = event.response.id;
    expect(two).toBe('resp_two');
    const three = await alice.responses.create({
      model: 'scripted',
      input: 'third question',
      previous_response_id: two,
    });
    expect(three.output_text).toBe('third answer');
    const texts = (provider.requests[2]?.input ?? []).map((item) =>
      item.type === 'message'
        ? `${item.role}: ${item.content.map((p) => ('text' in p ? p.text : '')).join('')}`
        : item.type,
    );
    expect(texts).toEqual([
      'user: first question',
      'assistant: first answer',
      'user: second question',
      'assistant: second answer',
      'user: third question',
    ]);

    // Another key cannot continue alice's conversation; an unknown id is a 404 naming the parameter.
    const foreign = await bob.responses
      .create({ model: 'scripted', input: 'x', previous_response_id: 'resp_one' })
      .catch((e: unknown) => e);
    expect(foreign).toBeInstanceOf(OpenAI.NotFoundError);
    expect(foreign).toMatchObject({ status: 404, code: 'not_found', param: 'previous_response_id' });

    const unstored = await alice.responses.create({ model: 'scripted', input: 'x', store: false });
    expect((unstored as { store?: boolean }).store).toBe(false);
    await expect(
      alice.responses.create({ model: 'scripted', input: 'y', previous_response_id: unstored.id }),
    ).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    expect(provider.requests).toHaveLength(4);
  });
});
