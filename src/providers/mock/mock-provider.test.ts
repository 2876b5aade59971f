import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { accumulate } from '../../core/accumulate.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { CanonicalRequest, FunctionTool } from '../../core/request.js';
import { userText } from '../../core/request.js';
import { makeUsage } from '../../core/usage.js';
import { MockProvider } from './mock-provider.js';
import { MOCK_TEXT, mockTokens } from './mock-script.js';

async function run(
  provider: MockProvider,
  request: CanonicalRequest,
  signal?: AbortSignal,
): Promise<StreamEvent[]> {
  const out: StreamEvent[] = [];
  for await (const event of provider.stream(request, signal ? { signal } : {})) out.push(event);
  return out;
}

const v1 = 'v1' as const;
const RESP = expect.stringMatching(/^resp_mock_[0-9a-f]{24}$/);

describe('MockProvider modes: exact event sequences', () => {
  it('echo repeats the last user text, word by word', async () => {
    const request: CanonicalRequest = {
      model: 'mock-echo',
      input: [userText('first'), userText('hello mock world')],
    };
    const events = await run(new MockProvider(), request);
    expect(events).toEqual([
      { schema_version: v1, type: 'response_started', response_id: RESP, model: 'mock-echo' },
      { schema_version: v1, type: 'text_delta', delta: 'hello ' },
      { schema_version: v1, type: 'text_delta', delta: 'mock ' },
      { schema_version: v1, type: 'text_delta', delta: 'world' },
      {
        schema_version: v1,
        type: 'usage',
        usage: makeUsage({ input_tokens: mockTokens('firsthello mock world'), output_tokens: 4 }),
      },
      { schema_version: v1, type: 'response_completed', finish_reason: 'stop', finish_reason_raw: 'stop' },
    ]);
  });

  it('text streams the fixed answer in several deltas', async () => {
    const events = await run(new MockProvider({ mode: 'text' }), { model: 'mock', input: [userText('hi')] });
    const deltas = events
      .filter((e) => e.type === 'text_delta')
      .map((e) => (e.type === 'text_delta' ? e.delta : ''));
    expect(deltas.length).toBeGreaterThan(5);
    expect(deltas.join('')).toBe(MOCK_TEXT);
    expect(events.map((e) => e.type)).toEqual([
      'response_started',
      ...deltas.map(() => 'text_delta'),
      'usage',
      'response_completed',
    ]);
  });

  it('tool-call with no tools offered calls the default mock_tool', async () => {
    const events = await run(new MockProvider({ mode: 'tool-call' }), {
      model: 'mock',
      input: [userText('hi')],
    });
    const callId = (events[1] as { call_id: string }).call_id;
    expect(callId).toMatch(/^call_[0-9a-f]{16}$/);
    expect(events).toEqual([
      { schema_version: v1, type: 'response_started', response_id: RESP, model: 'mock' },
      { schema_version: v1, type: 'tool_call_started', call_id: callId, name: 'mock_tool' },
      { schema_version: v1, type: 'tool_call_arguments_delta', call_id: callId, delta: '{"value"' },
      { schema_version: v1, type: 'tool_call_arguments_delta', call_id: callId, delta: ':42}' },
      {
        schema_version: v1,
        type: 'tool_call_done',
        call_id: callId,
        tool_call: {
          id: callId,
          name: 'mock_tool',
          arguments_json: '{"value":42}',
          arguments: { value: 42 },
        },
      },
      {
        schema_version: v1,
        type: 'usage',
        usage: makeUsage({ input_tokens: 1, output_tokens: mockTokens('mock_tool{"value":42}') }),
      },
      {
        schema_version: v1,
        type: 'response_completed',
        finish_reason: 'tool_calls',
        finish_reason_raw: 'tool_calls',
      },
    ]);
  });

  it('tool-call calls the first offered tool with arguments valid against its schema', async () => {
    const parameters: Record<string, unknown> = {
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2 },
        days: { type: 'integer', minimum: 1, maximum: 7 },
        units: { enum: ['celsius', 'fahrenheit'] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
        when: { $ref: '#/$defs/when' },
        note: { type: ['string', 'null'] },
      },
      required: ['city', 'days', 'units', 'tags', 'when'],
      additionalProperties: false,
      $defs: {
        when: {
          type: 'object',
          properties: { at: { type: 'string', format: 'date-time' } },
          required: ['at'],
        },
      },
    };
    const tools: FunctionTool[] = [
      { type: 'function', name: 'get_weather', parameters },
      { type: 'function', name: 'other', parameters: { type: 'object' } },
    ];
    const events = await run(new MockProvider({ mode: 'tool-call' }), {
      model: 'mock',
      input: [userText('weather?')],
      tools,
    });
    const done = events.find((e) => e.type === 'tool_call_done');
    expect(done?.type === 'tool_call_done' && done.tool_call.name).toBe('get_weather');
    const args = done?.type === 'tool_call_done' ? done.tool_call.arguments : null;
    expect(z.fromJSONSchema(parameters).safeParse(args).success).toBe(true);
    expect(args).toMatchObject({ days: 7, units: 'celsius', when: { at: '2026-01-01T00:00:00Z' } });
  });

  it('tool-loop: a tool call first, then a final text quoting the tool output', async () => {
    const provider = new MockProvider({ mode: 'tool-loop' });
    const first = accumulate(await run(provider, { model: 'mock', input: [userText('use the tool')] }));
    expect(first.finish_reason).toBe('tool_calls');
    const call = first.output[0];
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    const second = await run(provider, {
      model: 'mock',
      input: [
        userText('use the tool'),
        call,
        { type: 'function_call_output', call_id: call.call_id, output: 'sunny, 21C' },
      ],
    });
    expect(second.map((e) => e.type)).toEqual([
      'response_started',
      ...Array(5).fill('text_delta'),
      'usage',
      'response_completed',
    ]);
    expect(accumulate(second).output_text).toBe('The tool returned: sunny, 21C');
    expect(second.at(-1)).toMatchObject({ finish_reason: 'stop' });
  });

  it('tool-loop calls again when a new user message follows the old tool output', async () => {
    const events = await run(new MockProvider({ mode: 'tool-loop' }), {
      model: 'mock',
      input: [
        userText('a'),
        { type: 'function_call', call_id: 'c1', name: 'mock_tool', arguments: '{}' },
        { type: 'function_call_output', call_id: 'c1', output: 'x' },
        userText('again'),
      ],
    });
    expect(events.some((e) => e.type === 'tool_call_done')).toBe(true);
  });

  it('model names pick the mode; unknown mock-* names are model_not_found', async () => {
    const events = await run(new MockProvider({ mode: 'echo' }), {
      model: 'mock-text',
      input: [userText('hi')],
    });
    expect(accumulate(events).output_text).toBe(MOCK_TEXT);
    await expect(run(new MockProvider(), { model: 'mock-nope', input: [] })).rejects.toSatisfy(
      (e) => NodexError.isInstance(e) && e.code === 'model_not_found' && /tool-loop/.test(e.message),
    );
  });

  it('is deterministic: the same request gives the same events; another request another id', async () => {
    const provider = new MockProvider({ mode: 'tool-call' });
    const request: CanonicalRequest = { model: 'mock', input: [userText('same')] };
    expect(await run(provider, request)).toEqual(await run(provider, request));
    const other = await run(provider, { model: 'mock', input: [userText('different')] });
    expect((other[0] as { response_id: string }).response_id).not.toBe(
      ((await run(provider, request))[0] as { response_id: string }).response_id,
    );
  });

  it('reports the request it "sends" once, before the first event', async () => {
    const seen: unknown[] = [];
    const provider = new MockProvider();
    const request: CanonicalRequest = { model: 'mock', input: [userText('hi')] };
    for await (const _ of provider.stream(request, { onUpstreamRequest: (r) => seen.push(r.body) })) break;
    expect(seen).toEqual([request]);
  });
});

