import { randomBytes } from 'node:crypto';

/** The id prefixes OpenAI uses, so ids look familiar in logs and tools (`file-…`, `vs_…`, `vsfb_…`). */
export type IdPrefix = 'file-' | 'vs_' | 'vsfb_';

/**
 * A new random id: the prefix and 24 hex characters (96 bits), safe as a file name.
 *
 * @example
 * newId('file-'); // 'file-3f9c0a…'
 */
export function newId(prefix: IdPrefix): string {
  return prefix + randomBytes(12).toString('hex');
}

/** Milliseconds since the epoch; injectable so tests can move time without sleeping. */
export type Clock = () => number;

/** Unix seconds from a clock, the unit of every `created_at` in the OpenAI shapes. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock() / 1000);
}
