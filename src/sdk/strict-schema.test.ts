import { describe, expect, it } from 'vitest';
import { dropOptionalNulls, toStrictJsonSchema } from './strict-schema.js';

describe('toStrictJsonSchema (seeds-spec §B.14)', () => {
  it('requires every property, makes optional ones nullable, closes objects, recursing through the keywords', () => {
    const strict = toStrictJsonSchema({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        a: { type: 'string', default: null },
        list: {
          type: 'array',
          items: { type: 'object', properties: { x: { type: 'number' } }, required: ['x'] },
        },
        either: { anyOf: [{ type: 'object', properties: { y: { type: 'string' } } }, { type: 'string' }] },
        ref: { $ref: '#/$defs/Thing', description: 'inlined because of the sibling' },
        merged: { allOf: [{ type: 'object', properties: { z: { type: 'boolean' } } }] },
      },
      required: ['list', 'either', 'ref', 'merged'],
      $defs: { Thing: { type: 'object', properties: { t: { type: 'integer' } } } },
    });
    expect(strict).toEqual({
      type: 'object',
      properties: {
        a: { type: ['string', 'null'] },
        list: {
          type: 'array',
          items: {
            type: 'object',
            properties: { x: { type: 'number' } },
            required: ['x'],
            additionalProperties: false,
          },
        },
        either: {
          anyOf: [
            {
              type: 'object',
              properties: { y: { type: ['string', 'null'] } },
              required: ['y'],
              additionalProperties: false,
            },
            { type: 'string' },
          ],
        },
        ref: {
          type: 'object',
          properties: { t: { type: ['integer', 'null'] } },
          required: ['t'],
          additionalProperties: false,
          description: 'inlined because of the sibling',
        },
        merged: {
          type: 'object',
          properties: { z: { type: ['boolean', 'null'] } },
          required: ['z'],
          additionalProperties: false,
        },
      },
      required: ['a', 'list', 'either', 'ref', 'merged'],
      additionalProperties: false,
      $defs: {
        Thing: {
          type: 'object',
          properties: { t: { type: ['integer', 'null'] } },
          required: ['t'],
          additionalProperties: false,
        },
      },
    });
  });

  it('rejects a non-object root and leaves nullable schemas alone', () => {
    expect(() => toStrictJsonSchema({ type: 'string' })).toThrow(/object at its root/);
    const already = toStrictJsonSchema({
      type: 'object',
      properties: { n: { anyOf: [{ type: 'string' }, { type: 'null' }] } },
    });
    expect(already.properties).toEqual({ n: { anyOf: [{ type: 'string' }, { type: 'null' }] } });
  });

  it('dropOptionalNulls removes nulls only where the original schema did not require the key', () => {
    const original = {
      type: 'object',
      properties: {
        req: { type: ['string', 'null'] },
        opt: { type: 'string' },
        list: { type: 'array', items: { type: 'object', properties: { o: { type: 'string' } } } },
      },
      required: ['req', 'list'],
    };
    expect(dropOptionalNulls({ req: null, opt: null, list: [{ o: null }] }, original)).toEqual({
      req: null,
      list: [{}],
    });
  });
});
