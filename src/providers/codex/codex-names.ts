import { createHash } from 'node:crypto';

/** The Responses API limit on function names and `call_id`s (wire.md §2.3 "Name limits", §7.3). */
export const CODEX_NAME_LIMIT = 64;

const HASH_CHARS = 12;

/**
 * Shortens a name or call id over the limit deterministically: a prefix plus `_` and a hash of the
 * whole value, so two long names that share a prefix stay distinct and the same name always maps to
 * the same short form (a replayed history keeps matching). Values within the limit are unchanged.
 *
 * @example
 * shortenCodexName('a'.repeat(80)); // 'aaaa…a_3f2c9d1e0b7a' (64 chars)
 */
export function shortenCodexName(value: string, limit = CODEX_NAME_LIMIT): string {
  if (value.length <= limit) return value;
  const hash = createHash('sha256').update(value).digest('hex').slice(0, HASH_CHARS);
  return `${value.slice(0, limit - HASH_CHARS - 1)}_${hash}`;
}

/**
 * The names and call ids shortened for one request, so the decoder can map what the model sends
 * back (a shortened tool name, a replayed call id) to the caller's original.
 *
 * @example
 * const names = new CodexNames();
 * const short = names.shorten(longToolName);
 * names.original(short) === longToolName; // true
 */
export class CodexNames {
  readonly #originals = new Map<string, string>();

  shorten(value: string): string {
    const short = shortenCodexName(value);
    if (short !== value) this.#originals.set(short, value);
    return short;
  }

  original(value: string): string {
    return this.#originals.get(value) ?? value;
  }
}
