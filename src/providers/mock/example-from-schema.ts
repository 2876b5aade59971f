import type { JsonSchema } from '../../core/request.js';

type Schema = Readonly<Record<string, unknown>>;

const MAX_DEPTH = 8;
/**
 * Bounds against hostile schemas (a gateway client chooses them): the size of one example (a node
 * each, and a node per 16 characters of string), string length and array length.
 */
const MAX_NODES = 2_000;
const MAX_STRING = 1_024;
const MAX_ITEMS = 64;

interface Budget {
  nodes: number;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveRef(ref: string, root: Schema): Schema | undefined {
  // Local references only (`#/$defs/Name`, `#/definitions/Name`): tool schemas do not fetch.
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const key of ref.slice(2).split('/')) {
    if (!isSchema(node)) return undefined;
    node = node[key.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return isSchema(node) ? node : undefined;
}

function firstType(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type)) return type.find((t) => t !== 'null') ?? type[0];
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function numberFor(schema: Schema, integer: boolean): number {
  const min = typeof schema.minimum === 'number' ? schema.minimum : undefined;
  const max = typeof schema.maximum === 'number' ? schema.maximum : undefined;
  let value = 42;
  if (min !== undefined && value < min) value = min;
  if (max !== undefined && value > max) value = max;
  return integer ? Math.ceil(value) : value;
}

function stringFor(schema: Schema): string {
  const minLength = Math.min(typeof schema.minLength === 'number' ? schema.minLength : 0, MAX_STRING);
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  let value =
    schema.format === 'date-time'
      ? '2026-01-01T00:00:00Z'
      : schema.format === 'uri'
        ? 'https://example.com'
        : 'mock';
  while (value.length < minLength) value += 'x';
  return value.slice(0, Math.max(minLength, Math.min(value.length, maxLength)));
}

function example(schema: Schema, root: Schema, depth: number, budget: Budget): unknown {
  budget.nodes -= 1;
  if (depth > MAX_DEPTH || budget.nodes < 0) return null;
  if (typeof schema.$ref === 'string') {
    const target = resolveRef(schema.$ref, root);
    return target ? example(target, root, depth + 1, budget) : {};
  }
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  if ('default' in schema) return schema.default;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const pick = options.find((o) => isSchema(o) && o.type !== 'null') ?? options[0];
      if (isSchema(pick)) return example(pick, root, depth + 1, budget);
    }
  }
  if (Array.isArray(schema.allOf)) {
    const merged: Record<string, unknown> = {};
    for (const part of schema.allOf) {
      const value = isSchema(part) ? example(part, root, depth + 1, budget) : undefined;
      if (isSchema(value)) Object.assign(merged, value);
    }
    return merged;
  }
  switch (firstType(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      for (const [name, sub] of Object.entries(properties))
        if (isSchema(sub)) out[name] = example(sub, root, depth + 1, budget);
      return out;
    }
    case 'array': {
      const items = isSchema(schema.items) ? schema.items : {};
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 1);
      const count = Math.min(Math.max(min, 1), max, MAX_ITEMS);
      return Array.from({ length: count }, () => example(items, root, depth + 1, budget));
    }
    case 'string': {
      const text = stringFor(schema);
      budget.nodes -= Math.floor(text.length / 16); // long strings use up the budget too
      return text;
    }
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

/**
 * A deterministic value that satisfies a JSON Schema (the common keywords: type, properties,
 * items, enum, const, default, min/max, anyOf/oneOf/allOf, local `$ref`). The mock provider uses it
 * to produce tool-call arguments that are valid for whatever tool the caller offered.
 *
 * @example
 * exampleFromSchema({ type: 'object', properties: { city: { type: 'string' } } }); // { city: 'mock' }
 */
export function exampleFromSchema(schema: JsonSchema | undefined): unknown {
  if (!schema) return {};
  return example(schema, schema, 0, { nodes: MAX_NODES });
}
