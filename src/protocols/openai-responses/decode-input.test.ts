import { describe, expect, it } from 'vitest';
import { NodexError } from '../../core/errors.js';
import type { Warning } from '../../core/warnings.js';
import { fixtureJson } from '../../testing/fixtures.js';
import { packReasoning } from '../opaque-reasoning.js';
import { decodeResponsesInput } from './decode-input.js';

describe('decodeResponsesInput', () => {
  it('decodes a string and a single item', () => {
    expect(decodeResponsesInput('hi')).toEqual([
      { type: 'message', role: 'user', content: [{ type: 'text', text: 'hi' }] },
    ]);
    expect(decodeResponsesInput({ role: 'developer', content: 'be brief' })).toEqual([
      { type: 'message', role: 'developer', content: [{ type: 'text', text: 'be brief' }] },
    ]);
  });

  it('decodes every item type of the Codex request fixture', () => {
    const { body } = fixtureJson<{ body: { input: unknown[] } }>('codex-request.json');
    const warnings: Warning[] = [];
    const items = decodeResponsesInput(body.input, { onWarning: (w) => warnings.push(w) });
    expect(items.map((item) => item.type)).toEqual(
      body.input.map((item) => (item as { type?: string }).type ?? 'message'),
    );
    expect(warnings).toEqual([]);
    const image = items
      .flatMap((item) => (item.type === 'message' ? item.content : []))
      .find((part) => part.type === 'image');
    expect(image).toMatchObject({ type: 'image', image_url: expect.stringMatching(/^(data:|https:)/) });
    const reasoning = items.find((item) => item.type === 'reasoning');
    expect(reasoning).toMatchObject({ encrypted_content: expect.stringMatching(/^gAAAA/) });
  });

  it('maps assistant output_text and refusals to text parts; function outputs keep text or parts', () => {
    const items = decodeResponsesInput([
      {
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'output_text', text: 'a' },
          { type: 'refusal', refusal: 'no' },
        ],
      },
      { type: 'function_call_output', call_id: 'c', output: [{ type: 'input_text', text: 'out' }] },
      { type: 'function_call_output', call_id: 'd', output: 'plain' },
    ]);
    expect(items).toEqual([
      {
        type: 'message',
        role: 'assistant',
        content: [
          { type: 'text', text: 'a' },
          { type: 'text', text: 'no' },
        ],
      },
      { type: 'function_call_output', call_id: 'c', output: [{ type: 'text', text: 'out' }] },
      { type: 'function_call_output', call_id: 'd', output: 'plain' },
    ]);
  });

  it('names the index and the problem for invalid items', () => {
    const cases: Array<[unknown, RegExp]> = [
      [
        [
          { role: 'user', content: 'ok' },
          { type: 'function_call', name: 'f', arguments: '{}' },
        ],
        /^input\[1\]\.call_id: is required \(expected string\)$/,
      ],
      [[{ role: 'wizard', content: 'x' }], /^input\[0\]\.role: /],
      [
        [{ role: 'user', content: [{ type: 'input_text' }] }],
        /^input\[0\]\.content\[0\]\.text: is required \(expected string\)$/,
      ],
      [[42], /^input\[0\]: expected an object/],
      [{ nope: true }, /^input\[0\]\.role/],
      [7, /^input: expected a string or an array/],
    ];
    for (const [input, message] of cases) {
      try {
        decodeResponsesInput(input);
        expect.unreachable(`no error for ${JSON.stringify(input)}`);
      } catch (error) {
        expect(NodexError.isInstance(error) && error.code).toBe('invalid_request');
        expect((error as Error).message).toMatch(message);
      }
    }
  });

  it('restores reasoning of another provider from a nodex token in encrypted_content', () => {
    const item = {
      type: 'reasoning' as const,
      summary: [],
      text: 'hm',
      provider_data: { anthropic: { signature: 'sig' } },
    };
    const warnings: Warning[] = [];
    const decoded = decodeResponsesInput(
      [
        { type: 'reasoning', id: 'rs_9', summary: [], encrypted_content: packReasoning(item) },
        { type: 'reasoning', summary: [], encrypted_content: 'nodex:v1:%%%' },
      ],
      { onWarning: (w) => warnings.push(w) },
    );
    expect(decoded).toEqual([{ ...item, id: 'rs_9' }]);
    expect(warnings.map((w) => w.feature)).toEqual(['input.reasoning']);
  });

  it('drops unknown item and content types with a warning, or rejects them in strict mode', () => {
    const warnings: Warning[] = [];
    const items = decodeResponsesInput(
      [
        { type: 'item_reference', id: 'rs_1' },
        {
          role: 'user',
          content: [
            { type: 'input_file', file_id: 'f' },
            { type: 'input_image', file_id: 'img' },
            { type: 'input_text', text: 'keep' },
          ],
        },
      ],
      { onWarning: (w) => warnings.push(w) },
    );
    expect(items).toEqual([{ type: 'message', role: 'user', content: [{ type: 'text', text: 'keep' }] }]);
    expect(warnings.map((w) => w.feature)).toEqual([
      'input.item_reference',
      'content.input_file',
      'input_image.file_id',
    ]);
    expect(() =>
      decodeResponsesInput([{ type: 'item_reference' }], { strict: true, field: '--input-json' }),
    ).toThrow(/^--input-json\[0\]\.type: unknown item type "item_reference"/);
  });
});
