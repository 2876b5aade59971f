type Schema = Record<string, unknown>;

function isObject(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function resolveLocalRef(ref: string, root: Schema): Schema | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = root;
  for (const key of ref.slice(2).split('/')) node = isObject(node) ? node[key] : undefined;
  return isObject(node) ? node : undefined;
}

function nullable(schema: Schema): Schema {
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] };
  if (Array.isArray(schema.type))
    return schema.type.includes('null') ? schema : { ...schema, type: [...schema.type, 'null'] };
  if (Array.isArray(schema.anyOf)) {
    return schema.anyOf.some((s) => isObject(s) && s.type === 'null')
      ? schema
      : { ...schema, anyOf: [...schema.anyOf, { type: 'null' }] };
  }
  return { anyOf: [schema, { type: 'null' }] };
}

function strict(node: Schema, root: Schema, depth: number): Schema {
  if (depth > 64) return node;
  let schema: Schema = { ...node };
  // A local $ref with sibling keywords is inlined, since strict mode rejects the combination.
  if (typeof schema.$ref === 'string' && Object.keys(schema).length > 1) {
    const target = resolveLocalRef(schema.$ref, root);
    if (target) {
      const { $ref: _ref, ...rest } = schema;
      schema = { ...target, ...rest };
    }
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1 && isObject(schema.allOf[0])) {
    const { allOf, ...rest } = schema;
    schema = { ...(allOf[0] as Schema), ...rest };
  }
  if (schema.default === null) delete schema.default;
  for (const key of ['$defs', 'definitions'] as const) {
    const defs = schema[key];
    if (isObject(defs))
      schema[key] = Object.fromEntries(
        Object.entries(defs).map(([name, def]) => [name, isObject(def) ? strict(def, root, depth + 1) : def]),
      );
  }
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (Array.isArray(list)) schema[key] = list.map((s) => (isObject(s) ? strict(s, root, depth + 1) : s));
  }
  if (isObject(schema.items)) schema.items = strict(schema.items, root, depth + 1);
  if (isObject(schema.properties) || schema.type === 'object') {
    const properties = isObject(schema.properties) ? schema.properties : {};
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const out: Schema = {};
    for (const [name, sub] of Object.entries(properties)) {
      if (!isObject(sub)) continue;
      const converted = strict(sub, root, depth + 1);
      out[name] = required.has(name) ? converted : nullable(converted);
    }
    schema.properties = out;
    schema.required = Object.keys(out);
    schema.additionalProperties = false;
  }
  return schema;
}

/**
 * Makes a JSON Schema acceptable to OpenAI's strict structured outputs (seeds-spec §B.14):
 * every object gets `additionalProperties: false` and lists all its properties as `required`
 * (optional ones become nullable, so "absent" is still expressible as `null`); `default: null`
 * is dropped, a single `allOf` and a `$ref` with siblings are inlined. Recurses through `$defs`,
 * `definitions`, `properties`, `items`, `anyOf`, `oneOf`, `allOf`. The root must be an object.
 *
 * @example
 * toStrictJsonSchema({ type: 'object', properties: { a: { type: 'string' } } });
 * // { type: 'object', properties: { a: { type: ['string', 'null'] } }, required: ['a'], additionalProperties: false }
 */
export function toStrictJsonSchema(schema: Readonly<Record<string, unknown>>): Schema {
  const root = { ...schema };
  delete root.$schema;
  const type = root.type;
  if (type !== 'object' && !isObject(root.properties)) {
    throw new TypeError(
      'a strict JSON schema must have an object at its root (wrap other values in a property)',
    );
  }
  return strict(root, root, 0);
}

/**
 * Undoes the nullable-optional rewrite on a parsed value: `null` in a property that the ORIGINAL
 * schema did not require becomes absent, so a zod `.optional()` field parses.
 */
export function dropOptionalNulls(
  value: unknown,
  original: Readonly<Record<string, unknown>>,
  root = original,
): unknown {
  let schema: Readonly<Record<string, unknown>> = original;
  if (typeof schema.$ref === 'string') schema = resolveLocalRef(schema.$ref, root as Schema) ?? schema;
  if (Array.isArray(value))
    return isObject(schema.items)
      ? value.map((item) => dropOptionalNulls(item, schema.items as Schema, root))
      : value;
  if (!isObject(value) || !isObject(schema.properties)) return value;
  const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
  const out: Schema = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null && !required.has(key)) continue;
    const sub = schema.properties[key];
    out[key] = isObject(sub) ? dropOptionalNulls(item, sub, root) : item;
  }
  return out;
}
