import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import type { ReasoningItem } from '../../core/request.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { decodeResponsesInput } from './decode-input.js';
import { encodeResponsesBody } from './encode-response.js';
import { createResponsesStreamEncoder } from './encode-stream.js';

const context: EncodeContext = {
  request: { model: 'gpt-5.5', input: [] },
  requestedModel: 'gpt-5.5',
  requestId: 'req_sdk',
};

function encode(events: readonly StreamEvent[], failure?: NodexError): string {
  const encoder = createResponsesStreamEncoder(context);
  let sse = '';
  for (const event of events) sse += encoder.event(event);
  return sse + (failure ? encoder.error(failure) : encoder.end());
}

/** The official client, reading our SSE through its real stream parser (no network). */
function client(sse: string): OpenAI {
  return new OpenAI({
    apiKey: 'x',
    baseURL: 'http://fake/v1',
    maxRetries: 0,
    fetch: async () => new Response(sse, { headers: { 'content-type': 'text/event-stream' } }),
  });
}

async function finalResponse(sse: string) {
  return client(sse).responses.stream({ model: 'gpt-5.5', input: 'hi' }).finalResponse();
}

/** Drops the terminal event, so the SDK's answer is what it accumulated from the events alone. */
function withoutTerminal(sse: string): string {
  return sse.replace(/event: response\.(completed|incomplete|failed)\n[^\n]*\n\n$/, '');
}

/** Output items without their ids and without what the SDK's parse helpers add (`parsed*`). */
function withoutIds(items: readonly unknown[]): unknown[] {
  return items.map((item) => {
    const { id: _id, parsed_arguments: _parsed, ...rest } = item as Record<string, unknown>;
    if (!Array.isArray(rest.content)) return rest;
    const content = (rest.content as Record<string, unknown>[]).map(({ parsed: _p, ...part }) => part);
    return { ...rest, content };
  });
}

function addedIds(sse: string): string[] {
  return parseSseText(sse)
    .map((message) => JSON.parse(message.data) as { type: string; item?: { id: string } })
    .filter((event) => event.type === 'response.output_item.added')
    .map((event) => event.item?.id ?? '');
}

describe('the openai SDK reads the encoder output', () => {
  it.each([
    'codex-text',
    'codex-reasoning-summary',
    'codex-tool-call',
    'codex-parallel-tool-calls',
    'anthropic-thinking',
    'anthropic-tool-use',
    'anthropic-parallel-tool-use',
    'gemini-openai-parallel-tool-calls',
  ])('%s: finalResponse() and its own accumulation match the non-streaming body', async (name) => {
    const events = fixtureEvents<StreamEvent>(`${name}.events.jsonl`);
    const sse = encode(events);
    const expected = encodeResponsesBody(accumulate(events), context);

    const final = await finalResponse(sse);
    expect(final.status).toBe('completed');
    expect(withoutIds(final.output)).toEqual(withoutIds(expected.output));
    expect(final.output.map((item) => item.id)).toEqual(addedIds(sse));
    expect(final.output_text).toBe(expected.output_text);
    expect(final.usage).toEqual(expected.usage);
    expect(final.id).toBe(expected.id);

    // Without the terminal event, the SDK's snapshot is built from the item events alone.
    const accumulated = await finalResponse(withoutTerminal(sse));
    expect(accumulated.status).toBe('in_progress');
    expect(accumulated.output).toEqual(final.output);
    expect(accumulated.output_text).toBe(expected.output_text);
  });

  it('iterates every event of responses.create({stream:true}) in order, deltas included', async () => {
    const events = fixtureEvents<StreamEvent>('codex-parallel-tool-calls.events.jsonl');
    const sse = encode(events);
    const stream = await client(sse).responses.create({ model: 'gpt-5.5', input: 'hi', stream: true });
    const seen: { type: string; sequence_number: number }[] = [];
    for await (const event of stream) seen.push({ type: event.type, sequence_number: event.sequence_number });
    const wire = parseSseText(sse).map((message) => JSON.parse(message.data) as { type: string });
    expect(seen.map((event) => event.type)).toEqual(wire.map((event) => event.type));
    expect(seen.map((event) => event.sequence_number)).toEqual(wire.map((_, index) => index));
    expect(seen.filter((event) => event.type === 'response.function_call_arguments.delta')).toHaveLength(6);
  });

  it('gives text and argument snapshots to delta listeners', async () => {
    const sse = encode(fixtureEvents<StreamEvent>('anthropic-tool-use.events.jsonl'));
    const stream = client(sse).responses.stream({ model: 'gpt-5.5', input: 'hi' });
    const text: string[] = [];
    const args: string[] = [];
    stream.on('response.output_text.delta', (event) => text.push(event.snapshot));
    stream.on('response.function_call_arguments.delta', (event) => args.push(event.snapshot));
    await stream.finalResponse();
    expect(text.at(-1)).toBe("I'll check the current weather in Paris for you.");
    expect(args.at(-1)).toBe('{"location": "Paris"}');
  });

  it('hands back Anthropic thinking that decode-input restores with its signature', async () => {
    const events = fixtureEvents<StreamEvent>('anthropic-thinking.events.jsonl');
    const final = await finalResponse(encode(events));
    const reasoning = final.output.filter((item) => item.type === 'reasoning');
    expect(reasoning[0]?.summary).toEqual([
      { type: 'summary_text', text: 'The user wants a greeting. Keep it short.' },
    ]);
    // The client replays its output as the next request's input (what Codex CLI does).
    const restored = decodeResponsesInput(reasoning);
    const originals = events
      .filter((event) => event.type === 'reasoning_done')
      .map((event) => (event as { item: ReasoningItem }).item);
    expect(restored).toEqual(originals.map((item, index) => ({ ...item, id: reasoning[index]?.id })));
    expect(restored[0]).toMatchObject({
      provider_data: { anthropic: { signature: 'EqQBCgIYAhIMFAKEsignatureFIXTURE0001==' } },
    });
  });

  it('reads response.incomplete as an incomplete response', async () => {
    const final = await finalResponse(encode(fixtureEvents<StreamEvent>('codex-incomplete.events.jsonl')));
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });
    expect(final.output_text).toBe('Once upon a time there was');
  });

  it('reads a mid-stream error (event or error()) as a failed response with its code', async () => {
    const failed = await finalResponse(encode(fixtureEvents<StreamEvent>('codex-failed.events.jsonl')));
    expect(failed.status).toBe('failed');
    expect(failed.error).toEqual({ code: 'stream_error', message: expect.stringContaining('server_error') });

    const started = streamEvent('response_started', { response_id: 'resp_x', model: 'm', created_at: 1 });
    const events = [started, streamEvent('tool_call_started', { call_id: 'c', name: 'shell' })];
    const limited = await finalResponse(
      encode(events, new NodexError('upstream_rate_limited', 'busy', { retryAfterMs: 2000 })),
    );
    expect(limited.status).toBe('failed');
    expect(limited.error).toEqual({ code: 'rate_limit_exceeded', message: 'busy Please try again in 2s.' });
    expect(limited.output).toMatchObject([{ type: 'function_call', status: 'incomplete' }]);
  });

  it('accepts a stream that failed before any event', async () => {
    const sse = createResponsesStreamEncoder(context).error(new NodexError('upstream_connection', 'down'));
    const final = await finalResponse(sse);
    expect(final).toMatchObject({
      status: 'failed',
      error: { code: 'upstream_connection', message: 'down' },
    });
  });
});
