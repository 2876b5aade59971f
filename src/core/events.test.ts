import { describe, expect, it } from 'vitest';
import { parseToolArguments, STREAM_EVENT_TYPES, streamEvent, toolCallDone } from './events.js';
import { addUsage, makeUsage } from './usage.js';

describe('stream events v1', () => {
  it('every constructed event carries schema_version v1', () => {
    expect(streamEvent('text_delta', { delta: 'x' })).toEqual({
      schema_version: 'v1',
      type: 'text_delta',
      delta: 'x',
    });
    expect(STREAM_EVENT_TYPES).toHaveLength(10);
  });

  it('parses tool arguments: objects, empty text, and broken JSON', () => {
    expect(parseToolArguments('{"a":1}')).toEqual({ a: 1 });
    expect(parseToolArguments('  ')).toEqual({});
    expect(parseToolArguments('{"a":')).toBeNull();
    expect(parseToolArguments('[1]')).toBeNull();
    expect(toolCallDone('c', 'f', '{"a":1}').tool_call).toEqual({
      id: 'c',
      name: 'f',
      arguments_json: '{"a":1}',
      arguments: { a: 1 },
    });
  });
});

describe('usage', () => {
  it('fills totals and the v1 aliases, and sums', () => {
    const a = makeUsage({ input_tokens: 10, output_tokens: 5, cached_tokens: 4, reasoning_tokens: 2 });
    expect(a).toMatchObject({ total_tokens: 15, cached_input_tokens: 4, reasoning_output_tokens: 2 });
    expect(addUsage(a, a)).toMatchObject({
      input_tokens: 20,
      output_tokens: 10,
      total_tokens: 30,
      cached_tokens: 8,
    });
    expect(makeUsage({ input_tokens: -3, output_tokens: Number.NaN }).total_tokens).toBe(0);
  });
});
