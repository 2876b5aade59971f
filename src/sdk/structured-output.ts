import { z } from 'zod';
import type { TextFormat } from '../core/request.js';
import { dropOptionalNulls, toStrictJsonSchema } from './strict-schema.js';

/** A zod schema, or a plain JSON Schema object. */
export type SchemaInput<T = unknown> = z.ZodType<T> | Readonly<Record<string, unknown>>;

export function isZodSchema(value: unknown): value is z.ZodType {
  return typeof value === 'object' && value !== null && '_zod' in value;
}

/** A zod schema or a JSON Schema, as a plain JSON Schema (without `$schema`). */
export function toJsonSchema(schema: SchemaInput): Record<string, unknown> {
  const json = isZodSchema(schema)
    ? (z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>)
    : { ...schema };
  delete json.$schema;
  return json;
}

const PARSER = Symbol.for('nodex.sdk.format-parser');

/** A `text.format` that also knows how to parse and validate the answer. */
export type ParseableTextFormat<T> = Extract<TextFormat, { type: 'json_schema' }> & {
  readonly [PARSER]: (text: string) => T;
};

/**
 * A strict `json_schema` text format from a zod schema or a JSON Schema. Pass it as
 * `text: { format }`; the response's `output_parsed` then holds the validated, typed answer.
 *
 * @example
 * const format = jsonSchemaFormat(z.object({ city: z.string(), temp: z.number() }), 'weather');
 * const r = await client.responses.create({ model, input, text: { format } });
 * r.output_parsed?.temp;
 */
export function jsonSchemaFormat<T>(
  schema: SchemaInput<T>,
  name = 'output',
  options: { description?: string } = {},
): ParseableTextFormat<T> {
  const original = toJsonSchema(schema);
  const format = {
    type: 'json_schema' as const,
    name,
    schema: toStrictJsonSchema(original),
    strict: true,
    ...(options.description ? { description: options.description } : {}),
  };
  const parse = (text: string): T => {
    const value = dropOptionalNulls(JSON.parse(text), original);
    return isZodSchema(schema) ? (schema.parse(value) as T) : (value as T);
  };
  Object.defineProperty(format, PARSER, { value: parse, enumerable: false });
  return format as ParseableTextFormat<T>;
}

/**
 * Parses a response's text by its requested format: the format's own parser (zod validation) when it
 * came from `jsonSchemaFormat`, plain JSON for other `json_schema` / `json_object` formats, null for
 * text. Invalid JSON or a failed validation throws.
 */
export function parseOutput(format: TextFormat | undefined, text: string): unknown {
  if (!format || format.type === 'text') return null;
  const parser = (format as { [PARSER]?: (text: string) => unknown })[PARSER];
  if (parser) return parser(text);
  return JSON.parse(text);
}
