import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { exampleFromSchema } from './example-from-schema.js';

const schemas: Record<string, Record<string, unknown>> = {
  'nested objects and arrays': {
    type: 'object',
    properties: {
      user: {
        type: 'object',
        properties: { name: { type: 'string' }, age: { type: 'integer', minimum: 50 } },
        required: ['name', 'age'],
      },
      ids: { type: 'array', items: { type: 'number' }, maxItems: 1 },
    },
    required: ['user', 'ids'],
  },
  'anyOf, oneOf and allOf': {
    type: 'object',
    properties: {
      a: { anyOf: [{ type: 'null' }, { type: 'boolean' }] },
      b: { oneOf: [{ type: 'string', maxLength: 3 }, { type: 'number' }] },
      c: {
        allOf: [
          { type: 'object', properties: { x: { type: 'string' } }, required: ['x'] },
          { type: 'object', properties: { y: { type: 'number' } }, required: ['y'] },
        ],
      },
    },
    required: ['a', 'b', 'c'],
  },
  'const, default and formats': {
    type: 'object',
    properties: {
      kind: { const: 'fixed' },
      level: { type: 'integer', default: 3 },
      site: { type: 'string', format: 'uri' },
    },
    required: ['kind', 'level', 'site'],
  },
};

describe('exampleFromSchema', () => {
  for (const [name, schema] of Object.entries(schemas)) {
    it(`produces a valid instance: ${name}`, () => {
      const value = exampleFromSchema(schema);
      const result = z.fromJSONSchema(schema).safeParse(value);
      expect(result.error?.issues ?? []).toEqual([]);
    });
  }

  it('clamps numbers to their bounds and strings to their length limits', () => {
    expect(exampleFromSchema({ type: 'integer', minimum: 50 })).toBe(50);
    expect(exampleFromSchema({ type: 'number', maximum: 3 })).toBe(3);
    expect(exampleFromSchema({ type: 'string', maxLength: 2 })).toBe('mo');
    expect(exampleFromSchema({ type: 'string', minLength: 6 })).toBe('mockxx');
  });

  it('stays small whatever the schema asks for (schemas come from gateway clients)', () => {
    expect(exampleFromSchema({ type: 'string', minLength: Number.POSITIVE_INFINITY })).toHaveLength(1024);
    expect(exampleFromSchema({ type: 'array', minItems: 1e9 })).toHaveLength(64);
    const nested = {
      type: 'array',
      minItems: 1e9,
      items: { type: 'array', minItems: 1e9, items: { type: 'string', minLength: 1e9 } },
    };
    expect(JSON.stringify(exampleFromSchema(nested)).length).toBeLessThan(100_000);
    const properties = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`p${i}`, { $ref: '#' }]));
    expect(JSON.stringify(exampleFromSchema({ type: 'object', properties })).length).toBeLessThan(100_000);
  });

  it('stops on self-referencing schemas and tolerates a missing schema', () => {
    const recursive = { type: 'object', properties: { child: { $ref: '#' } } };
    expect(() => exampleFromSchema(recursive)).not.toThrow();
    expect(exampleFromSchema(undefined)).toEqual({});
  });
});
