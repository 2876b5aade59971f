import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { isPackedReasoning, unpackReasoning } from '../opaque-reasoning.js';
import { fromAnthropicToolId } from './anthropic-ids.js';
import { encodeAnthropicResponse } from './encode-response.js';
import { AnthropicStreamEncoder } from './encode-stream.js';

const context: EncodeContext = {
  request: { model: 'gpt-5.5', input: [] },
  requestedModel: 'gpt-5.5',
  requestId: 'req_sdk_test',
};

const PARAMS = {
  model: 'gpt-5.5',
  max_tokens: 1024,
  messages: [{ role: 'user' as const, content: 'hi' }],
};

function encodeAll(events: readonly StreamEvent[]): string {
  const encoder = new AnthropicStreamEncoder(context);
  let out = '';
  for (const event of events) {
    out += encoder.event(event);
    if (event.type === 'error') return out;
  }
  return out + encoder.end();
}

/** The official SDK, answered by `body` instead of the network. */
function sdk(body: string, contentType = 'text/event-stream'): Anthropic {
  return new Anthropic({
    apiKey: 'x',
    baseURL: 'http://fake',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': contentType } }),
  });
}

async function finalMessage(events: readonly StreamEvent[]) {
  const { parsed_output: _parsed, ...message } = await sdk(encodeAll(events))
    .messages.stream(PARAMS)
    .finalMessage();
  return message;
}

const events = (name: string) => fixtureEvents<StreamEvent>(`${name}.events.jsonl`);

/**
 * The worst interleaving of a fixture's tool calls: every call starts first, then their argument
 * deltas alternate, then they finish in reverse order. Other events keep their place around them.
 */
function interleaved(source: readonly StreamEvent[]): StreamEvent[] {
  const isTool = (e: StreamEvent) =>
    e.type === 'tool_call_started' || e.type === 'tool_call_arguments_delta' || e.type === 'tool_call_done';
  const first = source.findIndex(isTool);
  if (first === -1) return [...source];
  const tools = source.filter(isTool);
  const starts = tools.filter((e) => e.type === 'tool_call_started');
  const lanes = starts.map((s) =>
    tools.filter((e) => e.type === 'tool_call_arguments_delta' && e.call_id === s.call_id),
  );
  const mixed: StreamEvent[] = [];
  for (let i = 0; lanes.some((lane) => i < lane.length); i++)
    for (const lane of lanes) if (lane[i]) mixed.push(lane[i] as StreamEvent);
  const dones = tools.filter((e) => e.type === 'tool_call_done').reverse();
  const rest = source.slice(first).filter((e) => !isTool(e));
  return [...source.slice(0, first), ...starts, ...mixed, ...dones, ...rest];
}

