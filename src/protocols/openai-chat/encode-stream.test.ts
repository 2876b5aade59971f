import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import { makeUsage } from '../../core/usage.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents, fixtureText } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { ChatStreamEncoder } from './encode-stream.js';

type Json = Record<string, unknown>;

const context = (includeUsage = true, requestedModel = 'gpt-4o-2024-08-06'): EncodeContext => ({
  request: { model: requestedModel, input: [] },
  requestedModel,
  requestId: 'req_abc',
  extras: { includeUsage },
});

function encode(events: readonly StreamEvent[], ctx = context()): string {
  const encoder = new ChatStreamEncoder(ctx);
  return events.map((e) => encoder.event(e)).join('') + encoder.end();
}

/** The JSON chunks of an SSE text (`[DONE]` kept as the string). */
function chunks(sse: string): unknown[] {
  return parseSseText(sse).map((m) => (m.data === '[DONE]' ? '[DONE]' : JSON.parse(m.data)));
}

const deltas = (sse: string) =>
  chunks(sse).flatMap((c) => (typeof c === 'object' && c !== null ? ((c as Json).choices as Json[]) : []));

const started = streamEvent('response_started', { response_id: 'resp_r1', model: 'm', created_at: 7 });
const completed = (finish: 'stop' | 'tool_calls' = 'stop') =>
  streamEvent('response_completed', { finish_reason: finish });

