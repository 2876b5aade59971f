import type pg from 'pg';
import { openPgPool, type PgPoolOptions } from './pg-pool.js';
import { migratePg } from './pg-schema.js';

/**
 * Opens the nodex database on PostgreSQL (`state.driver: postgres`, `state.url`): a checked pool,
 * migrated to this build's schema. Several gateway instances may open it at once (the migration
 * takes an advisory lock). Close it with `pool.end()`.
 *
 * @example
 * const pool = await openNodexPg(config.state.url, { onError: (error) => log.warn({ err: error }) });
 * const keys = new PgKeyStore(pool);
 * const usage = new PgUsageStore(pool);
 */
export async function openNodexPg(url: string, options: PgPoolOptions = {}): Promise<pg.Pool> {
  const pool = await openPgPool(url, options);
  try {
    await migratePg(pool);
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw error;
  }
}
