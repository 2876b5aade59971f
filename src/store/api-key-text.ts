import { createHash, randomBytes, randomInt } from 'node:crypto';
import { InvalidRequestError } from '../core/errors.js';

/** Every key nodex generates starts with this; bring-your-own keys may not (see validateByok). */
export const KEY_PREFIX = 'nk-';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 12;
const SECRET_BYTES = 32;
/** `nk-` + 12 [a-z0-9] + `-` + base64url of 32 bytes (43 characters, no padding). */
const GENERATED = /^nk-([a-z0-9]{12})-([A-Za-z0-9_-]{43})$/;
const ID_PATTERN = /^[a-z0-9]{12}$/;

/** Bounds on a bring-your-own key's length. */
export const BYOK_MIN_LENGTH = 16;
export const BYOK_MAX_LENGTH = 256;

/**
 * A new gateway key: a public id (12 characters of [a-z0-9], uniformly random, about 62 bits)
 * and a secret (32 random bytes, base64url), as `nk-<id>-<secret>`. Only `hashKey(key)` is stored.
 * Given an existing id (rotation), only the secret is new.
 *
 * @example
 * const { id, key } = generateKey(); // key = 'nk-0a1b2c3d4e5f-…'
 * const rotated = generateKey(id); // same id, new secret
 */
export function generateKey(existingId?: string): { readonly id: string; readonly key: string } {
  let id = existingId ?? '';
  if (existingId === undefined)
    // randomInt is uniform over [0, 36): no modulo bias.
    for (let i = 0; i < ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  else if (!ID_PATTERN.test(existingId)) throw new Error(`not a key id: ${JSON.stringify(existingId)}`);
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  return { id, key: `${KEY_PREFIX}${id}-${secret}` };
}

/**
 * The public id of a key in nodex's own format, or undefined for any other text (a
 * bring-your-own key). Only the first two dashes separate the parts: the secret is base64url and
 * may itself contain `-` and `_`. The whole text must be exactly what generateKey makes.
 *
 * @example
 * parseKey('nk-0a1b2c3d4e5f-' + 'A'.repeat(43)); // { id: '0a1b2c3d4e5f' }
 * parseKey('my-own-key-text-1234'); // undefined
 */
export function parseKey(text: string): { readonly id: string } | undefined {
  const match = GENERATED.exec(text);
  const id = match?.[1];
  return id === undefined ? undefined : { id };
}

/**
 * What is stored for a key: the SHA-256 (hex) of the whole key text, prefix and id included. The
 * key has 256 bits of entropy (or is the caller's own text), so a fast hash is enough; there is no
 * "already hashed" input form (the ancestor accepted `sha256:<hash>` as a key, C.1.15).
 *
 * @example
 * hashKey('nk-0a1b2c3d4e5f-…'); // '3f7a…' (64 hex characters)
 */
export function hashKey(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Checks the text of a bring-your-own key and returns it, or throws `invalid_request`.
 *
 * - 16 to 256 characters;
 * - printable ASCII only (0x21–0x7E): no spaces, tabs, control or non-ASCII characters — keys
 *   travel in HTTP headers, where those are trimmed, mangled or refused;
 * - must not start with `nk-`: that prefix means "nodex-generated, look the id up", so a chosen
 *   key in that form could never match its record (its id is generated separately).
 *
 * @example
 * validateByok('team-a-4f9c2e7d1b8a'); // 'team-a-4f9c2e7d1b8a'
 * validateByok('short'); // throws InvalidRequestError
 */
export function validateByok(text: string): string {
  const fail = (why: string): never => {
    throw new InvalidRequestError(`bring-your-own key ${why}`, { param: 'key' });
  };
  if (text.length < BYOK_MIN_LENGTH) fail(`must be at least ${BYOK_MIN_LENGTH} characters`);
  if (text.length > BYOK_MAX_LENGTH) fail(`must be at most ${BYOK_MAX_LENGTH} characters`);
  if (!/^[\x21-\x7e]+$/.test(text))
    fail('may contain only printable ASCII characters (no spaces, control or non-ASCII characters)');
  if (text.startsWith(KEY_PREFIX)) fail(`may not start with "${KEY_PREFIX}" (reserved for generated keys)`);
  return text;
}
