import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import { makeUsage } from '../../core/usage.js';
import { AnthropicStreamDecoder } from '../../providers/anthropic/decode-anthropic-stream.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { fromAnthropicToolId } from './anthropic-ids.js';
import { AnthropicStreamEncoder } from './encode-stream.js';

type Payload = { type: string; index?: number; [key: string]: unknown };

const context = (model = 'claude-sonnet-4-5'): EncodeContext => ({
  request: { model, input: [] },
  requestedModel: model,
  requestId: 'req_test',
});

function encode(events: readonly StreamEvent[], ctx = context()): string {
  const encoder = new AnthropicStreamEncoder(ctx);
  let out = '';
  for (const event of events) out += encoder.event(event);
  return out + encoder.end();
}

/** Parses SSE, asserting every frame is `event: <type>` + the JSON payload of that type. */
function payloads(sse: string): Payload[] {
  return parseSseText(sse).map((message) => {
    const data = JSON.parse(message.data) as Payload;
    expect(message.event).toBe(data.type);
    return data;
  });
}

/**
 * Claude Code's block discipline (wire.md §5.1): message_start first; one open block at a time;
 * indexes 0, 1, 2… never reused; deltas only for the open block; every start stopped before
 * message_delta; message_stop last (or an `error` event ends the stream).
 */
function assertBlockDiscipline(events: readonly Payload[]): void {
  expect(events[0]?.type).toBe('message_start');
  let open: number | undefined;
  let next = 0;
  let delta = false;
  for (const [i, event] of events.entries()) {
    if (i > 0) expect(event.type, `event ${i}`).not.toBe('message_start');
    switch (event.type) {
      case 'message_start':
        break;
      case 'content_block_start':
        expect(open, `block ${event.index} starts while ${open} is open`).toBeUndefined();
        expect(event.index).toBe(next++);
        open = event.index;
        break;
      case 'content_block_delta':
        expect(event.index, 'a delta for a block that is not open').toBe(open);
        break;
      case 'content_block_stop':
        expect(event.index).toBe(open);
        open = undefined;
        break;
      case 'message_delta':
        expect(open, 'message_delta with a block open').toBeUndefined();
        delta = true;
        break;
      case 'message_stop':
        expect(delta).toBe(true);
        expect(i).toBe(events.length - 1);
        break;
      case 'error':
        expect(i).toBe(events.length - 1);
        break;
      default:
        throw new Error(`unexpected event ${event.type}`);
    }
  }
}

const FIXTURES = readdirSync(new URL('../../testing/fixtures/', import.meta.url))
  .filter((name) => name.endsWith('.events.jsonl'))
  .map((name) => name.replace('.events.jsonl', ''));

const events = (name: string) => fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
const started = streamEvent('response_started', { response_id: 'resp_1', model: 'gpt-5.5' });
const completed = (finish: 'stop' | 'tool_calls' = 'stop') =>
  streamEvent('response_completed', { finish_reason: finish });
const text = (delta: string) => streamEvent('text_delta', { delta });
const start = (id: string, name = 'f') => streamEvent('tool_call_started', { call_id: id, name });
const args = (id: string, delta: string) => streamEvent('tool_call_arguments_delta', { call_id: id, delta });

