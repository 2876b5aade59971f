import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { collectWarnings } from '../../core/warnings.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { anthropicFrames as f } from '../../testing/fake-anthropic.js';
import { fixtureEvents, fixtureText } from '../../testing/fixtures.js';
import { AnthropicToolIds, AnthropicToolNames } from './anthropic-tool-ids.js';
import { AnthropicStreamDecoder, anthropicFinishReason } from './decode-anthropic-stream.js';

function payloads(fixture: string): unknown[] {
  return parseSseText(fixtureText(fixture)).map((message) => JSON.parse(message.data) as unknown);
}

function decode(data: readonly unknown[], decoder = new AnthropicStreamDecoder()): StreamEvent[] {
  const out: StreamEvent[] = [];
  for (const payload of data) out.push(...decoder.push(payload));
  out.push(...decoder.end());
  return out;
}

describe('AnthropicStreamDecoder: fixtures decode to exactly their .events.jsonl', () => {
  it.each([
    ['anthropic-text', 0],
    ['anthropic-tool-use', 0],
    ['anthropic-thinking', 0],
    ['anthropic-parallel-tool-use', 0],
    ['anthropic-stream-error', 0],
    // The cut-off tool call is reported (its arguments may be incomplete).
    ['anthropic-max-tokens', 1],
  ])('%s', (name, warningCount) => {
    const { warnings, sink } = collectWarnings();
    const events = decode(payloads(`${name}.sse`), new AnthropicStreamDecoder({ onWarning: sink }));
    expect(events).toEqual(fixtureEvents(`${name}.events.jsonl`));
    expect(warnings).toHaveLength(warningCount);
    expect(() => accumulate(events)).not.toThrow();
  });

  it('thinking: the accumulated reasoning item carries the text and signature to replay', () => {
    const output = accumulate(decode(payloads('anthropic-thinking.sse'))).output;
    expect(output.slice(0, 2)).toEqual([
      {
        type: 'reasoning',
        summary: [],
        text: 'The user wants a greeting. Keep it short.',
        provider_data: { anthropic: { signature: 'EqQBCgIYAhIMFAKEsignatureFIXTURE0001==' } },
      },
      {
        type: 'reasoning',
        summary: [],
        provider_data: { anthropic: { redacted_data: 'EmwKAhgBEgyFAKEredactedDATA0001' } },
      },
    ]);
  });

  it('a max_tokens cut keeps the partial tool call and ends with finish length', () => {
    const response = accumulate(decode(payloads('anthropic-max-tokens.sse')));
    expect(response).toMatchObject({
      status: 'incomplete',
      finish_reason: 'length',
      finish_reason_raw: 'max_tokens',
    });
    expect(response.output.at(-1)).toMatchObject({
      type: 'function_call',
      arguments: '{"filename": "taxes.txt", "lines": ["# TAX',
    });
  });
});

describe('AnthropicStreamDecoder: edge cases', () => {
  const start = f.start({ id: 'msg_1', model: 'claude-sonnet-4-5' });

  it('maps every stop reason, keeping the raw word', () => {
    expect(
      [
        'end_turn',
        'stop_sequence',
        'max_tokens',
        'model_context_window_exceeded',
        'tool_use',
        'refusal',
        'pause_turn',
      ].map(anthropicFinishReason),
    ).toEqual(['stop', 'stop', 'length', 'length', 'tool_calls', 'content_filter', 'stop']);
    const events = decode([start, ...f.text(0, ['x']), ...f.end('pause_turn', 2)]);
    expect(events.at(-1)).toMatchObject({ finish_reason: 'stop', finish_reason_raw: 'pause_turn' });
  });

  it('restores the caller’s call ids and strips a tool-name prefix', () => {
    const ids = new AnthropicToolIds();
    const upstream = ids.toUpstream('call.1/a');
    const names = new AnthropicToolNames('mcp_');
    const events = decode(
      [start, ...f.toolUse(0, upstream, 'mcp_get_weather', { city: 'Paris' }), ...f.end('tool_use', 3)],
      new AnthropicStreamDecoder({ ids, names }),
    );
    expect(events.find((e) => e.type === 'tool_call_done')).toMatchObject({
      call_id: 'call.1/a',
      tool_call: { id: 'call.1/a', name: 'get_weather', arguments: { city: 'Paris' } },
    });
  });

  it('a tool_use with its input on the start block and no deltas keeps that input', () => {
    const block = {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'tool_use', id: 't1', name: 'n', input: { a: 1 } },
    };
    const events = decode([start, block, { type: 'content_block_stop', index: 0 }, ...f.end('tool_use', 3)]);
    expect(events.find((e) => e.type === 'tool_call_done')).toMatchObject({
      tool_call: { arguments_json: '{"a":1}' },
    });
  });

  it('an in-stream rate_limit_error becomes upstream_rate_limited; an unknown event is skipped with one warning', () => {
    const { warnings, sink } = collectWarnings();
    const events = decode(
      [
        start,
        { type: 'future_event' },
        { type: 'future_event' },
        ...f.text(0, ['a']).slice(0, 2),
        f.error('rate_limit_error', 'slow down'),
      ],
      new AnthropicStreamDecoder({ onWarning: sink }),
    );
    expect(events.at(-1)).toMatchObject({
      type: 'error',
      code: 'upstream_rate_limited',
      retryable: true,
      status: 429,
    });
    expect(warnings).toEqual([
      { feature: 'upstream.event', details: 'anthropic: skipped unknown event type "future_event"' },
    ]);
  });

  it('a stream that ends before message_delta is a stream_error; one that ends after it completes', () => {
    const cut = decode([start, ...f.text(0, ['a']).slice(0, 2)]);
    expect(cut.at(-1)).toMatchObject({ type: 'error', code: 'stream_error' });
    const noStop = decode([start, ...f.text(0, ['a']), ...f.end('end_turn', 2).slice(0, 1)]);
    expect(noStop.at(-1)).toMatchObject({ type: 'response_completed', finish_reason: 'stop' });
  });

  it('server tool blocks and citations are skipped with a warning, text around them kept', () => {
    const { warnings, sink } = collectWarnings();
    const events = decode(
      [
        start,
        {
          type: 'content_block_start',
          index: 0,
          content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} },
        },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{}' } },
        { type: 'content_block_stop', index: 0 },
        ...f.text(1, ['done']),
        ...f.end('end_turn', 2),
      ],
      new AnthropicStreamDecoder({ onWarning: sink }),
    );
    expect(events.filter((e) => e.type === 'text_delta')).toHaveLength(1);
    expect(events.some((e) => e.type === 'tool_call_started')).toBe(false);
    expect(warnings.map((w) => w.details)).toEqual(['anthropic: skipped a "server_tool_use" content block']);
  });
});
