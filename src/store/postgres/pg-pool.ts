import pg from 'pg';
import { NodexError } from '../../core/errors.js';
import { checkUrlProtocol, maskUrlPassword } from '../store-url.js';
import { storeError } from './pg-query.js';

export interface PgPoolOptions {
  /** Connections at most (default 10): several gateway instances share the server's max_connections. */
  readonly max?: number;
  /** A statement running longer is cancelled (default 10 s): a stuck query never holds a request. */
  readonly statementTimeoutMs?: number;
  /** How long to wait for a connection, new or from the pool (default 5 s). */
  readonly connectTimeoutMs?: number;
  /** Told about errors on idle connections (the server restarted, say); they never crash the process. */
  readonly onError?: (error: Error) => void;
}

/**
 * A `postgres://` URL with its password (in the authority or `?password=`) replaced by `***`.
 *
 * @example
 * maskPgUrl('postgres://nodex:s3cret@db:5432/nodex'); // 'postgres://nodex:***@db:5432/nodex'
 */
export const maskPgUrl: (url: string) => string = maskUrlPassword;

function checkUrl(url: string): void {
  checkUrlProtocol(
    url,
    ['postgres:', 'postgresql:'],
    'state.url must be a postgres:// URL (postgres://user:password@host:5432/database)',
  );
}

/**
 * Opens a `pg.Pool` on a PostgreSQL URL and checks that the server answers, so a wrong host or
 * password fails at startup with `store_unavailable` (the URL's password masked) rather than at the
 * first request. Every connection says `application_name = nodex` (unless the URL sets one) and
 * cancels statements past `statementTimeoutMs`; one idle in a transaction for a minute is closed by
 * the server. Reconnection is the pool's own: a broken connection is discarded and the next query
 * opens a new one; errors on idle connections go to `onError`, never to an unhandled 'error' event.
 *
 * @example
 * const pool = await openPgPool('postgres://nodex:secret@db:5432/nodex', { onError: (e) => log.warn(e) });
 * await migratePg(pool);
 * const keys = new PgKeyStore(pool);
 */
export async function openPgPool(url: string, options: PgPoolOptions = {}): Promise<pg.Pool> {
  checkUrl(url);
  const onError = options.onError ?? (() => undefined);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: 'nodex',
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: 60_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
  });
  pool.on('error', (error) => onError(error));
  // A connection that fails while checked out (between two queries of a transaction) emits 'error'
  // too; the next query on it rejects, and the transaction helper discards it.
  pool.on('connect', (client) => client.on('error', () => undefined));
  try {
    await pool.query('SELECT 1');
    return pool;
  } catch (error) {
    await pool.end().catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    const typed = storeError(error);
    const unreachable = NodexError.isInstance(typed) && typed.code === 'store_unavailable';
    // Unreachable, restarting or full: store_unavailable. Refused (bad password, no such
    // database): the configuration is wrong.
    throw new NodexError(
      unreachable ? 'store_unavailable' : 'config_invalid',
      `cannot connect to PostgreSQL at ${maskPgUrl(url)}: ${reason}`,
      { cause: error },
    );
  }
}
