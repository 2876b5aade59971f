import { z } from 'zod';
import type { TextFormat } from '../../core/request.js';
import type { IssueSink } from './request-issues.js';

/**
 * The fields of an OpenAI JSON-schema output format, shared by Responses `text.format` (flat) and
 * Chat `response_format.json_schema` (nested).
 */
export const JsonSchemaSpec = z.looseObject({
  name: z.string().min(1).max(64).default('output'),
  schema: z.record(z.string(), z.unknown()),
  strict: z.boolean().nullish(),
  description: z.string().nullish(),
});

/** A parsed JSON-schema spec as the canonical text format (null strict / description left out). */
export function jsonSchemaTextFormat(spec: z.infer<typeof JsonSchemaSpec>): TextFormat {
  const { name, schema, strict, description } = spec;
  return {
    type: 'json_schema',
    name,
    schema,
    ...(typeof strict === 'boolean' ? { strict } : {}),
    ...(description ? { description } : {}),
  };
}

/**
 * An optional numeric parameter: absent or null → undefined; not a finite number, or outside the
 * accepted range, → undefined with an issue naming it (dropped, not fatal).
 *
 * @example
 * numberParam({ temperature: 5 }, 'temperature', (n) => n >= 0 && n <= 2, 'between 0 and 2', onIssue);
 * // undefined, issue out_of_range_temperature
 */
export function numberParam(
  body: Readonly<Record<string, unknown>>,
  key: string,
  ok: (n: number) => boolean,
  range: string,
  onIssue: IssueSink,
): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    onIssue({ code: `invalid_${key}`, param: key, message: `${key} must be a number; dropped` });
    return undefined;
  }
  if (!ok(value)) {
    onIssue({ code: `out_of_range_${key}`, param: key, message: `${key} must be ${range}; dropped` });
    return undefined;
  }
  return value;
}
