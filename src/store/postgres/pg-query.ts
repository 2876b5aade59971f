import type pg from 'pg';
import { NodexError } from '../../core/errors.js';

/** Anything that runs a query: the pool (one statement, autocommit) or a client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Node socket errors meaning the server cannot be reached. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);
/** SQLSTATEs of a server going away, full, or cancelling us for our statement timeout. */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '53400', '57014', '25P03']);
/** A transaction that lost a race (deadlock, serialization failure): safe to run again from the start. */
const RACE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 5;

function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * The typed form of a driver error: the server unreachable, restarting, out of connections or too
 * slow becomes `store_unavailable` (503, retryable); anything else is returned as it is.
 *
 * @example
 * try { await pool.query(sql, values); } catch (error) { throw storeError(error); }
 */
export function storeError(error: unknown): unknown {
  if (NodexError.isInstance(error)) return error;
  const code = codeOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const unavailable =
    NETWORK.has(code) ||
    UNAVAILABLE.has(code) ||
    code.startsWith('08') ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/i.test(
      message,
    );
  return unavailable
    ? new NodexError('store_unavailable', `PostgreSQL: ${message}`, { cause: error })
    : error;
}

/**
 * One statement with bound parameters ($1, $2, …), driver errors typed by storeError.
 *
 * @example
 * const { rows } = await query<{ id: string }>(pool, 'SELECT id FROM api_keys WHERE hash = $1', [hash]);
 */
export async function query<R extends pg.QueryResultRow>(
  db: Queryable,
  text: string,
  values: readonly unknown[] = [],
): Promise<pg.QueryResult<R>> {
  try {
    return await db.query<R>(text, values as unknown[]);
  } catch (error) {
    throw storeError(error);
  }
}

/**
 * Runs `work` in one transaction (READ COMMITTED) on a connection of its own. A deadlock or
 * serialization failure rolls back and runs it again from the start (up to 5 times), so `work`
 * must only touch the database through `client`. A connection that failed is discarded, not
 * returned to the pool.
 *
 * @example
 * await transaction(pool, async (client) => {
 *   await query(client, 'UPDATE api_keys SET token_balance = token_balance - $1 WHERE id = $2', [5, id]);
 * });
 */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      throw storeError(error);
    }
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      if (RACE.has(codeOf(error)) && attempt < MAX_ATTEMPTS) continue;
      throw storeError(error);
    } finally {
      client.release(broken);
    }
  }
}
