import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../core/events.js';
import { streamEvent } from '../core/events.js';
import { makeUsage } from '../core/usage.js';
import { parseSseText } from '../sse/parse-sse.js';
import { formatSse } from '../sse/write-sse.js';
import type { EncodeContext, StreamEncoder } from './client-protocol.js';
import { ChatStreamEncoder } from './openai-chat/encode-stream.js';
import { createResponsesStreamEncoder } from './openai-responses/encode-stream.js';

const context = (includeUsage: boolean): EncodeContext => ({
  request: { model: 'm "quoted"', input: [] },
  requestedModel: 'm "quoted"',
  requestId: 'req_bytes',
  extras: { includeUsage },
});

const TRICKY = ['plain', 'a "quote" and \\ backslash', 'line\nbreak\r\n', '\u2028\u2029 é ✓ 😀', '</script>'];

const events: StreamEvent[] = [
  streamEvent('response_started', { response_id: 'resp_1', model: 'm', created_at: 7 }),
  ...TRICKY.map((delta) => streamEvent('text_delta', { delta })),
  streamEvent('usage', { usage: makeUsage({ input_tokens: 1, output_tokens: 2 }) }),
  streamEvent('response_completed', { finish_reason: 'stop' }),
];

/** Every frame is exactly what `formatSse` makes of its own parsed JSON: the object form, byte for byte. */
function expectObjectForm(encoder: StreamEncoder): void {
  const text = events.map((event) => encoder.event(event)).join('') + encoder.end();
  const frames = text.split('\n\n').filter((frame) => frame !== '');
  expect(frames.length).toBeGreaterThan(TRICKY.length);
  for (const frame of frames) {
    const [message] = parseSseText(`${frame}\n\n`);
    if (!message || message.data === '[DONE]') continue;
    expect(`${frame}\n\n`).toBe(formatSse(JSON.parse(message.data), message.event));
  }
}

describe('pre-serialised stream frames are byte-identical to the object form', () => {
  it.each([true, false])('chat (include_usage %s)', (includeUsage) => {
    expectObjectForm(new ChatStreamEncoder(context(includeUsage)));
  });

  it('responses', () => {
    expectObjectForm(createResponsesStreamEncoder(context(false)));
  });
});