describe('@anthropic-ai/sdk parses the encoder output', () => {
  it('text: finalText and the raw event sequence of messages.create({stream:true})', async () => {
    const text = accumulate(events('anthropic-text')).output_text;
    expect(
      await sdk(encodeAll(events('anthropic-text')))
        .messages.stream(PARAMS)
        .finalText(),
    ).toBe(text);
    const stream = await sdk(encodeAll(events('anthropic-text'))).messages.create({
      ...PARAMS,
      stream: true,
    });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).toBe('message_start');
    expect(types).toContain('content_block_delta');
    expect(types.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
  });

  it('tool use: one complete tool_use block, stop_reason tool_use', async () => {
    const message = await finalMessage(events('anthropic-tool-use'));
    const done = events('anthropic-tool-use').find((e) => e.type === 'tool_call_done');
    expect(done?.type).toBe('tool_call_done');
    expect(message.content.filter((b) => b.type === 'tool_use')).toEqual([
      {
        type: 'tool_use',
        id: done?.type === 'tool_call_done' ? done.call_id : '',
        name: done?.type === 'tool_call_done' ? done.tool_call.name : '',
        input: done?.type === 'tool_call_done' ? done.tool_call.arguments : {},
      },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it('parallel calls whose argument deltas arrive interleaved: two complete blocks in start order', async () => {
    const mixed = interleaved(events('codex-parallel-tool-calls'));
    // The sequence really interleaves: B's first delta comes before A's last.
    const order = mixed.filter((e) => e.type === 'tool_call_arguments_delta').map((e) => e.call_id);
    expect(order.slice(0, 2)).toEqual(['call_Pq7rS8tU9vW0xY1zA2bC3dE4', 'call_Fg5hI6jK7lM8nO9pQ0rS1tU2']);
    const message = await finalMessage(mixed);
    expect(message.content).toEqual([
      {
        type: 'tool_use',
        id: 'call_Pq7rS8tU9vW0xY1zA2bC3dE4',
        name: 'get_weather',
        input: { city: 'Paris', unit: 'c' },
      },
      {
        type: 'tool_use',
        id: 'call_Fg5hI6jK7lM8nO9pQ0rS1tU2',
        name: 'get_weather',
        input: { city: 'Tokyo', unit: 'f' },
      },
    ]);
    expect(message.stop_reason).toBe('tool_use');
  });

  it("Gemini's parallel calls: the thought signature rides in the first call's id", async () => {
    const message = await finalMessage(events('gemini-openai-parallel-tool-calls'));
    const [first, second] = message.content;
    expect(first?.type === 'tool_use' && first.input).toEqual({ city: 'Paris' });
    expect(second).toEqual({
      type: 'tool_use',
      id: 'b3n7x1zc',
      name: 'get_time',
      input: { zone: 'Asia/Tokyo' },
    });
    expect(fromAnthropicToolId(first?.type === 'tool_use' ? first.id : '')).toEqual({
      callId: 'r8k2pq0d',
      providerData: {
        'openai-compatible': {
          extra_content: { google: { thought_signature: 'CiQBjz1rXyZ2RmFrZS1wYXJhbGxlbC1zaWduYXR1cmU=' } },
        },
      },
    });
  });

  it('thinking keeps its signature; redacted thinking its data', async () => {
    const message = await finalMessage(events('anthropic-thinking'));
    expect(message.content).toEqual([
      {
        type: 'thinking',
        thinking: 'The user wants a greeting. Keep it short.',
        signature: 'EqQBCgIYAhIMFAKEsignatureFIXTURE0001==',
      },
      { type: 'redacted_thinking', data: 'EmwKAhgBEgyFAKEredactedDATA0001' },
      { type: 'text', text: 'Hello!' },
    ]);
    expect(message.usage).toEqual({
      input_tokens: 42,
      output_tokens: 57,
      cache_creation_input_tokens: 100,
      cache_read_input_tokens: 2000,
    });
  });

  it('Codex reasoning (encrypted_content) → a thinking block whose signature unpacks to the item', async () => {
    const source = events('codex-reasoning-summary');
    const done = source.find((e) => e.type === 'reasoning_done');
    if (done?.type !== 'reasoning_done') throw new Error('fixture has no reasoning_done');
    const [block] = (await finalMessage(source)).content;
    if (block?.type !== 'thinking') throw new Error(`expected a thinking block, got ${block?.type}`);
    expect(block.thinking).toBe(done.item.summary.join('\n\n'));
    expect(isPackedReasoning(block.signature)).toBe(true);
    const { id: _id, ...item } = done.item; // packReasoning does not carry the item id
    expect(unpackReasoning(block.signature)).toEqual(item);
    expect(item.encrypted_content).toMatch(/^gAAAA/);
  });

  it.each([
    ['anthropic-max-tokens', 124],
    ['codex-incomplete', undefined],
    ['chat-completions-length', undefined],
  ])('%s: stop_reason max_tokens', async (name, outputTokens) => {
    const message = await finalMessage(events(name));
    expect(message.stop_reason).toBe('max_tokens');
    if (outputTokens !== undefined) expect(message.usage.output_tokens).toBe(outputTokens);
  });

  it('a mid-stream error: the SDK throws an APIError carrying the Anthropic error type', async () => {
    const body = encodeAll(events('anthropic-stream-error'));
    const error = await sdk(body)
      .messages.stream(PARAMS)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({
      error: {
        type: 'error',
        error: { type: 'overloaded_error', message: expect.stringContaining('Overloaded') },
      },
    });
    const stream = await sdk(body).messages.create({ ...PARAMS, stream: true });
    await expect(async () => {
      for await (const _event of stream) {
        // drain
      }
    }).rejects.toBeInstanceOf(Anthropic.APIError);
  });

  // Every fixture that completes (with arguments that are JSON objects): stream and non-stream agree.
  const complete = [
    'anthropic-text',
    'anthropic-tool-use',
    'anthropic-thinking',
    'anthropic-parallel-tool-use',
    'chat-completions-parallel-tool-calls',
    'chat-completions-refusal',
    'chat-completions-text',
    'chat-completions-tool-call',
    'codex-incomplete',
    'codex-parallel-tool-calls',
    'codex-reasoning-summary',
    'codex-text-without-deltas',
    'codex-text',
    'codex-tool-call',
    'gemini-openai-parallel-tool-calls',
    'gemini-openai-text',
    'gemini-openai-tool-call',
  ];
  it.each(complete)('%s: finalMessage() equals encodeAnthropicResponse and messages.create', async (name) => {
    const expected = encodeAnthropicResponse(accumulate(events(name)), context);
    expect(await finalMessage(events(name))).toEqual(expected);
    const mixed = interleaved(events(name));
    expect(await finalMessage(mixed)).toEqual(encodeAnthropicResponse(accumulate(mixed), context));
    const nonStream = await sdk(JSON.stringify(expected), 'application/json').messages.create(PARAMS);
    expect(nonStream).toEqual(expected);
  });
});
