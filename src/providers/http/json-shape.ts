/**
 * Hand-written shape checks for the hot stream events (a text delta per upstream event), in front of
 * the decoders' zod schemas. Each check accepts only what the matching schema accepts, and the
 * decoders fall back to the schema whenever a check says no, so malformed input is reported exactly
 * as before; zod no longer runs (and copies the object) for every well-formed delta.
 */
export type JsonObject = Record<string, unknown>;

/** A JSON object (zod's `looseObject` rejects arrays too). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `z.string().nullish()` */
export function nullishString(value: unknown): boolean {
  return value == null || typeof value === 'string';
}

/** `z.number().nullish()` (finite numbers only, as zod 4). */
export function nullishNumber(value: unknown): boolean {
  return value == null || (typeof value === 'number' && Number.isFinite(value));
}

/** `z.number().int().nullish()` (safe integers, as zod 4). */
export function nullishInt(value: unknown): boolean {
  return value == null || Number.isSafeInteger(value);
}

/** A nullish value, or an object whose `keys` are all nullish numbers. */
export function nullishCounts(value: unknown, keys: readonly string[]): boolean {
  if (value == null) return true;
  if (!isObject(value)) return false;
  for (const key of keys) if (!nullishNumber(value[key])) return false;
  return true;
}
