import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type PgHarness, usePgHarness } from '../../testing/pg-store-harness.js';
import { keyStoreContract } from '../../testing/store-contract.js';
import { codeOf, newKey } from '../../testing/store-harness.js';

const open = usePgHarness();

// The cases every KeyStore passes (src/testing/key-store-contract.ts), on a real PostgreSQL.
keyStoreContract('PgKeyStore', open);

describe('PgKeyStore (PostgreSQL only)', () => {
  let h: PgHarness;
  beforeEach(async () => {
    h = await open();
  });
  afterEach(() => h.close());

  it('refuses a rotation to a taken hash with conflict', async () => {
    await h.keys.insert(newKey('aaaaaaaaaaaa'));
    await h.keys.insert(newKey('bbbbbbbbbbbb'));
    const rotation = h.keys.update('aaaaaaaaaaaa', { hash: 'hash-bbbbbbbbbbbb' });
    await expect(rotation).rejects.toThrow(/already in use/);
    expect(await codeOf(h.keys.update('aaaaaaaaaaaa', { hash: 'hash-bbbbbbbbbbbb' }))).toBe('conflict');
  });

  it('refuses text PostgreSQL cannot hold (U+0000) as a bad request, and finds nothing by it', async () => {
    expect(await codeOf(h.keys.insert(newKey('a\u0000b')))).toBe('invalid_request');
    expect(await codeOf(h.keys.insert(newKey('aaaaaaaaaaaa', { label: 'x\u0000' })))).toBe('invalid_request');
    expect(await codeOf(h.keys.insert(newKey('aaaaaaaaaaaa', { policy: { models: ['\u0000'] } })))).toBe(
      'invalid_request',
    );
    await h.keys.insert(newKey('aaaaaaaaaaaa'));
    expect(await codeOf(h.keys.update('aaaaaaaaaaaa', { label: '\u0000' }))).toBe('invalid_request');
    expect(await h.keys.get('a\u0000b')).toBeUndefined();
    expect(await h.keys.findByHash('\u0000')).toBeUndefined();
    expect((await h.keys.get('aaaaaaaaaaaa'))?.label).toBe('label aaaaaaaaaaaa');
  });

  it('stores the policy as JSONB and times as BIGINT', async () => {
    await h.keys.insert(newKey('aaaaaaaaaaaa', { policy: { rpm: 3 }, expires_at: 2 ** 45 }));
    const { rows } = await h.pool.query(
      `SELECT jsonb_typeof(policy) AS policy, pg_typeof(expires_at)::text AS expires FROM api_keys`,
    );
    expect(rows).toEqual([{ policy: 'object', expires: 'bigint' }]);
  });
});
