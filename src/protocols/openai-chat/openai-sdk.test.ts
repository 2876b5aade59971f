import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { encodeChatResponse } from './encode-response.js';
import { openaiChatProtocol } from './index.js';

const MODEL = 'my-model';
const context: EncodeContext = {
  request: { model: MODEL, input: [] },
  requestedModel: MODEL,
  requestId: 'req_sdk',
  extras: { includeUsage: true },
};
const params = { model: MODEL, messages: [{ role: 'user' as const, content: 'hi' }] };

/** The real `openai` client over a fetch that answers with the given body. */
function client(
  body: string,
  init: ResponseInit = { headers: { 'content-type': 'text/event-stream' } },
): OpenAI {
  return new OpenAI({
    apiKey: 'x',
    baseURL: 'http://fake/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, init),
  });
}

function sse(events: readonly StreamEvent[]): string {
  const encoder = openaiChatProtocol.createStreamEncoder(context);
  return events.map((e) => encoder.event(e)).join('') + encoder.end();
}

const SEQUENCES = [
  'chat-completions-text',
  'chat-completions-tool-call',
  'chat-completions-parallel-tool-calls',
  'chat-completions-length',
  'anthropic-parallel-tool-use',
  'anthropic-thinking',
  'gemini-openai-parallel-tool-calls',
  'codex-reasoning-summary',
];

describe('the openai SDK reads what the Chat codec writes', () => {
  for (const name of SEQUENCES) {
    it(`${name}: chunks parse, and finalChatCompletion() equals the non-stream response`, async () => {
      const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
      const text = sse(events);
      const expected = encodeChatResponse(accumulate(events), context);

      let content = '';
      let last: OpenAI.ChatCompletionChunk | undefined;
      for await (const chunk of await client(text).chat.completions.create({ ...params, stream: true })) {
        expect(chunk.object).toBe('chat.completion.chunk');
        content += chunk.choices[0]?.delta.content ?? '';
        last = chunk;
      }
      expect(content).toBe(expected.choices[0].message.content ?? '');
      expect(last?.usage).toEqual(expected.usage);

      const final = await client(text).chat.completions.stream(params).finalChatCompletion();
      // The SDK keeps only the last fragment of fields it does not know (reasoning_content).
      const { reasoning_content: _, ...message } = expected.choices[0].message;
      expect(final).toMatchObject({
        id: expected.id,
        object: 'chat.completion',
        created: expected.created,
        model: MODEL,
        usage: expected.usage,
        choices: [{ index: 0, message, finish_reason: expected.choices[0].finish_reason, logprobs: null }],
      });
      expect(final.choices[0]?.message.content).toBe(message.content);
      expect(final.choices[0]?.message.tool_calls).toEqual(message.tool_calls);

      const nonStream = await client(JSON.stringify(expected), {
        headers: { 'content-type': 'application/json' },
      }).chat.completions.create(params);
      expect(nonStream).toEqual(expected);
    });
  }

  it('keeps tool-only content null and finish_reason tool_calls in both forms', async () => {
    const events = fixtureEvents<StreamEvent>('chat-completions-parallel-tool-calls.events.jsonl');
    const final = await client(sse(events)).chat.completions.stream(params).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBeNull();
    expect(final.choices[0]?.finish_reason).toBe('tool_calls');
    expect(final.choices[0]?.message.tool_calls?.map((c) => c.id)).toEqual(['call_pA1', 'call_pB2']);
  });

  it('surfaces a mid-stream error chunk as an APIError with type and code', async () => {
    const events = fixtureEvents<StreamEvent>('codex-stream-error.events.jsonl');
    const seen: string[] = [];
    const read = async () => {
      for await (const chunk of await client(sse(events)).chat.completions.create({
        ...params,
        stream: true,
      }))
        seen.push(chunk.choices[0]?.delta.content ?? '');
    };
    const error = await read().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({
      type: 'insufficient_quota',
      code: 'upstream_usage_limit',
      message: expect.stringContaining('usage limit'),
    });
    expect(seen.join('')).toBe('Working');
  });

  it("surfaces the encoder's error() the same way", async () => {
    const encoder = openaiChatProtocol.createStreamEncoder(context);
    const text =
      encoder.event(streamEvent('response_started', { response_id: 'r', model: 'm' })) +
      encoder.event(streamEvent('text_delta', { delta: 'part' })) +
      encoder.error(new NodexError('upstream_timeout', 'the upstream stalled'));
    await expect(client(text).chat.completions.stream(params).finalChatCompletion()).rejects.toMatchObject({
      type: 'api_error',
      code: 'upstream_timeout',
      message: 'the upstream stalled',
    });
  });

  it('reads an error answer as the matching APIError subclass, with retry-after', async () => {
    const encoded = openaiChatProtocol.encodeError(
      new NodexError('rate_limited', 'slow down', { retryAfterMs: 1500 }),
      { requestId: 'req_1' },
    );
    const answer = client(JSON.stringify(encoded.body), {
      status: encoded.status,
      headers: { 'content-type': 'application/json', ...encoded.headers },
    }).chat.completions.create(params);
    const error = await answer.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'rate_limited', param: null });
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBe('2');
  });
});