describe('MockProvider pacing', () => {
  it('produces the configured number and size of text deltas', async () => {
    const events = await run(new MockProvider({ mode: 'text', pacing: { deltas: 12, deltaSize: 5 } }), {
      model: 'mock',
      input: [userText('x')],
    });
    const deltas = events.flatMap((e) => (e.type === 'text_delta' ? [e.delta] : []));
    expect(deltas).toHaveLength(12);
    expect(deltas.every((d) => d.length === 5)).toBe(true);
  });

  it('holds the first event back by first_event_delay; an abort during the wait ends the stream with no events', async () => {
    const provider = new MockProvider({ mode: 'text', pacing: { firstEventDelayMs: 60_000 } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    expect(await run(provider, { model: 'mock', input: [userText('x')] }, controller.signal)).toEqual([]);
  });

  it('holds each next delta back by delta_interval; an abort between deltas ends the stream quietly', async () => {
    const provider = new MockProvider({ mode: 'text', pacing: { deltaIntervalMs: 60_000 } });
    const controller = new AbortController();
    const events: StreamEvent[] = [];
    for await (const event of provider.stream(
      { model: 'mock', input: [userText('x')] },
      { signal: controller.signal },
    )) {
      events.push(event);
      if (event.type === 'text_delta') setTimeout(() => controller.abort(), 20);
    }
    expect(events.map((e) => e.type)).toEqual(['response_started', 'text_delta']);
  });
});
