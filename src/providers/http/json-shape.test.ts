import { describe, expect, it } from 'vitest';
import { collectWarnings } from '../../core/warnings.js';
import { BlockDeltaSchema } from '../anthropic/anthropic-stream-schemas.js';
import { AnthropicStreamDecoder, blockDelta } from '../anthropic/decode-anthropic-stream.js';
import { DeltaEventSchema, ResponseEventSchema } from '../codex/codex-stream-schemas.js';
import { CodexStreamDecoder, deltaEvent, responseEvent } from '../codex/decode-codex-stream.js';
import { ChatChunkSchema } from '../openai-compatible/chat-stream-schemas.js';
import { ChatStreamDecoder, quickChunk } from '../openai-compatible/decode-chat-stream.js';
import type { JsonObject } from './json-shape.js';

/** Values of every JSON kind (and a few a JSON parser never makes) to put where a field was. */
const ODD: readonly unknown[] = [
  undefined,
  null,
  0,
  1.5,
  -1,
  2 ** 60,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'x',
  true,
  [],
  ['x'],
  {},
  { type: 'x' },
];

/** Every copy of `base` with one value (at any depth) replaced by an odd one or removed. */
function variants(base: unknown): unknown[] {
  const out: unknown[] = [];
  if (Array.isArray(base)) {
    base.forEach((item, i) => {
      for (const v of [...ODD, ...variants(item)]) out.push(base.map((x, j) => (j === i ? v : x)));
    });
  } else if (typeof base === 'object' && base !== null) {
    for (const [key, value] of Object.entries(base)) {
      for (const v of [...ODD, ...variants(value)]) out.push({ ...base, [key]: v });
    }
  }
  return out;
}

/** The fast check never accepts what the schema rejects, and accepts the well-formed base. */
function agrees(
  base: JsonObject,
  quick: (data: JsonObject) => unknown,
  schema: { safeParse(data: unknown): { success: boolean } },
): void {
  expect(quick(base)).toBe(base);
  expect(schema.safeParse(base).success).toBe(true);
  for (const variant of variants(base)) {
    if (typeof variant !== 'object' || variant === null || Array.isArray(variant)) continue;
    if (quick(variant as JsonObject) !== undefined) {
      expect({ variant, zod: schema.safeParse(variant).success }).toEqual({ variant, zod: true });
    }
  }
}

describe('the hand-written checks in front of the decoders’ schemas', () => {
  it('Codex deltas: never more lenient than DeltaEventSchema', () => {
    agrees(
      { type: 'response.output_text.delta', item_id: 'msg_1', summary_index: 0, delta: 'hi', extra: [1] },
      deltaEvent,
      DeltaEventSchema,
    );
  });

  it('Codex response events: never more lenient than ResponseEventSchema', () => {
    agrees(
      {
        type: 'response.completed',
        response: {
          id: 'resp_1',
          model: 'gpt-5.5',
          created_at: 1,
          output: [{ type: 'message' }],
          incomplete_details: { reason: 'max_output_tokens' },
          usage: {
            input_tokens: 1,
            input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
            output_tokens: 2,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: 3,
          },
        },
      },
      responseEvent,
      ResponseEventSchema,
    );
  });

  it('Chat chunks: never more lenient than ChatChunkSchema', () => {
    agrees(
      {
        id: 'c1',
        model: 'm',
        created: 1,
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            delta: {
              content: 'a',
              refusal: null,
              reasoning_content: 'r',
              reasoning: { any: 1 },
              tool_calls: [
                { index: 0, id: 'call_1', type: 'function', function: { name: 'f', arguments: '{}' } },
              ],
              function_call: { name: 'g', arguments: '' },
            },
          },
        ],
        usage: {
          prompt_tokens: 1,
          completion_tokens: 2,
          total_tokens: 3,
          prompt_tokens_details: { cached_tokens: 0 },
          completion_tokens_details: { reasoning_tokens: 0 },
        },
      },
      quickChunk,
      ChatChunkSchema,
    );
  });

  it('Anthropic block deltas: never more lenient than BlockDeltaSchema', () => {
    agrees(
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: 'a', thinking: null, signature: null, partial_json: null },
      },
      blockDelta,
      BlockDeltaSchema,
    );
  });
});

describe('malformed hot events are still reported, once, and skipped', () => {
  it('Codex', () => {
    const { warnings, sink } = collectWarnings();
    const decoder = new CodexStreamDecoder({ onWarning: sink });
    expect(decoder.push({ type: 'response.output_text.delta', delta: 5 })).toEqual([]);
    expect(decoder.push({ type: 'response.output_text.delta', item_id: 3, delta: 'x' })).toEqual([]);
    expect(decoder.push(['response.output_text.delta'])).toEqual([]);
    expect(warnings.map((w) => w.details)).toEqual([
      'codex: skipped a malformed "response.output_text.delta" event',
      'codex: skipped an event without a type',
    ]);
    expect(decoder.push({ type: 'response.output_text.delta', delta: 'ok' }).map((e) => e.type)).toEqual([
      'response_started',
      'text_delta',
    ]);
  });

  it('Chat', () => {
    const { warnings, sink } = collectWarnings();
    const decoder = new ChatStreamDecoder({ provider: 'p', onWarning: sink });
    expect(decoder.push({ choices: [{ index: 0, delta: { content: 5 } }] })).toEqual([]);
    expect(decoder.push({ choices: [{ index: 0.5, delta: { content: 'x' } }] })).toEqual([]);
    expect(warnings.map((w) => w.details)).toEqual(['p: skipped a malformed chunk']);
    // A fragment with extra_content takes the zod path and still decodes.
    const events = decoder.push({
      choices: [
        {
          index: 0,
          delta: {
            tool_calls: [
              {
                id: 'c',
                type: 'function',
                function: { name: 'f', arguments: '{}' },
                extra_content: { a: 1 },
              },
            ],
          },
        },
      ],
    });
    expect(events[0]?.type).toBe('response_started');
  });

  it('Anthropic', () => {
    const { warnings, sink } = collectWarnings();
    const decoder = new AnthropicStreamDecoder({ provider: 'p', onWarning: sink });
    decoder.push({ type: 'message_start', message: { id: 'msg_1', model: 'claude' } });
    decoder.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(
      decoder.push({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 1 } }),
    ).toEqual([]);
    expect(decoder.push({ type: 'content_block_delta', index: '0', delta: { type: 'text_delta' } })).toEqual(
      [],
    );
    expect(warnings.map((w) => w.details)).toEqual(['p: skipped a malformed "content_block_delta" event']);
    const ok = decoder.push({
      type: 'content_block_delta',
      index: 0,
      delta: { type: 'text_delta', text: 'hi' },
    });
    expect(ok).toMatchObject([{ type: 'text_delta', delta: 'hi' }]);
  });
});
