import { describe, expect, it } from 'vitest';
import { accumulate } from '../../core/accumulate.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import { parseSseText } from '../../sse/parse-sse.js';
import { fixtureEvents } from '../../testing/fixtures.js';
import type { EncodeContext } from '../client-protocol.js';
import { encodeResponsesBody } from './encode-response.js';
import { createResponsesStreamEncoder } from './encode-stream.js';

type Wire = Record<string, unknown> & { type: string; sequence_number: number };

const context: EncodeContext = {
  request: { model: 'm', input: [] },
  requestedModel: 'm',
  requestId: 'req_r',
};

function encode(events: readonly StreamEvent[]): string {
  const encoder = createResponsesStreamEncoder(context);
  return events.map((event) => encoder.event(event)).join('') + encoder.end();
}

/** The stream's events; sequence numbers run from 0 (encode-stream.test.ts checks the rest). */
function frames(sse: string): Wire[] {
  const wire = parseSseText(sse).map((message) => JSON.parse(message.data) as Wire);
  expect(wire.map((event) => event.sequence_number)).toEqual(wire.map((_, index) => index));
  return wire;
}

describe('reasoning items on the Responses wire', () => {
  it('streams reasoning summary parts per summary index, and raw text as reasoning_text beside a summary', () => {
    const events: StreamEvent[] = [
      streamEvent('response_started', { response_id: 'resp_r', model: 'm', created_at: 1 }),
      streamEvent('reasoning_delta', { delta: 'A', kind: 'summary', summary_index: 0 }),
      streamEvent('reasoning_delta', { delta: 'B', kind: 'summary', summary_index: 1 }),
      streamEvent('reasoning_delta', { delta: 'raw', kind: 'text' }),
      streamEvent('text_delta', { delta: 'ok' }),
      streamEvent('response_completed', { finish_reason: 'stop' }),
    ];
    const wire = frames(encode(events));
    const reasoning = wire.filter((event) => event.output_index === 0).map((event) => event.type);
    expect(reasoning).toEqual([
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.content_part.added',
      'response.reasoning_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.reasoning_text.done',
      'response.content_part.done',
      'response.output_item.done',
    ]);
    const item = wire.find((event) => event.type === 'response.output_item.done')?.item;
    expect(item).toEqual({
      type: 'reasoning',
      id: 'rs_r_0',
      summary: [
        { type: 'summary_text', text: 'A' },
        { type: 'summary_text', text: 'B' },
      ],
      content: [{ type: 'reasoning_text', text: 'raw' }],
      encrypted_content: expect.stringMatching(/^nodex:v1:/),
    });
    expect(wire.at(-1)?.response).toEqual(encodeResponsesBody(accumulate(events), context));
  });

  it('shows text-only reasoning (Anthropic thinking) as summary part 0, packed in encrypted_content', () => {
    const wire = frames(encode(fixtureEvents<StreamEvent>('anthropic-thinking.events.jsonl')));
    const deltas = wire.filter((event) => event.type === 'response.reasoning_summary_text.delta');
    expect(deltas.map((event) => [event.summary_index, event.delta])).toEqual([
      [0, 'The user wants a greeting.'],
      [0, ' Keep it short.'],
    ]);
    expect(wire.some((event) => event.type === 'response.reasoning_text.delta')).toBe(false);
    const done = wire.filter((event) => event.type === 'response.output_item.done');
    expect(done[0]?.item).toMatchObject({
      summary: [{ type: 'summary_text', text: 'The user wants a greeting. Keep it short.' }],
      encrypted_content: expect.stringMatching(/^nodex:v1:/),
    });
    expect(done[0]?.item).not.toHaveProperty('content');
    // Redacted thinking: an item with no text, added and done at once.
    expect(done[1]?.item).toMatchObject({
      summary: [],
      encrypted_content: expect.stringMatching(/^nodex:v1:/),
    });
  });

  it('streams summary parts that only the done item carries, whole', () => {
    const item = {
      type: 'reasoning' as const,
      id: 'rs_up',
      summary: ['one', 'two'],
      encrypted_content: 'gAAAA1',
    };
    const wire = frames(
      encode([
        streamEvent('response_started', { response_id: 'resp_s', model: 'm', created_at: 1 }),
        streamEvent('reasoning_done', { item }),
        streamEvent('response_completed', { finish_reason: 'stop' }),
      ]),
    );
    expect(wire[2]?.item).toEqual({ id: 'rs_up', type: 'reasoning', summary: [] });
    const deltas = wire.filter((event) => event.type === 'response.reasoning_summary_text.delta');
    expect(deltas.map((event) => [event.summary_index, event.delta])).toEqual([
      [0, 'one'],
      [1, 'two'],
    ]);
    expect(wire.at(-2)?.item).toEqual({
      type: 'reasoning',
      id: 'rs_up',
      summary: [
        { type: 'summary_text', text: 'one' },
        { type: 'summary_text', text: 'two' },
      ],
      encrypted_content: 'gAAAA1',
    });
  });
});
