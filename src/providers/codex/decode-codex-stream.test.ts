import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { collectWarnings } from '../../core/warnings.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents, fixtureText } from '../../testing/fixtures.js';
import { CodexNames } from './codex-names.js';
import { CodexStreamDecoder } from './decode-codex-stream.js';

function payloads(fixture: string): unknown[] {
  return parseSseText(fixtureText(fixture)).map((message) => JSON.parse(message.data) as unknown);
}

function decode(data: readonly unknown[], decoder = new CodexStreamDecoder()): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const payload of data) out.push(...decoder.push(payload));
  out.push(...decoder.end());
  return out;
}

const v1 = 'v1' as const;
const started = { schema_version: v1, type: 'response_started', response_id: 'resp_1', model: 'gpt-5.5' };
const created = { type: 'response.created', response: { id: 'resp_1', model: 'gpt-5.5' } };
const completed = (output: unknown[] = []) => ({
  type: 'response.completed',
  response: { id: 'resp_1', output, usage: null },
});

describe('CodexStreamDecoder: fixtures decode to exactly their .events.jsonl', () => {
  it.each([
    'codex-text',
    'codex-tool-call',
    'codex-parallel-tool-calls',
    'codex-reasoning-summary',
    'codex-text-without-deltas',
    'codex-incomplete',
    'codex-failed',
    'codex-stream-error',
    'codex-stream-error-flat',
  ])('%s', (name) => {
    const { warnings, sink } = collectWarnings();
    const events = decode(payloads(`${name}.sse`), new CodexStreamDecoder({ onWarning: sink }));
    expect(events).toEqual(fixtureEvents(`${name}.events.jsonl`));
    expect(warnings).toEqual([]);
    // The one reducer accepts the sequence (no StreamOrderError).
    expect(() => accumulate(events)).not.toThrow();
  });

  it('rebuilds the tool call although completed.output is [] (and never doubles the arguments)', () => {
    const response = accumulate(decode(payloads('codex-tool-call.sse')));
    expect(response.output).toEqual([
      expect.objectContaining({ type: 'reasoning' }),
      {
        type: 'function_call',
        call_id: 'call_Xk3b9QmT2vL8pR4sN6wY1zA0',
        name: 'shell',
        arguments: '{"command":["bash","-lc","ls -la"],"workdir":"/tmp"}',
      },
    ]);
    expect(response.finish_reason).toBe('tool_calls');
  });
});

