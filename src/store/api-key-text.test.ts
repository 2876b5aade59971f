import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { NodexError } from '../core/errors.js';
import { generateKey, hashKey, parseKey, validateByok } from './api-key-text.js';

function invalidMessage(text: string): string {
  try {
    validateByok(text);
  } catch (error) {
    expect(NodexError.isInstance(error) && error.code).toBe('invalid_request');
    return (error as Error).message;
  }
  throw new Error(`validateByok accepted ${JSON.stringify(text)}`);
}

describe('generateKey', () => {
  it('makes nk-<12 [a-z0-9]>-<base64url of 32 bytes> and the id it embeds', () => {
    const { id, key } = generateKey();
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    expect(key.startsWith(`nk-${id}-`)).toBe(true);
    const secret = key.slice(`nk-${id}-`.length);
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  it('never repeats an id or a secret', () => {
    const keys = Array.from({ length: 200 }, () => generateKey());
    expect(new Set(keys.map((k) => k.id)).size).toBe(200);
    expect(new Set(keys.map((k) => k.key)).size).toBe(200);
  });

  it('given an id, keeps it and makes only a new secret (rotation)', () => {
    const first = generateKey();
    const rotated = generateKey(first.id);
    expect(rotated.id).toBe(first.id);
    expect(parseKey(rotated.key)).toEqual({ id: first.id });
    expect(rotated.key).not.toBe(first.key);
    expect(() => generateKey('Not-An-Id')).toThrow(/not a key id/);
  });

  it('uses the whole id alphabet (digits and letters)', () => {
    const chars = new Set(
      Array.from({ length: 100 }, () => generateKey().id)
        .join('')
        .split(''),
    );
    expect([...chars].some((c) => /[0-9]/.test(c))).toBe(true);
    expect([...chars].some((c) => /[a-z]/.test(c))).toBe(true);
  });
});

describe('parseKey', () => {
  it('reads the id of every generated key', () => {
    for (let i = 0; i < 50; i++) {
      const { id, key } = generateKey();
      expect(parseKey(key)).toEqual({ id });
    }
  });

  it('splits at the first two dashes only: the secret may contain - and _', () => {
    const secret = `-_${'a'.repeat(39)}-_`;
    expect(parseKey(`nk-abcdef012345-${secret}`)).toEqual({ id: 'abcdef012345' });
  });

  it('refuses anything that is not exactly the generated format', () => {
    const secret = 'A'.repeat(43);
    for (const text of [
      '',
      'nk-',
      `nk-abcdef012345-${secret}x`,
      `nk-abcdef012345-${secret.slice(1)}`,
      `nk-ABCDEF012345-${secret}`,
      `nk-abcdef01234-${secret}`,
      `nk-abcdef012345-${secret.slice(1)}=`,
      `nk_abcdef012345-${secret}`,
      ` nk-abcdef012345-${secret}`,
      'my-own-key-text-1234',
    ])
      expect(parseKey(text), text).toBeUndefined();
  });
});

describe('hashKey', () => {
  it('is the SHA-256 hex of the whole key text', () => {
    const { key } = generateKey();
    expect(hashKey(key)).toBe(createHash('sha256').update(key).digest('hex'));
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('differs when only the prefix or id differs', () => {
    const secret = 'B'.repeat(43);
    expect(hashKey(`nk-aaaaaaaaaaaa-${secret}`)).not.toBe(hashKey(`nk-bbbbbbbbbbbb-${secret}`));
  });
});

describe('validateByok', () => {
  it('accepts 16 to 256 printable ASCII characters', () => {
    expect(validateByok('a'.repeat(16))).toBe('a'.repeat(16));
    expect(validateByok('~'.repeat(256))).toBe('~'.repeat(256));
    expect(validateByok('team-a_4f9c2e7d!:/+=')).toBe('team-a_4f9c2e7d!:/+=');
  });

  it('refuses short and long texts', () => {
    expect(invalidMessage('a'.repeat(15))).toMatch(/at least 16/);
    expect(invalidMessage('a'.repeat(257))).toMatch(/at most 256/);
  });

  it('refuses whitespace, control and non-ASCII characters', () => {
    for (const text of [
      'abcdefgh ijklmnop',
      'abcdefgh\tijklmnop',
      'abcdefghijklmnop\n',
      'abcdefgh\u0000ijklmnop',
      'abcdefghijklmnopé',
    ])
      expect(invalidMessage(text)).toMatch(/printable ASCII/);
  });

  it('refuses the nk- prefix, which generated keys own', () => {
    expect(invalidMessage(generateKey().key)).toMatch(/nk-/);
    expect(invalidMessage('nk-my-own-long-key')).toMatch(/reserved/);
  });
});
