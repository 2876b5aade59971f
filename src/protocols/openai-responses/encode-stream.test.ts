import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { accumulate, StreamOrderError } from '../../core/accumulate.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import { makeUsage } from '../../core/usage.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { encodeResponsesBody } from './encode-response.js';
import { createResponsesStreamEncoder } from './encode-stream.js';

type Wire = Record<string, unknown> & { type: string; sequence_number: number };
type WireItem = Record<string, unknown> & { id: string; type: string };

const context: EncodeContext = {
  request: { model: 'gpt-5.5', input: [], instructions: 'Be brief.' },
  requestedModel: 'my-alias',
  requestId: 'req_7',
  extras: { store: false },
};

function encode(events: readonly StreamEvent[], finish?: (encoder: ReturnType<typeof create>) => string) {
  const encoder = create();
  let sse = '';
  for (const event of events) sse += encoder.event(event);
  sse += finish ? finish(encoder) : encoder.end();
  return sse;
}

function create() {
  return createResponsesStreamEncoder(context);
}

/** Parses the SSE and checks the framing: `event:` names the data's type, JSON on one line. */
function frames(sse: string): Wire[] {
  return parseSseText(sse).map((message) => {
    const data = JSON.parse(message.data) as Wire;
    expect(message.event).toBe(data.type);
    return data;
  });
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** The wire invariants every stream must keep (wire.md §3.2). */
function checkInvariants(wire: readonly Wire[]): void {
  expect(wire.map((event) => event.sequence_number)).toEqual(wire.map((_, index) => index));
  expect(wire.slice(0, 2).map((event) => event.type)).toEqual(['response.created', 'response.in_progress']);
  const last = wire.at(-1);
  expect(TERMINAL.has(last?.type ?? '')).toBe(true);
  expect(wire.filter((event) => TERMINAL.has(event.type))).toHaveLength(1);
  const added = new Map<number, string>();
  const done = new Map<number, string>();
  for (const event of wire) {
    const item = event.item as WireItem | undefined;
    const index = event.output_index as number | undefined;
    if (event.type === 'response.output_item.added' && item && index !== undefined) {
      expect(added.has(index)).toBe(false);
      expect(index).toBe(added.size);
      added.set(index, item.id);
    } else if (event.type === 'response.output_item.done' && item && index !== undefined) {
      expect(item.id).toBe(added.get(index));
      expect(done.has(index)).toBe(false);
      done.set(index, item.id);
    } else if (typeof event.item_id === 'string' && index !== undefined) {
      // Deltas and parts name the item they belong to, while it is open.
      expect(event.item_id).toBe(added.get(index));
      expect(done.has(index)).toBe(false);
    }
  }
  const response = last?.response as { output: WireItem[]; status: string };
  expect(response.output.map((item) => item.id)).toEqual([...added.values()]);
  if (last?.type !== 'response.failed') expect([...done.keys()].sort()).toEqual([...added.keys()].sort());
}

const FIXTURES = [
  'codex-text',
  'codex-reasoning-summary',
  'codex-tool-call',
  'codex-parallel-tool-calls',
  'codex-text-without-deltas',
  'codex-incomplete',
  'codex-failed',
  'codex-stream-error',
  'anthropic-text',
  'anthropic-thinking',
  'anthropic-tool-use',
  'anthropic-parallel-tool-use',
  'anthropic-max-tokens',
  'anthropic-stream-error',
  'gemini-openai-parallel-tool-calls',
  'chat-completions-no-finish',
];

describe('ResponsesStreamEncoder', () => {
  // Upstreams without created_at (Anthropic) get the clock's time: one frozen clock for both sides.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it.each(FIXTURES)(
    '%s: framing, sequence numbers, every added item done, ids as in the final response',
    (name) => {
      checkInvariants(frames(encode(fixtureEvents<StreamEvent>(`${name}.events.jsonl`))));
    },
  );

  it.each([
    'codex-tool-call',
    'codex-parallel-tool-calls',
    'codex-incomplete',
    'anthropic-thinking',
    'anthropic-tool-use',
    'anthropic-max-tokens',
  ])('%s: the terminal response is exactly the non-streaming body', (name) => {
    const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
    const last = frames(encode(events)).at(-1);
    expect(last?.response).toEqual(encodeResponsesBody(accumulate(events), context));
  });

  it('keeps the id it announced for reasoning named by the upstream only at its end', () => {
    const events = fixtureEvents<StreamEvent>('codex-text.events.jsonl');
    const wire = frames(encode(events));
    const added = wire.find((event) => event.type === 'response.output_item.added')?.item as WireItem;
    expect(added.id).toBe('rs_4b5a69780f1e2d3c4b5a6978_0');
    const expected = encodeResponsesBody(accumulate(events), context);
    const [reasoning, ...rest] = expected.output;
    expect(reasoning?.id).toBe('rs_0f1e2d3c4b5a69780a1b2c3d4e5f60718293a4b5c6d7e8f9');
    expect(wire.at(-1)?.response).toEqual({ ...expected, output: [{ ...reasoning, id: added.id }, ...rest] });
  });

  it('opens with the requested model, the response id and an empty output', () => {
    const wire = frames(encode(fixtureEvents<StreamEvent>('codex-text.events.jsonl')));
    expect(wire[0]?.response).toMatchObject({
      id: 'resp_0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978',
      object: 'response',
      status: 'in_progress',
      model: 'my-alias',
      output: [],
      usage: null,
      instructions: 'Be brief.',
    });
    expect(wire.at(-1)?.response).toMatchObject({ model: 'my-alias', status: 'completed' });
  });

  it('streams a message as added → content part → deltas → text done → part done → item done', () => {
    const wire = frames(encode(fixtureEvents<StreamEvent>('anthropic-text.events.jsonl')));
    const types = wire.map((event) => event.type);
    expect(types.slice(2, 5)).toEqual([
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
    ]);
    expect(types.slice(-5)).toEqual([
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(wire[2]?.item).toEqual({
      id: expect.stringMatching(/^msg_/),
      type: 'message',
      status: 'in_progress',
      role: 'assistant',
      content: [],
    });
    expect(wire[3]).toMatchObject({
      content_index: 0,
      part: { type: 'output_text', text: '', annotations: [] },
    });
    expect(wire[4]).toMatchObject({ content_index: 0, logprobs: [], output_index: 0 });
  });

  it('keeps parallel tool calls open at once: interleaved deltas are keyed by item_id', () => {
    const started = streamEvent('response_started', { response_id: 'resp_p', model: 'm', created_at: 1 });
    const events: StreamEvent[] = [
      started,
      streamEvent('tool_call_started', { call_id: 'a', name: 'f' }),
      streamEvent('tool_call_started', { call_id: 'b', name: 'g' }),
      streamEvent('tool_call_arguments_delta', { call_id: 'a', delta: '{"x"' }),
      streamEvent('tool_call_arguments_delta', { call_id: 'b', delta: '{"y"' }),
      streamEvent('tool_call_arguments_delta', { call_id: 'a', delta: ':1}' }),
      streamEvent('tool_call_arguments_delta', { call_id: 'b', delta: ':2}' }),
      toolCallDone('b', 'g', '{"y":2}'),
      toolCallDone('a', 'f', '{"x":1}'),
      streamEvent('response_completed', { finish_reason: 'tool_calls' }),
    ];
    const wire = frames(encode(events));
    checkInvariants(wire);
    const deltas = wire.filter((event) => event.type === 'response.function_call_arguments.delta');
    expect(deltas.map((event) => [event.output_index, event.item_id, event.delta])).toEqual([
      [0, 'fc_p_0', '{"x"'],
      [1, 'fc_p_1', '{"y"'],
      [0, 'fc_p_0', ':1}'],
      [1, 'fc_p_1', ':2}'],
    ]);
    const done = wire.filter((event) => event.type === 'response.function_call_arguments.done');
    expect(done.map((event) => [event.item_id, event.name, event.arguments])).toEqual([
      ['fc_p_1', 'g', '{"y":2}'],
      ['fc_p_0', 'f', '{"x":1}'],
    ]);
    expect(wire[2]?.item).toEqual({
      id: 'fc_p_0',
      type: 'function_call',
      status: 'in_progress',
      call_id: 'a',
      name: 'f',
      arguments: '',
    });
    expect(wire.at(-1)?.response).toEqual(encodeResponsesBody(accumulate(events), context));
  });

  it('streams arguments that arrive only with the done event once, as one delta', () => {
    const events: StreamEvent[] = [
      streamEvent('response_started', { response_id: 'resp_d', model: 'm', created_at: 1 }),
      toolCallDone('c', 'f', '{"k":true}'),
      streamEvent('response_completed', { finish_reason: 'tool_calls' }),
    ];
    const wire = frames(encode(events));
    checkInvariants(wire);
    expect(wire.slice(2, -1).map((event) => [event.type, event.delta ?? event.arguments ?? null])).toEqual([
      ['response.output_item.added', null],
      ['response.function_call_arguments.delta', '{"k":true}'],
      ['response.function_call_arguments.done', '{"k":true}'],
      ['response.output_item.done', null],
    ]);
  });

  it.each([
    ['codex-incomplete', 'max_output_tokens'],
    ['anthropic-max-tokens', 'max_output_tokens'],
    ['chat-completions-length', 'max_output_tokens'],
  ])('%s ends with response.incomplete (%s)', (name, reason) => {
    const last = frames(encode(fixtureEvents<StreamEvent>(`${name}.events.jsonl`))).at(-1);
    expect(last).toMatchObject({
      type: 'response.incomplete',
      response: { status: 'incomplete', incomplete_details: { reason } },
    });
  });

  it('ends a content-filtered response with response.incomplete (content_filter)', () => {
    const last = frames(
      encode([
        streamEvent('response_started', { response_id: 'resp_f', model: 'm', created_at: 1 }),
        streamEvent('text_delta', { delta: 'x' }),
        streamEvent('response_completed', { finish_reason: 'content_filter', finish_reason_raw: 'refusal' }),
      ]),
    ).at(-1);
    expect(last?.response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'content_filter' },
    });
  });

  it('reports usage with cached, cache-write and reasoning tokens on response.completed', () => {
    const last = frames(encode(fixtureEvents<StreamEvent>('anthropic-thinking.events.jsonl'))).at(-1);
    expect(last?.response).toMatchObject({
      usage: {
        input_tokens: 2142,
        input_tokens_details: { cached_tokens: 2000, cache_write_tokens: 100 },
        output_tokens: 57,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: 2199,
      },
    });
  });
});

