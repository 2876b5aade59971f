import { describe, expect, it } from 'vitest';
import { fixtureEvents } from '../testing/fixtures.js';
import { accumulate, accumulateStream, ResponseAccumulator, StreamOrderError } from './accumulate.js';
import type { StreamEvent } from './events.js';
import { streamEvent, toolCallDone } from './events.js';
import { makeUsage } from './usage.js';

const events = (name: string) => fixtureEvents<StreamEvent>(`${name}.events.jsonl`);

describe('accumulate() on the fixtures’ event sequences', () => {
  it('codex text turn: reasoning item with encrypted content, then one message, usage with cache and reasoning', () => {
    const response = accumulate(events('codex-text'));
    expect(response.id).toBe('resp_0f1e2d3c4b5a69780f1e2d3c4b5a69780f1e2d3c4b5a6978');
    expect(response.model).toBe('gpt-5.5');
    expect(response.created_at).toBe(1767225600);
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Hello! How can I help you today?');
    expect(response.output).toHaveLength(2);
    expect(response.output[0]).toMatchObject({
      type: 'reasoning',
      id: 'rs_0f1e2d3c4b5a69780a1b2c3d4e5f60718293a4b5c6d7e8f9',
      summary: ['**Greeting** the user\n\nThe user said hello; reply briefly.'],
    });
    expect((response.output[0] as { encrypted_content?: string }).encrypted_content).toMatch(/^gAAAA/);
    expect(response.output[1]).toEqual({
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'Hello! How can I help you today?' }],
    });
    expect(response.usage).toEqual(
      makeUsage({ input_tokens: 2317, output_tokens: 58, cached_tokens: 1920, reasoning_tokens: 42 }),
    );
    expect(response.finish_reason).toBe('stop');
    expect(response.finish_reason_raw).toBe('completed');
    expect(response.error).toBeNull();
  });

  it('codex tool call: one function_call with the full argument text after a summary-less reasoning item', () => {
    const response = accumulate(events('codex-tool-call'));
    expect(response.output.map((item) => item.type)).toEqual(['reasoning', 'function_call']);
    expect(response.output[1]).toEqual({
      type: 'function_call',
      call_id: 'call_Xk3b9QmT2vL8pR4sN6wY1zA0',
      name: 'shell',
      arguments: '{"command":["bash","-lc","ls -la"],"workdir":"/tmp"}',
    });
    expect(response.output_text).toBe('');
    expect(response.finish_reason).toBe('tool_calls');
    expect(response.usage?.total_tokens).toBe(3146);
  });

  it('anthropic text: deltas joined, created_at filled in, raw stop reason kept', () => {
    const before = Math.floor(Date.now() / 1000);
    const response = accumulate(events('anthropic-text'));
    expect(response.output_text).toBe('Hello there!');
    expect(response.created_at).toBeGreaterThanOrEqual(before);
    expect(response.finish_reason).toBe('stop');
    expect(response.finish_reason_raw).toBe('end_turn');
    expect(response.usage).toMatchObject({ input_tokens: 11, output_tokens: 6, total_tokens: 17 });
  });

  it('anthropic tool use: text, then a call; text and call are separate output items in order', () => {
    const response = accumulate(events('anthropic-tool-use'));
    expect(response.output).toEqual([
      {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: "I'll check the current weather in Paris for you." }],
      },
      {
        type: 'function_call',
        call_id: 'toolu_01NRLabsLyVHZPKxbKvkfSMn',
        name: 'get_weather',
        arguments: '{"location": "Paris"}',
      },
    ]);
    expect(response.finish_reason).toBe('tool_calls');
  });

  it('chat completions text and tool call', () => {
    const text = accumulate(events('chat-completions-text'));
    expect(text.status).toBe('completed');
    expect(text.output).toHaveLength(1);
    expect(text.output_text.length).toBeGreaterThan(20);
    const tool = accumulate(events('chat-completions-tool-call'));
    expect(tool.output).toEqual([
      {
        type: 'function_call',
        call_id: 'call_4XzlGBLtUe9dy3GVNV4jhq7h',
        name: 'get_weather',
        arguments: '{"city":"New York City"}',
      },
    ]);
    expect(tool.usage).toMatchObject({ input_tokens: 44, output_tokens: 16, total_tokens: 60 });
  });

  it('gemini text', async () => {
    async function* stream() {
      yield* events('gemini-openai-text');
    }
    const response = await accumulateStream(stream());
    expect(response.output_text).toBe('Hello! How can I help you today?');
    expect(response.model).toBe('gemini-3-flash-preview');
  });
});

