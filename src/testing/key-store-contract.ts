import { describe, expect, it } from 'vitest';
import { codeOf, newKey, type OpenHarness, useHarness } from './store-harness.js';

/**
 * The behaviour every KeyStore implementation shares: the same test cases run against SQLite and
 * PostgreSQL. Call it at the top level of a test file with a function opening a fresh database.
 *
 * @example
 * keyStoreContract('SqliteKeyStore', openSqliteHarness);
 */
export function keyStoreContract(name: string, open: OpenHarness): void {
  describe(`${name} (key store contract)`, () => {
    const h = useHarness(open);

    it('inserts and reads back every field, leaving unset optional fields absent', async () => {
      const store = h().keys;
      const policy = {
        rpm: 10,
        tpm: 5000,
        quota: { tokens: 1_000_000, window: 86_400_000 },
        models: ['gpt-*'],
      };
      const full = await store.insert(
        newKey('aaaaaaaaaaaa', { expires_at: 5000, policy, token_balance: 42, byok: true }),
      );
      expect(full).toEqual({
        id: 'aaaaaaaaaaaa',
        label: 'label aaaaaaaaaaaa',
        hash: 'hash-aaaaaaaaaaaa',
        created_at: 1000,
        expires_at: 5000,
        policy,
        token_balance: 42,
        byok: true,
      });
      expect(await store.get('aaaaaaaaaaaa')).toEqual(full);
      expect(await store.findByHash('hash-aaaaaaaaaaaa')).toEqual(full);
      const bare = await store.insert(newKey('bbbbbbbbbbbb'));
      expect(Object.keys(bare).sort()).toEqual(['byok', 'created_at', 'hash', 'id', 'label', 'policy']);
      expect(await store.get('nope')).toBeUndefined();
      expect(await store.findByHash('nope')).toBeUndefined();
    });

    it('keeps times and balances past 2^31 as exact numbers', async () => {
      const at = Date.UTC(2100, 0, 1);
      const record = await h().keys.insert(
        newKey('aaaaaaaaaaaa', { created_at: at, expires_at: at + 1, token_balance: 2 ** 40 }),
      );
      expect(record).toMatchObject({ created_at: at, expires_at: at + 1, token_balance: 2 ** 40 });
      expect(await h().keys.get('aaaaaaaaaaaa')).toEqual(record);
    });

    it('rejects a taken id or hash with conflict, saying which', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa'));
      await expect(store.insert(newKey('aaaaaaaaaaaa', { hash: 'other' }))).rejects.toThrow(
        /id aaaaaaaaaaaa/,
      );
      expect(await codeOf(store.insert(newKey('aaaaaaaaaaaa', { hash: 'other' })))).toBe('conflict');
      await expect(store.insert(newKey('cccccccccccc', { hash: 'hash-aaaaaaaaaaaa' }))).rejects.toThrow(
        /already in use/,
      );
      expect(await codeOf(store.insert(newKey('cccccccccccc', { hash: 'hash-aaaaaaaaaaaa' })))).toBe(
        'conflict',
      );
      expect(await store.list({ includeRevoked: true })).toHaveLength(1);
    });

    it('lists oldest first, revoked keys only when asked', async () => {
      const store = h().keys;
      await store.insert(newKey('second000000', { created_at: 2000 }));
      await store.insert(newKey('first0000000', { created_at: 1000 }));
      await store.insert(newKey('third0000000', { created_at: 3000 }));
      await store.insert(newKey('third0000001', { created_at: 3000 }));
      await store.update('second000000', { revoked_at: 4000 });
      expect((await store.list()).map((k) => k.id)).toEqual(['first0000000', 'third0000000', 'third0000001']);
      expect((await store.list({ includeRevoked: true })).map((k) => k.id)).toEqual([
        'first0000000',
        'second000000',
        'third0000000',
        'third0000001',
      ]);
    });

    it('updates only the fields in the patch, and null clears one', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa', { expires_at: 5000, token_balance: 7, policy: { rpm: 1 } }));
      const relabelled = await store.update('aaaaaaaaaaaa', { label: 'new' });
      expect(relabelled).toMatchObject({
        label: 'new',
        expires_at: 5000,
        token_balance: 7,
        policy: { rpm: 1 },
      });
      const cleared = await store.update('aaaaaaaaaaaa', {
        expires_at: null,
        token_balance: null,
        policy: {},
      });
      expect(cleared?.expires_at).toBeUndefined();
      expect(cleared?.token_balance).toBeUndefined();
      expect(cleared?.policy).toEqual({});
      expect(cleared?.label).toBe('new');
      const rotated = await store.update('aaaaaaaaaaaa', { hash: 'hash-2', rotated_at: 9000, byok: true });
      expect(rotated).toMatchObject({ hash: 'hash-2', rotated_at: 9000, label: 'new', byok: true });
      expect(await store.findByHash('hash-aaaaaaaaaaaa')).toBeUndefined();
      expect(await store.update('aaaaaaaaaaaa', {})).toEqual(rotated);
      expect(await store.update('missing00000', { label: 'x' })).toBeUndefined();
    });

    it('refuses a rotation to a hash another key holds, changing nothing', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa'));
      await store.insert(newKey('bbbbbbbbbbbb'));
      expect(await codeOf(store.update('aaaaaaaaaaaa', { hash: 'hash-bbbbbbbbbbbb', label: 'x' }))).toBe(
        'conflict',
      );
      expect(await store.get('aaaaaaaaaaaa')).toMatchObject({
        hash: 'hash-aaaaaaaaaaaa',
        label: 'label aaaaaaaaaaaa',
      });
      expect((await store.findByHash('hash-bbbbbbbbbbbb'))?.id).toBe('bbbbbbbbbbbb');
    });

    it('adds tokens atomically from no balance, negative deltas included', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa'));
      expect((await store.addTokens('aaaaaaaaaaaa', 100))?.token_balance).toBe(100);
      expect((await store.addTokens('aaaaaaaaaaaa', -30))?.token_balance).toBe(70);
      const { keys: other } = await h().another();
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).addTokens('aaaaaaaaaaaa', 1)),
      );
      expect((await store.get('aaaaaaaaaaaa'))?.token_balance).toBe(90);
      expect(await store.addTokens('missing00000', 1)).toBeUndefined();
      expect(await codeOf(store.addTokens('aaaaaaaaaaaa', 1.5))).toBe('invalid_request');
    });

    it('lands 50 parallel debits from two processes exactly, every intermediate balance distinct', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa', { token_balance: 1000 }));
      const { keys: other } = await h().another();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 ? store : other).addTokens('aaaaaaaaaaaa', -7)),
      );
      expect((await store.get('aaaaaaaaaaaa'))?.token_balance).toBe(1000 - 50 * 7);
      // Each debit saw the balance its own update produced: no two read the same starting value.
      expect(new Set(results.map((r) => r?.token_balance)).size).toBe(50);
    });

    it('touches many keys in one call and never moves last_used_at backwards', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa'));
      await store.insert(newKey('bbbbbbbbbbbb'));
      await store.touch(
        new Map([
          ['aaaaaaaaaaaa', 5000],
          ['bbbbbbbbbbbb', 6000],
          ['unknown00000', 7000],
        ]),
      );
      expect((await store.get('aaaaaaaaaaaa'))?.last_used_at).toBe(5000);
      expect((await store.get('bbbbbbbbbbbb'))?.last_used_at).toBe(6000);
      await store.touch(new Map([['aaaaaaaaaaaa', 4000]]));
      expect((await store.get('aaaaaaaaaaaa'))?.last_used_at).toBe(5000);
      await store.touch(new Map());
    });

    it('two stores on one database (the CLI and the gateway) see each other at once', async () => {
      const cli = h().keys;
      const { keys: gateway } = await h().another();
      await cli.insert(newKey('aaaaaaaaaaaa', { policy: { rpm: 5 } }));
      expect(await gateway.findByHash('hash-aaaaaaaaaaaa')).toMatchObject({ id: 'aaaaaaaaaaaa' });
      await gateway.touch(new Map([['aaaaaaaaaaaa', 8000]]));
      await cli.update('aaaaaaaaaaaa', { revoked_at: 9000, policy: { rpm: 1 } });
      expect(await gateway.get('aaaaaaaaaaaa')).toMatchObject({
        revoked_at: 9000,
        policy: { rpm: 1 },
        last_used_at: 8000,
      });
      await gateway.addTokens('aaaaaaaaaaaa', 3);
      expect((await cli.get('aaaaaaaaaaaa'))?.token_balance).toBe(3);
      expect(await codeOf(gateway.insert(newKey('aaaaaaaaaaaa', { hash: 'x' })))).toBe('conflict');
    });

    it('treats key text in SQL-looking form as plain data', async () => {
      const store = h().keys;
      const id = "x' OR '1'='1";
      await store.insert(newKey(id, { label: "'); DROP TABLE api_keys; --" }));
      expect(await store.get("anything' OR '1'='1")).toBeUndefined();
      expect((await store.get(id))?.label).toBe("'); DROP TABLE api_keys; --");
    });

    it('reports a corrupt stored policy instead of returning it', async () => {
      const store = h().keys;
      await store.insert(newKey('aaaaaaaaaaaa'));
      await h().writePolicy('aaaaaaaaaaaa', '{"rpm":"many"}');
      expect(await codeOf(store.get('aaaaaaaaaaaa'))).toBe('internal_error');
    });
  });
}