describe('AnthropicStreamEncoder: block discipline', () => {
  it.each(FIXTURES)('%s', (name) => assertBlockDiscipline(payloads(encode(events(name)))));

  it('interleaved calls, text arriving mid-call and calls finishing out of order stay sequential', () => {
    const out = payloads(
      encode([
        started,
        text('Looking.'),
        start('call_A'),
        args('call_A', '{"q":'),
        start('call_B'),
        args('call_B', '{"r":'),
        text('(still thinking)'),
        args('call_A', '1}'),
        args('call_B', '2}'),
        toolCallDone('call_B', 'f', '{"r":2}'),
        toolCallDone('call_A', 'f', '{"q":1}'),
        completed('tool_calls'),
      ]),
    );
    assertBlockDiscipline(out);
    const blocks = out.filter((e) => e.type === 'content_block_start').map((e) => e.content_block);
    expect(blocks).toEqual([
      { type: 'text', text: '' },
      { type: 'tool_use', id: 'call_A', name: 'f', input: {} },
      { type: 'tool_use', id: 'call_B', name: 'f', input: {} },
      { type: 'text', text: '' },
    ]);
    const json = out.filter((e) => e.type === 'content_block_delta').map((e) => e.delta);
    expect(json).toEqual([
      { type: 'text_delta', text: 'Looking.' },
      { type: 'input_json_delta', partial_json: '{"q":1}' },
      { type: 'input_json_delta', partial_json: '{"r":2}' },
      { type: 'text_delta', text: '(still thinking)' },
    ]);
  });

  it('text streams live: each delta is written as it arrives', () => {
    const encoder = new AnthropicStreamEncoder(context());
    // message_start waits for the first content (to carry the usage known by then).
    expect(payloads(encoder.event(started))).toEqual([]);
    expect(payloads(encoder.event(text('Hel'))).map((e) => e.type)).toEqual([
      'message_start',
      'content_block_start',
      'content_block_delta',
    ]);
    expect(payloads(encoder.event(text('lo')))).toEqual([
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
    ]);
    expect(encoder.event(text(''))).toBe('');
  });

  it('a call cut off by the end keeps its arguments; none at all leaves input {}', () => {
    const out = payloads(
      encode([started, start('call_A'), args('call_A', '{"a":'), start('call_B'), completed()]),
    );
    assertBlockDiscipline(out);
    expect(out.filter((e) => e.type === 'content_block_delta').map((e) => e.delta)).toEqual([
      { type: 'input_json_delta', partial_json: '{"a":' },
    ]);
    expect(out.find((e) => e.type === 'message_delta')?.delta).toEqual({
      stop_reason: 'tool_use',
      stop_sequence: null,
    });
  });

  it('call ids outside Anthropic’s charset are encoded reversibly', () => {
    const out = payloads(encode([started, start('fc:1/2'), toolCallDone('fc:1/2', 'f', '{}'), completed()]));
    const block = out.find((e) => e.type === 'content_block_start')?.content_block as { id: string };
    expect(block.id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(fromAnthropicToolId(block.id)).toEqual({ callId: 'fc:1/2' });
  });

  it('message_start carries the requested model and a msg_ id; message_delta the usage without cache tokens', () => {
    const out = payloads(
      encode(
        [
          started,
          text('hi'),
          streamEvent('usage', {
            usage: makeUsage({
              input_tokens: 1000,
              output_tokens: 7,
              cached_tokens: 600,
              cache_write_tokens: 100,
            }),
          }),
          completed(),
        ],
        context('my-alias'),
      ),
    );
    expect(out[0]).toMatchObject({
      message: { id: 'msg_1', model: 'my-alias', role: 'assistant', content: [] },
    });
    expect(out.at(-2)).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: {
        input_tokens: 300,
        output_tokens: 7,
        cache_creation_input_tokens: 100,
        cache_read_input_tokens: 600,
      },
    });
  });

  it('error() and error events end the stream with the Anthropic error envelope', () => {
    const encoder = new AnthropicStreamEncoder(context());
    encoder.event(started);
    encoder.event(text('partial'));
    const out = payloads(encoder.error(new NodexError('upstream_overloaded', 'Overloaded')));
    expect(out).toEqual([
      { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' }, request_id: 'req_test' },
    ]);
    expect(encoder.event(text('more'))).toBe('');
    expect(encoder.end()).toBe('');
    const viaEvent = new AnthropicStreamEncoder(context());
    const frames = payloads(
      viaEvent.event(
        streamEvent('error', {
          error: 'slow down',
          code: 'upstream_rate_limited',
          status: 429,
          retryable: true,
        }),
      ),
    );
    expect(frames).toEqual([
      { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' }, request_id: 'req_test' },
    ]);
  });
});

/**
 * What the round trip may change: a tool call's argument deltas arrive as one piece (blocks are
 * written when the call is done), and the decoder prefixes error messages with the provider.
 */
function normalize(list: readonly StreamEvent[]): StreamEvent[] {
  const out: StreamEvent[] = [];
  const args = new Map<string, { delta: string }>();
  for (const event of list) {
    if (event.type === 'tool_call_arguments_delta') {
      const merged = args.get(event.call_id);
      if (merged) merged.delta += event.delta;
      else {
        const copy = { ...event };
        args.set(event.call_id, copy);
        out.push(copy);
      }
    } else if (event.type === 'error')
      out.push({ ...event, error: event.error.replace(/^(anthropic: \w+: )+/, '') });
    else out.push(event);
  }
  return out;
}

describe('hub round trip: the encoder’s SSE through nodex’s own Anthropic decoder', () => {
  // Anthropic upstream → canonical → this encoder → AnthropicStreamDecoder: the same canonical events.
  it.each([
    'anthropic-text',
    'anthropic-tool-use',
    'anthropic-thinking',
    'anthropic-parallel-tool-use',
    'anthropic-max-tokens',
    'anthropic-stream-error',
  ])('%s', (name) => {
    const source = events(name);
    const model = source[0]?.type === 'response_started' ? source[0].model : '';
    const decoder = new AnthropicStreamDecoder();
    const decoded = payloads(encode(source, context(model))).flatMap((payload) => decoder.push(payload));
    decoded.push(...decoder.end());
    expect(normalize(decoded)).toEqual(normalize(source));
  });

  it('Codex reasoning comes back as the same item, encrypted_content included', () => {
    const source = events('codex-reasoning-summary');
    const decoder = new AnthropicStreamDecoder();
    const decoded = payloads(encode(source)).flatMap((payload) => decoder.push(payload));
    const done = decoded.find((e) => e.type === 'reasoning_done');
    const original = source.find((e) => e.type === 'reasoning_done');
    if (done?.type !== 'reasoning_done' || original?.type !== 'reasoning_done')
      throw new Error('no reasoning');
    // The Anthropic decoder keeps the signature as Anthropic's: the request decoder unpacks it.
    expect(done.item.provider_data?.anthropic?.signature).toMatch(/^nodex:v1:/);
    expect(done.item.text).toBe(original.item.summary.join('\n\n'));
  });
});

describe('AnthropicStreamEncoder: message_start usage', () => {
  it('carries the input tokens an upstream reported before the first content', () => {
    const encoder = new AnthropicStreamEncoder(context());
    encoder.event(started);
    encoder.event(streamEvent('usage', { usage: makeUsage({ input_tokens: 300, output_tokens: 1 }) }));
    const [start] = payloads(encoder.event(text('Hi')));
    expect(start).toMatchObject({
      type: 'message_start',
      message: { usage: { input_tokens: 300, output_tokens: 1 } },
    });
  });
});