describe('CodexStreamDecoder: quirks', () => {
  it('streams arguments sent only on .done once, then ends the call once', () => {
    const events = decode([
      created,
      {
        type: 'response.output_item.added',
        output_index: 0,
        item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '' },
      },
      { type: 'response.function_call_arguments.done', item_id: 'fc_1', arguments: '{"a":1}' },
      {
        type: 'response.output_item.done',
        output_index: 0,
        item: { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '{"a":1}' },
      },
      completed(),
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'response_started',
      'tool_call_started',
      'tool_call_arguments_delta',
      'tool_call_done',
      'response_completed',
    ]);
    expect(events[2]).toEqual({
      schema_version: v1,
      type: 'tool_call_arguments_delta',
      call_id: 'call_1',
      delta: '{"a":1}',
    });
  });

  it('maps shortened names and call ids back to the originals', () => {
    const names = new CodexNames();
    const longName = `tool_${'n'.repeat(70)}`;
    const longCall = `call_${'c'.repeat(70)}`;
    const item = {
      id: 'fc_1',
      type: 'function_call',
      call_id: names.shorten(longCall),
      name: names.shorten(longName),
    };
    const events = decode(
      [
        created,
        { type: 'response.output_item.added', output_index: 0, item: { ...item, arguments: '' } },
        { type: 'response.function_call_arguments.delta', item_id: 'fc_1', delta: '{}' },
        { type: 'response.output_item.done', output_index: 0, item: { ...item, arguments: '{}' } },
        completed(),
      ],
      new CodexStreamDecoder({ names }),
    );
    expect(events.slice(1, 4)).toEqual([
      { schema_version: v1, type: 'tool_call_started', call_id: longCall, name: longName },
      { schema_version: v1, type: 'tool_call_arguments_delta', call_id: longCall, delta: '{}' },
      expect.objectContaining({
        type: 'tool_call_done',
        call_id: longCall,
        tool_call: expect.objectContaining({ name: longName }),
      }),
    ]);
  });

  it('passes a custom_tool_call on as a tool call whose arguments are the freeform input, with a warning', () => {
    const { warnings, sink } = collectWarnings();
    const item = { id: 'ctc_1', type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch' };
    const events = decode(
      [
        created,
        { type: 'response.output_item.added', output_index: 0, item: { ...item, input: '' } },
        { type: 'response.custom_tool_call_input.delta', item_id: 'ctc_1', delta: '*** Begin Patch' },
        { type: 'response.custom_tool_call_input.done', item_id: 'ctc_1', input: '*** Begin Patch' },
        { type: 'response.output_item.done', output_index: 0, item: { ...item, input: '*** Begin Patch' } },
        completed(),
      ],
      new CodexStreamDecoder({ onWarning: sink }),
    );
    expect(events[3]).toEqual({
      schema_version: v1,
      type: 'tool_call_done',
      call_id: 'call_p',
      tool_call: { id: 'call_p', name: 'apply_patch', arguments_json: '*** Begin Patch', arguments: null },
      provider_data: { codex: { item_type: 'custom_tool_call' } },
    });
    expect(events.at(-1)).toMatchObject({ finish_reason: 'tool_calls' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.details).toContain('custom_tool_call');
  });

  it('skips unknown event types with one warning per type, and the stream goes on', () => {
    const { warnings, sink } = collectWarnings();
    const events = decode(
      [
        created,
        { type: 'response.shiny_new_thing', x: 1 },
        { type: 'response.output_text.delta', item_id: 'm', delta: 'hi' },
        { type: 'response.shiny_new_thing', x: 2 },
        completed(),
      ],
      new CodexStreamDecoder({ onWarning: sink }),
    );
    expect(events).toEqual([
      started,
      { schema_version: v1, type: 'text_delta', delta: 'hi' },
      {
        schema_version: v1,
        type: 'response_completed',
        finish_reason: 'stop',
        finish_reason_raw: 'completed',
      },
    ]);
    expect(warnings).toEqual([
      { feature: 'upstream.event', details: 'codex: skipped unknown event type "response.shiny_new_thing"' },
    ]);
  });

  it('a stream that ends without a terminal event ends with stream_error', () => {
    const decoder = new CodexStreamDecoder();
    const events = decode(
      [created, { type: 'response.output_text.delta', item_id: 'm', delta: 'par' }],
      decoder,
    );
    expect(events.at(-1)).toEqual({
      schema_version: v1,
      type: 'error',
      error: 'codex: stream closed before response.completed',
      code: 'stream_error',
      status: 502,
      retryable: false,
    });
    expect(decoder.failure?.code).toBe('stream_error');
  });

  it('incomplete with content_filter finishes content_filter; events after a terminal are ignored', () => {
    const decoder = new CodexStreamDecoder();
    const events = decode(
      [
        created,
        {
          type: 'response.incomplete',
          response: { id: 'resp_1', incomplete_details: { reason: 'content_filter' } },
        },
        { type: 'response.output_text.delta', item_id: 'm', delta: 'late' },
      ],
      decoder,
    );
    expect(events).toEqual([
      started,
      {
        schema_version: v1,
        type: 'response_completed',
        finish_reason: 'content_filter',
        finish_reason_raw: 'content_filter',
      },
    ]);
  });

  it('maps response.failed codes: context_length_exceeded, insufficient_quota, rate_limit_exceeded', () => {
    const failed = (code: string, message: string) => {
      const decoder = new CodexStreamDecoder();
      decode(
        [created, { type: 'response.failed', response: { id: 'resp_1', error: { code, message } } }],
        decoder,
      );
      return decoder.failure;
    };
    expect(failed('context_length_exceeded', 'Your input exceeds the context window')).toMatchObject({
      code: 'context_length_exceeded',
      retryable: false,
    });
    expect(failed('insufficient_quota', 'You exceeded your quota')).toMatchObject({
      code: 'upstream_usage_limit',
      providerCode: 'insufficient_quota',
    });
    expect(failed('rate_limit_exceeded', 'Please try again in 250ms.')).toMatchObject({
      code: 'upstream_rate_limited',
      retryable: true,
      retryAfterMs: 250,
    });
  });

  it('raw reasoning text: reasoning_text.delta → kind text; the done item carries it as text', () => {
    const item = {
      id: 'rs_9',
      type: 'reasoning',
      summary: [],
      content: [{ type: 'reasoning_text', text: 'step one' }],
      encrypted_content: null,
    };
    const events = decode([
      created,
      { type: 'response.reasoning_text.delta', item_id: 'rs_9', content_index: 0, delta: 'step one' },
      { type: 'response.output_item.done', output_index: 0, item },
      completed(),
    ]);
    expect(events.slice(1, 3)).toEqual([
      { schema_version: v1, type: 'reasoning_delta', delta: 'step one', kind: 'text' },
      {
        schema_version: v1,
        type: 'reasoning_done',
        item: { type: 'reasoning', id: 'rs_9', summary: [], text: 'step one' },
      },
    ]);
  });

  it('attaches the quota snapshot to response_started', () => {
    const quota = { provider: 'codex', primary: { used_percent: 12 } };
    const [first] = decode([created], new CodexStreamDecoder({ quota }));
    expect(first).toEqual({ ...started, quota });
  });
});