describe('ResponseAccumulator order and failure handling', () => {
  const started = streamEvent('response_started', { response_id: 'resp_1', model: 'm', created_at: 1 });

  it('rejects events before response_started and after response_completed', () => {
    const acc = new ResponseAccumulator();
    expect(() => acc.push(streamEvent('text_delta', { delta: 'x' }))).toThrow(StreamOrderError);
    acc.push(started);
    expect(() => acc.push(started)).toThrow(/second response_started/);
    acc.push(streamEvent('response_completed', { finish_reason: 'stop' }));
    expect(() => acc.push(streamEvent('text_delta', { delta: 'x' }))).toThrow(/after response_completed/);
  });

  it('rejects argument deltas for a call that never started', () => {
    const acc = new ResponseAccumulator();
    acc.push(started);
    expect(() => acc.push(streamEvent('tool_call_arguments_delta', { call_id: 'c', delta: '{' }))).toThrow(
      /before tool_call_started/,
    );
  });

  it('an error event makes a failed response that keeps the partial output and usage', () => {
    const response = accumulate([
      started,
      streamEvent('text_delta', { delta: 'partial' }),
      streamEvent('usage', { usage: makeUsage({ input_tokens: 3, output_tokens: 1 }) }),
      streamEvent('error', {
        error: 'Overloaded',
        code: 'upstream_overloaded',
        status: 529,
        retryable: true,
      }),
    ]);
    expect(response.status).toBe('failed');
    expect(response.finish_reason).toBe('error');
    expect(response.output_text).toBe('partial');
    expect(response.usage?.total_tokens).toBe(4);
    expect(response.error).toEqual({
      code: 'upstream_overloaded',
      message: 'Overloaded',
      status: 529,
      retryable: true,
    });
  });

  it('a stream that ends without response_completed is a failed response', () => {
    const response = accumulate([started, streamEvent('text_delta', { delta: 'cut' })]);
    expect(response.status).toBe('failed');
    expect(response.error?.code).toBe('stream_error');
  });

  it('stop with tool calls becomes tool_calls; length makes the response incomplete', () => {
    const withCall = accumulate([
      started,
      toolCallDone('c1', 'f', '{}'),
      streamEvent('response_completed', { finish_reason: 'stop' }),
    ]);
    expect(withCall.finish_reason).toBe('tool_calls');
    const cut = accumulate([
      started,
      streamEvent('text_delta', { delta: 'a' }),
      streamEvent('response_completed', { finish_reason: 'length', finish_reason_raw: 'max_output_tokens' }),
    ]);
    expect(cut.status).toBe('incomplete');
    expect(cut.finish_reason).toBe('length');
  });

  it('reasoning deltas without a done event become a reasoning item; summary parts split by index', () => {
    const response = accumulate([
      started,
      streamEvent('reasoning_delta', { delta: 'a', kind: 'summary', summary_index: 0 }),
      streamEvent('reasoning_delta', { delta: 'b', kind: 'summary', summary_index: 1 }),
      streamEvent('reasoning_delta', { delta: 'think', kind: 'text' }),
      streamEvent('text_delta', { delta: 'answer' }),
      streamEvent('response_completed', { finish_reason: 'stop' }),
    ]);
    expect(response.output[0]).toEqual({ type: 'reasoning', summary: ['a', 'b'], text: 'think' });
    expect(response.output[1]).toMatchObject({ type: 'message' });
  });

  it('keeps provider data on calls and on the response', () => {
    const response = accumulate([
      started,
      toolCallDone('c1', 'f', '{"a":1}', { provider_data: { gemini: { thought_signature: 'sig' } } }),
      streamEvent('response_completed', { finish_reason: 'tool_calls', provider_data: { codex: { x: 1 } } }),
    ]);
    expect(response.output[0]).toMatchObject({ provider_data: { gemini: { thought_signature: 'sig' } } });
    expect(response.provider_data).toEqual({ codex: { x: 1 } });
  });

  it('text after a tool call starts a new message item', () => {
    const response = accumulate([
      started,
      streamEvent('text_delta', { delta: 'one' }),
      toolCallDone('c1', 'f', '{}'),
      streamEvent('text_delta', { delta: 'two' }),
      streamEvent('response_completed', { finish_reason: 'tool_calls' }),
    ]);
    expect(response.output.map((item) => item.type)).toEqual(['message', 'function_call', 'message']);
    expect(response.output_text).toBe('onetwo');
  });
});