describe('ResponsesStreamEncoder failures', () => {
  const started = streamEvent('response_started', { response_id: 'resp_e', model: 'm', created_at: 1 });

  it('a mid-stream error becomes response.failed; an open tool call gets no output_item.done', () => {
    const wire = frames(
      encode([
        started,
        streamEvent('text_delta', { delta: 'Hi' }),
        streamEvent('tool_call_started', { call_id: 'c1', name: 'shell' }),
        streamEvent('tool_call_arguments_delta', { call_id: 'c1', delta: '{"cmd":' }),
        streamEvent('usage', { usage: makeUsage({ input_tokens: 3, output_tokens: 2 }) }),
        streamEvent('error', { error: 'boom', code: 'stream_error', status: 502, retryable: false }),
      ]),
    );
    checkInvariants(wire);
    const done = wire.filter((event) => event.type === 'response.output_item.done');
    expect(done.map((event) => (event.item as WireItem).type)).toEqual(['message']);
    expect(wire.at(-1)).toMatchObject({
      type: 'response.failed',
      response: {
        status: 'failed',
        error: { code: 'stream_error', message: 'boom' },
        usage: { input_tokens: 3, output_tokens: 2 },
        output: [
          { type: 'message', status: 'completed' },
          { type: 'function_call', status: 'incomplete', arguments: '{"cmd":' },
        ],
      },
    });
  });

  it.each([
    [new NodexError('context_length_exceeded', 'too long'), 'context_length_exceeded', 'too long'],
    [new NodexError('upstream_usage_limit', 'limit'), 'insufficient_quota', 'limit'],
    [
      new NodexError('upstream_usage_limit', 'not in plan', { providerCode: 'usage_not_included' }),
      'usage_not_included',
      'not in plan',
    ],
    [new NodexError('quota_exceeded', 'budget'), 'insufficient_quota', 'budget'],
    [
      new NodexError('upstream_rate_limited', 'slow down', { retryAfterMs: 11054 }),
      'rate_limit_exceeded',
      'slow down Please try again in 11.054s.',
    ],
    [
      new NodexError('rate_limited', 'Please try again in 2s.'),
      'rate_limit_exceeded',
      'Please try again in 2s.',
    ],
    [new NodexError('upstream_overloaded', 'busy'), 'server_is_overloaded', 'busy'],
    [new NodexError('upstream_timeout', 'stalled'), 'upstream_timeout', 'stalled'],
  ])('error(%s) → response.failed code %s', (error, code, message) => {
    const encoder = create();
    encoder.event(started);
    const wire = frames(encoder.error(error));
    expect(wire).toHaveLength(1);
    expect(wire[0]).toMatchObject({
      type: 'response.failed',
      sequence_number: 2,
      response: { error: { code, message } },
    });
  });

  it('an error before any event still opens the stream, so clients see a response first', () => {
    const wire = frames(create().error(new NodexError('upstream_connection', 'refused')));
    expect(wire.map((event) => event.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.failed',
    ]);
    expect(wire[2]?.response).toMatchObject({ id: 'resp_req7', status: 'failed', output: [] });
  });

  it('a stream that ends without a terminal event fails with stream_error', () => {
    const wire = frames(encode([started, streamEvent('text_delta', { delta: 'cut' })]));
    checkInvariants(wire);
    expect(wire.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { error: { code: 'stream_error' } },
    });
  });

  it('sends nothing after the terminal event', () => {
    const encoder = create();
    for (const event of fixtureEvents<StreamEvent>('codex-incomplete.events.jsonl')) encoder.event(event);
    expect(encoder.end()).toBe('');
    expect(encoder.error(new NodexError('internal_error', 'late'))).toBe('');
    expect(encoder.event(streamEvent('text_delta', { delta: 'late' }))).toBe('');
  });

  it('rejects events out of order (a provider bug) without sending anything', () => {
    const encoder = create();
    expect(() => encoder.event(streamEvent('text_delta', { delta: 'x' }))).toThrow(StreamOrderError);
    encoder.event(started);
    expect(() =>
      encoder.event(streamEvent('tool_call_arguments_delta', { call_id: 'nope', delta: '{}' })),
    ).toThrow(StreamOrderError);
  });
});