describe('ChatStreamEncoder', () => {
  it("renders the text fixture's events as the OpenAI capture, modulo system_fingerprint and usage: null", () => {
    const name = 'chat-completions-text';
    const ours = chunks(encode(fixtureEvents<StreamEvent>(`${name}.events.jsonl`)));
    const theirs = chunks(fixtureText(`${name}.sse`)).map((c) =>
      typeof c === 'object' && c !== null
        ? { ...c, system_fingerprint: null, usage: (c as Json).usage ?? null }
        : c,
    );
    expect(ours.length).toBe(theirs.length);
    expect(ours.slice(0, -2)).toEqual(theirs.slice(0, -2));
    // the usage chunk: ours also has prompt_tokens_details (a 2024 capture predates it)
    expect(ours.at(-2)).toMatchObject(theirs.at(-2) as Json);
    expect(ours.at(-1)).toBe('[DONE]');
  });

  it('frames every event as `data: <json>\\n\\n` and ends with [DONE] exactly once', () => {
    const encoder = new ChatStreamEncoder(context(false));
    const text = [started, streamEvent('text_delta', { delta: 'hi' }), completed()]
      .map((e) => encoder.event(e))
      .join('');
    expect(text).toMatch(/^(data: \{[^\n]*\}\n\n)+$/);
    expect(encoder.end()).toBe('data: [DONE]\n\n');
    expect(encoder.end()).toBe('');
    expect(encoder.event(streamEvent('text_delta', { delta: 'late' }))).toBe('');
  });

  it('sends the first chunk with the role, the id from the response id, the requested model', () => {
    const [first] = chunks(encode([started], context(false, 'my-alias'))) as Json[];
    expect(first).toEqual({
      id: 'chatcmpl-r1',
      object: 'chat.completion.chunk',
      created: 7,
      model: 'my-alias',
      system_fingerprint: null,
      choices: [
        {
          index: 0,
          delta: { role: 'assistant', content: '', refusal: null },
          logprobs: null,
          finish_reason: null,
        },
      ],
    });
  });

  it('gives each call a stable index in start order: header first, then argument fragments', () => {
    const events = fixtureEvents<StreamEvent>('chat-completions-parallel-tool-calls.events.jsonl');
    const choices = deltas(encode(events));
    const fragments = choices.flatMap((c) => ((c.delta as Json).tool_calls as Json[] | undefined) ?? []);
    expect(fragments).toEqual([
      {
        index: 0,
        id: 'call_pA1',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":' },
      },
      { index: 0, function: { arguments: '"Paris"}' } },
      { index: 1, id: 'call_pB2', type: 'function', function: { name: 'get_time', arguments: '{"zone":' } },
      { index: 1, function: { arguments: '"Asia/Tokyo"}' } },
    ]);
    expect(choices.at(-1)).toEqual({ index: 0, delta: {}, logprobs: null, finish_reason: 'tool_calls' });
  });

  it("puts a Gemini thought signature on the call's first fragment (single and parallel calls)", () => {
    for (const name of ['gemini-openai-tool-call', 'gemini-openai-parallel-tool-calls']) {
      const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
      const fragments = deltas(encode(events)).flatMap(
        (c) => ((c.delta as Json).tool_calls as Json[] | undefined) ?? [],
      );
      const done = events.filter((e) => e.type === 'tool_call_done');
      expect(fragments).toEqual(
        done.map((e, index) => ({
          index,
          id: e.call_id,
          type: 'function',
          function: { name: e.tool_call.name, arguments: e.tool_call.arguments_json },
          ...(e.provider_data ? { extra_content: e.provider_data['openai-compatible']?.extra_content } : {}),
        })),
      );
    }
  });

  it('sends a signature that arrives after its call was sent on one more fragment; args only in done too', () => {
    const extra = { google: { thought_signature: 'sig' } };
    const events = [
      started,
      streamEvent('tool_call_started', { call_id: 'a', name: 'f' }),
      streamEvent('tool_call_arguments_delta', { call_id: 'a', delta: '{"x"' }),
      streamEvent('tool_call_arguments_delta', { call_id: 'a', delta: ':1' }),
      toolCallDone('a', 'f', '{"x":1}', { provider_data: { 'openai-compatible': { extra_content: extra } } }),
      toolCallDone('b', 'g', '{}'),
      completed('stop'),
    ];
    const choices = deltas(encode(events, context(false)));
    expect(choices.flatMap((c) => ((c.delta as Json).tool_calls as Json[] | undefined) ?? [])).toEqual([
      { index: 0, id: 'a', type: 'function', function: { name: 'f', arguments: '{"x"' } },
      { index: 0, function: { arguments: ':1' } },
      { index: 0, function: { arguments: '}' }, extra_content: extra },
      { index: 1, id: 'b', type: 'function', function: { name: 'g', arguments: '{}' } },
    ]);
    // calls win over `stop` (wire.md §7 item 10)
    expect(choices.at(-1)?.finish_reason).toBe('tool_calls');
  });

  it('streams reasoning as reasoning_content, a blank line between summary parts and items', () => {
    const events = fixtureEvents<StreamEvent>('codex-reasoning-summary.events.jsonl');
    const reasoning = deltas(encode(events))
      .map((c) => (c.delta as Json).reasoning_content)
      .filter((r) => r !== undefined)
      .join('');
    expect(reasoning).toBe(
      '**Checking the math**\n\n17 × 23: 17 × 20 = 340, plus 51.\n\n**Answering**\n\nThe product is 391.',
    );
    const second = deltas(
      encode([
        started,
        streamEvent('reasoning_done', { item: { type: 'reasoning', summary: ['one', 'two'] } }),
        streamEvent('reasoning_delta', { delta: 'three', kind: 'text' }),
        completed(),
      ]),
    ).map((c) => (c.delta as Json).reasoning_content);
    expect(second.filter(Boolean)).toEqual(['one\n\ntwo', '\n\nthree']);
  });

  it('sends the usage chunk with choices: [] after the finish chunk only when include_usage asked for it', () => {
    const events = fixtureEvents<StreamEvent>('codex-reasoning-summary.events.jsonl');
    const withUsage = chunks(encode(events)) as Array<Json | string>;
    expect(withUsage.at(-1)).toBe('[DONE]');
    expect(withUsage.at(-2)).toMatchObject({
      choices: [],
      usage: {
        prompt_tokens: 1203,
        completion_tokens: 188,
        total_tokens: 1391,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 160 },
      },
    });
    expect((withUsage.at(-3) as Json).choices).toEqual([
      { index: 0, delta: {}, logprobs: null, finish_reason: 'stop' },
    ]);
    const without = chunks(encode(events, context(false))) as Json[];
    expect(without.filter((c) => typeof c === 'object' && 'usage' in c)).toEqual([]);
  });

  it('maps finish reasons: length, content_filter; error → stop', () => {
    const finish = (reason: 'length' | 'content_filter' | 'error') =>
      deltas(encode([started, streamEvent('response_completed', { finish_reason: reason })])).at(-1)
        ?.finish_reason;
    expect([finish('length'), finish('content_filter'), finish('error')]).toEqual([
      'length',
      'content_filter',
      'stop',
    ]);
  });

  it('ends a failed stream with an OpenAI error chunk and [DONE] (error event or error())', () => {
    const fromEvent = chunks(encode(fixtureEvents<StreamEvent>('codex-stream-error.events.jsonl')));
    expect(fromEvent.slice(-2)).toEqual([
      {
        error: {
          message: expect.stringContaining('usage limit'),
          type: 'insufficient_quota',
          param: null,
          code: 'upstream_usage_limit',
        },
      },
      '[DONE]',
    ]);
    const encoder = new ChatStreamEncoder(context());
    encoder.event(started);
    const failed = encoder.error(new NodexError('upstream_timeout', 'stalled', { param: 'x' }));
    expect(failed).toBe(
      'data: {"error":{"message":"stalled","type":"api_error","param":"x","code":"upstream_timeout"}}\n\ndata: [DONE]\n\n',
    );
    expect(encoder.end()).toBe('');
    expect(encoder.error(new NodexError('internal_error', 'again'))).toBe('');
  });

  it('renders an error event with an unknown code as an api_error', () => {
    const encoder = new ChatStreamEncoder(context());
    const out = [
      started,
      streamEvent('usage', { usage: makeUsage({ input_tokens: 1 }) }),
      streamEvent('error', { error: 'boom', code: 'weird_code', status: 502, retryable: false }),
    ]
      .map((e) => encoder.event(e))
      .join('');
    expect(chunks(out).slice(1)).toEqual([
      { error: { message: 'boom', type: 'api_error', param: null, code: 'weird_code' } },
      '[DONE]',
    ]);
  });
});
