import { describe, expect, it } from 'vitest';
import { codeOf, type OpenHarness, type StoreContractOptions, useHarness } from './store-harness.js';

export { keyStoreContract } from './key-store-contract.js';
export type { OpenHarness, StoreContractOptions, StoreHarness } from './store-harness.js';
export { usageStoreContract } from './usage-store-contract.js';

/** Text that would break a statement built by concatenation. */
const HOSTILE = [
  "x'); DROP TABLE api_keys; --",
  "' OR '1'='1",
  'k1" OR 1=1 --',
  "robert'); DELETE FROM usage_hourly; --",
  '$1; SELECT pg_sleep(10); --',
  '\u0000null-byte',
];

/**
 * Every value reaches the database as a bound parameter: text that would break a concatenated
 * statement is stored and found back literally, through every key and usage query, and the schema
 * is untouched. Text with U+0000 follows `options.nul` (see StoreContractOptions).
 *
 * @example
 * hostileTextContract('PostgreSQL', openPg, { nul: 'replaced' });
 */
export function hostileTextContract(name: string, open: OpenHarness, options: StoreContractOptions): void {
  describe(`${name} SQL is parameterized (store contract)`, () => {
    const h = useHarness(open);

    it('stores and finds hostile ids, labels, hashes, models and key ids literally', async () => {
      const { keys, usage } = h();
      const before = await h().tables();
      let stored = 0;
      for (const [i, text] of HOSTILE.entries()) {
        const id = `id${i}${text}`;
        const refused = options.nul === 'replaced' && text.includes('\u0000');
        const insert = keys.insert({
          id,
          label: text,
          hash: `h${i}${text}`,
          created_at: 1,
          policy: {},
          byok: true,
        });
        if (refused) {
          expect(await codeOf(insert)).toBe('invalid_request');
          expect(await keys.get(id)).toBeUndefined();
          expect(await keys.findByHash(`h${i}${text}`)).toBeUndefined();
          expect(await keys.update(id, { label: 'x' })).toBeUndefined();
          expect(await keys.addTokens(id, 5)).toBeUndefined();
          await keys.touch(new Map([[id, 5]]));
        } else {
          await insert;
          stored += 1;
          expect(await keys.get(id)).toMatchObject({ id, label: text });
          expect(await keys.findByHash(`h${i}${text}`)).toMatchObject({ id });
          expect(await keys.update(id, { label: `${text}!` })).toMatchObject({ label: `${text}!` });
          expect((await keys.addTokens(id, 5))?.token_balance).toBe(5);
          await keys.touch(new Map([[id, 5]]));
          expect((await keys.get(id))?.last_used_at).toBe(5);
        }
        await usage.record(
          [
            {
              request_id: `r${i}${text}`,
              ts: 1000,
              key_id: text,
              route: text,
              model: text,
              provider: text,
              account: text,
              status: 200,
              error_code: text,
              stream: false,
              input_tokens: 1,
              cached_input_tokens: 0,
              output_tokens: 1,
              reasoning_tokens: 0,
              estimated: false,
              latency_ms: 1,
            },
          ],
          { history: true, windows: new Map([[text, 60_000]]) },
        );
        const seen = refused ? text.replaceAll('\u0000', '\uFFFD') : text;
        expect(await usage.totals({ keyId: text, groupBy: 'model' })).toEqual([
          expect.objectContaining({ key_id: seen, model: seen, provider: seen, account: seen, requests: 1 }),
        ]);
        expect(await usage.requests({ keyId: text })).toEqual([
          expect.objectContaining({ request_id: `r${i}${seen}`, route: seen, error_code: seen }),
        ]);
        expect(await usage.window(text, 60_000, 1001)).toMatchObject({ window_start: 1000, tokens: 2 });
        await usage.reset(text, 2000, 'manual');
        expect((await usage.window(text, 60_000, 2001)).tokens).toBe(0);
      }
      expect(await keys.get("' OR '1'='1")).toBeUndefined();
      expect(await keys.list()).toHaveLength(stored);
      expect(await usage.totals({ keyId: "' OR '1'='1" })).toHaveLength(1);
      expect(await usage.totals({})).toHaveLength(HOSTILE.length);
      expect(await h().tables()).toEqual(before);
    });
  });
}
