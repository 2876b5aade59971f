import type pg from 'pg';
import { openNodexPg } from '../store/postgres/nodex-pg.js';
import { PgKeyStore } from '../store/postgres/pg-key-store.js';
import { PgUsageStore } from '../store/postgres/pg-usage-store.js';
import { usePgServer } from './pg-server.js';
import type { ResetNote, StoreHarness } from './store-harness.js';

/** Quotes text as a PostgreSQL string literal (DDL takes no bound parameters; test support only). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** The contract's harness, with the pool for PostgreSQL-only checks. */
export type PgHarness = StoreHarness & { readonly pool: pg.Pool };

/**
 * The store contract's harness on PostgreSQL: the nodex schema migrated into `url` (a fresh
 * database from PgServer.createDatabase); `another()` opens a second pool on it, as a second
 * gateway instance would.
 *
 * @example
 * usageStoreContract('PgUsageStore', async () => openPgHarness(await server.createDatabase()));
 */
export async function openPgHarness(url: string): Promise<PgHarness> {
  const pools: pg.Pool[] = [];
  const open = async () => {
    const opened = await openNodexPg(url);
    pools.push(opened);
    return opened;
  };
  const pool = await open();
  return {
    pool,
    keys: new PgKeyStore(pool),
    usage: new PgUsageStore(pool),
    async another() {
      const other = await open();
      return { keys: new PgKeyStore(other), usage: new PgUsageStore(other) };
    },
    async writePolicy(id, json) {
      await pool.query('UPDATE api_keys SET policy = $1::jsonb WHERE id = $2', [json, id]);
    },
    async resets() {
      const { rows } = await pool.query<{ key_id: string; at: string; reason: string }>(
        'SELECT key_id, at, reason FROM usage_resets ORDER BY at, key_id COLLATE "C", seq',
      );
      return rows.map((row): ResetNote => ({ key_id: row.key_id, at: Number(row.at), reason: row.reason }));
    },
    async windowKeys() {
      const { rows } = await pool.query<{ key_id: string }>(
        'SELECT key_id FROM key_windows ORDER BY key_id COLLATE "C"',
      );
      return rows.map((row) => row.key_id);
    },
    async failHistoryInsert(requestId, message) {
      await pool.query(`CREATE FUNCTION nodex_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION ${literal(message)}; END $$`);
      await pool.query(`CREATE TRIGGER poison BEFORE INSERT ON usage_requests FOR EACH ROW
        WHEN (NEW.request_id = ${literal(requestId)}) EXECUTE FUNCTION nodex_poison()`);
      return async () => {
        await pool.query('DROP TRIGGER poison ON usage_requests');
        await pool.query('DROP FUNCTION nodex_poison()');
      };
    },
    async tables() {
      const { rows } = await pool.query<{ name: string }>(
        'SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename COLLATE "C"',
      );
      return rows.map((row) => row.name);
    },
    async close() {
      await Promise.all(pools.splice(0).map((p) => p.end()));
    },
  };
}

/**
 * A throw-away server for the test file, and an OpenHarness giving each test a fresh database on it.
 *
 * @example
 * keyStoreContract('PgKeyStore', usePgHarness());
 */
export function usePgHarness(): () => Promise<PgHarness> {
  const server = usePgServer();
  return async () => openPgHarness(await server().createDatabase());
}
