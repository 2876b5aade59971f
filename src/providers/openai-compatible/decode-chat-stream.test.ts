import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { collectWarnings } from '../../core/warnings.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { fixtureEvents, fixtureText } from '../../testing/fixtures.js';
import { ChatStreamDecoder, unifiedFinishReason } from './decode-chat-stream.js';

type Json = Record<string, unknown>;

/** Decodes SSE text as the provider does: chunks, `[DONE]`, then the end of the body. */
function decodeSse(text: string, decoder = new ChatStreamDecoder()): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const message of parseSseText(text)) {
    const decoded = decodeSseJson(message);
    if (decoded.kind === 'done') events.push(...decoder.done());
    else if (decoded.kind === 'json') events.push(...decoder.push(decoded.value));
  }
  events.push(...decoder.end());
  return events;
}

function decodeChunks(
  chunks: readonly unknown[],
  end: 'done' | 'eof',
  decoder = new ChatStreamDecoder(),
): StreamEvent[] {
  const events = chunks.flatMap((chunk) => decoder.push(chunk));
  events.push(...(end === 'done' ? decoder.done() : decoder.end()));
  return events;
}

const chunk = (delta: Json, finish: string | null = null, extra: Json = {}): Json => ({
  id: 'chatcmpl-t',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const usageChunk = {
  id: 'chatcmpl-t',
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

describe('ChatStreamDecoder: fixtures decode to their exact .events.jsonl', () => {
  for (const name of [
    'chat-completions-text',
    'chat-completions-tool-call',
    'chat-completions-parallel-tool-calls',
    'chat-completions-length',
    'chat-completions-refusal',
    'chat-completions-no-finish',
    'chat-completions-double-finish',
    'gemini-openai-text',
    'gemini-openai-tool-call',
    'gemini-openai-parallel-tool-calls',
  ]) {
    it(name, () => {
      expect(decodeSse(fixtureText(`${name}.sse`))).toEqual(fixtureEvents(`${name}.events.jsonl`));
    });
  }

  it('accumulates the Gemini parallel calls as two calls, the signature on the first', () => {
    const response = accumulate(decodeSse(fixtureText('gemini-openai-parallel-tool-calls.sse')));
    expect(
      response.output.map((item) => item.type === 'function_call' && [item.call_id, item.arguments]),
    ).toEqual([
      ['r8k2pq0d', '{"city":"Paris"}'],
      ['b3n7x1zc', '{"zone":"Asia/Tokyo"}'],
    ]);
    expect(response.finish_reason).toBe('tool_calls');
  });
});

describe('ChatStreamDecoder: tool calls', () => {
  it('keys fragments without index by id: parallel Gemini calls never merge (wire.md §6.3)', () => {
    const call = (id: string, name: string, args: string) =>
      chunk({ tool_calls: [{ id, type: 'function', function: { name, arguments: args } }] });
    const events = decodeChunks(
      [call('a1', 'f', '{"x":1}'), call('b2', 'g', '{"y":2}'), chunk({}, 'stop')],
      'done',
    );
    const done = events.filter((e) => e.type === 'tool_call_done');
    expect(done.map((e) => e.type === 'tool_call_done' && [e.call_id, e.tool_call.arguments])).toEqual([
      ['a1', { x: 1 }],
      ['b2', { y: 2 }],
    ]);
  });

  it('ends the calls in the chunk that carries the last fragment and finish_reason together', () => {
    const events = decodeChunks(
      [
        chunk(
          { tool_calls: [{ index: 0, id: 'c', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          'tool_calls',
        ),
      ],
      'done',
    );
    expect(events.map((e) => e.type)).toEqual([
      'response_started',
      'tool_call_started',
      'tool_call_arguments_delta',
      'tool_call_done',
      'response_completed',
    ]);
  });

  it('ends open calls in index order, whatever order their fragments arrived in', () => {
    const events = decodeChunks(
      [
        chunk({ tool_calls: [{ index: 1, id: 'second', function: { name: 'g', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, id: 'first', function: { name: 'f', arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: '{}' } }] }),
        chunk({}, 'tool_calls'),
      ],
      'done',
    );
    expect(events.flatMap((e) => (e.type === 'tool_call_done' ? [e.call_id] : []))).toEqual([
      'first',
      'second',
    ]);
  });

  it('treats a new id on a known index as a new call (hosts that number every call 0)', () => {
    const frag = (id: string) =>
      chunk({ tool_calls: [{ index: 0, id, function: { name: 'f', arguments: `{"id":"${id}"}` } }] });
    const events = decodeChunks([frag('a'), frag('b'), chunk({}, 'tool_calls')], 'done');
    expect(events.flatMap((e) => (e.type === 'tool_call_done' ? [e.tool_call.arguments] : []))).toEqual([
      { id: 'a' },
      { id: 'b' },
    ]);
  });

  it('holds argument fragments until the name arrives, and generates an id when the host sends none', () => {
    const { warnings, sink } = collectWarnings();
    const events = decodeChunks(
      [
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a"' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { name: 'f', arguments: ':1}' } }] }),
      ],
      'done',
      new ChatStreamDecoder({ onWarning: sink }),
    );
    const started = events.find((e) => e.type === 'tool_call_started');
    expect(started).toMatchObject({ name: 'f', call_id: expect.stringMatching(/^call_\w+$/) });
    expect(accumulate(events).output).toMatchObject([
      { type: 'function_call', name: 'f', arguments: '{"a":1}' },
    ]);
    expect(warnings.map((w) => w.details)).toContainEqual(expect.stringContaining('without an id'));
  });

  it('maps the deprecated delta.function_call to a tool call (finish_reason function_call)', () => {
    const events = decodeChunks(
      [chunk({ function_call: { name: 'f', arguments: '{}' } }), chunk({}, 'function_call')],
      'done',
    );
    expect(accumulate(events)).toMatchObject({
      finish_reason: 'tool_calls',
      output: [{ type: 'function_call', name: 'f' }],
    });
  });
});

describe('ChatStreamDecoder: text, reasoning, usage, ends', () => {
  it('decodes reasoning_content (and `reasoning`) as raw reasoning, closed before the text', () => {
    const events = decodeChunks(
      [
        chunk({ role: 'assistant', reasoning_content: 'Think' }),
        chunk({ reasoning: 'ing.' }),
        chunk({ content: 'Hi' }),
        chunk({}, 'stop'),
        usageChunk,
      ],
      'done',
    );
    expect(events.map((e) => e.type)).toEqual([
      'response_started',
      'reasoning_delta',
      'reasoning_delta',
      'reasoning_done',
      'text_delta',
      'usage',
      'response_completed',
    ]);
    expect(events[3]).toMatchObject({ item: { type: 'reasoning', summary: [], text: 'Thinking.' } });
  });

  it('maps usage details: cached and reasoning tokens', () => {
    const events = decodeChunks(
      [
        chunk({ content: 'x' }, 'stop'),
        {
          choices: [],
          usage: {
            prompt_tokens: 100,
            completion_tokens: 40,
            total_tokens: 140,
            prompt_tokens_details: { cached_tokens: 60 },
            completion_tokens_details: { reasoning_tokens: 30 },
          },
        },
      ],
      'done',
    );
    expect(events.find((e) => e.type === 'usage')).toMatchObject({
      usage: {
        input_tokens: 100,
        output_tokens: 40,
        cached_tokens: 60,
        reasoning_tokens: 30,
        total_tokens: 140,
      },
    });
  });

  it('a body that ends without finish_reason and [DONE] is a stream_error (usage kept for metering)', () => {
    const events = decodeChunks([chunk({ content: 'Part' })], 'eof');
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'stream_error' });
    expect(events.filter((e) => e.type === 'response_completed')).toEqual([]);
  });

  it('a body that ends after finish_reason without [DONE] completes', () => {
    const events = decodeChunks([chunk({ content: 'Hi' }, 'stop'), usageChunk], 'eof');
    expect(events.slice(-2).map((e) => e.type)).toEqual(['usage', 'response_completed']);
  });

  it('a body with content and usage but neither marker completes, with a warning', () => {
    const { warnings, sink } = collectWarnings();
    const events = decodeChunks(
      [chunk({ content: 'Hi' }), usageChunk],
      'eof',
      new ChatStreamDecoder({ onWarning: sink }),
    );
    expect(events.at(-1)).toMatchObject({ type: 'response_completed', finish_reason: 'stop' });
    expect(warnings).toHaveLength(1);
  });

  it('an in-stream error chunk ends the stream with an error event, usage first', () => {
    const events = decodeChunks(
      [
        chunk({ content: 'Part' }),
        usageChunk,
        { error: { message: 'boom', type: 'server_error', code: null } },
      ],
      'eof',
    );
    expect(events.slice(-2)).toMatchObject([
      { type: 'usage' },
      { type: 'error', code: 'stream_error', error: expect.stringContaining('boom') },
    ]);
  });

  it("reads Google's array error envelope in the stream and recognises its status", () => {
    const decoder = new ChatStreamDecoder({ provider: 'gemini' });
    const events = decoder.push([
      { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } },
    ]);
    expect(events).toMatchObject([{ type: 'error', code: 'upstream_rate_limited' }]);
    expect(decoder.failure?.retryable).toBe(true);
  });

  it('skips unknown chunk shapes and other choices with one warning each, ignores unknown fields', () => {
    const { warnings, sink } = collectWarnings();
    const decoder = new ChatStreamDecoder({ onWarning: sink });
    const events = decodeChunks(
      [
        chunk({ content: 'A', audio: { id: 'x' } }, null, { obfuscation: 'zz' }),
        { object: 'chat.completion.keepalive' },
        { object: 'chat.completion.keepalive' },
        {
          ...chunk({ content: 'B' }),
          choices: [{ index: 1, delta: { content: 'other' }, finish_reason: null }],
        },
        { choices: 'not a list' },
        chunk({}, 'stop'),
      ],
      'done',
      decoder,
    );
    expect(events.flatMap((e) => (e.type === 'text_delta' ? [e.delta] : []))).toEqual(['A']);
    expect(warnings).toHaveLength(3);
  });

  it('unifies finish reasons; tool calls win over stop', () => {
    expect(unifiedFinishReason('stop', true)).toBe('tool_calls');
    expect(unifiedFinishReason('content_filter', false)).toBe('content_filter');
    expect(unifiedFinishReason('length', true)).toBe('length');
    expect(unifiedFinishReason(undefined, false)).toBe('stop');
  });
});
