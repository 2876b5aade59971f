import { resolve } from 'node:path';
import { expandHome } from '../config/paths.js';
import type { NodexConfig } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import type { KeyStore } from '../store/key-store.js';
import { nodexDbPath, openNodexDb } from '../store/sqlite/nodex-db.js';
import { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.js';
import { SqliteUsageStore } from '../store/sqlite/sqlite-usage-store.js';
import type { UsageStore } from '../store/usage-store.js';

/** The key and usage stores the config names, and how to close them. */
export interface StateStores {
  readonly keys: KeyStore;
  readonly usage: UsageStore;
  /** Where they live, for logs: a file path, or the PostgreSQL URL with its password masked. */
  readonly location: string;
  close(): Promise<void>;
}

/**
 * Opens the key and usage stores of `state`: SQLite (`state.path`, else `NODEX_HOME/nodex.db`) by
 * default, or PostgreSQL (`state.driver: postgres`, `state.url`), checked and migrated before this
 * resolves, so an unreachable database stops `nodex serve` at start with a clear error
 * (`store_unavailable`, the URL's password masked).
 *
 * @example
 * const state = await openStateStores(config, nodexHome(process.env));
 * const record = await state.keys.get('a1b2c3d4e5f6');
 * await state.close();
 */
export async function openStateStores(
  config: NodexConfig,
  home: string,
  onError: (error: Error) => void = () => undefined,
): Promise<StateStores> {
  if (config.state.driver === 'postgres') {
    const url = config.state.url?.trim();
    if (!url)
      throw new NodexError(
        'config_invalid',
        'state.driver is postgres but state.url is not set (postgres://USER:PASSWORD@HOST:5432/DB)',
      );
    // pg loads only when PostgreSQL is configured: the embedded default starts without it.
    const [{ openNodexPg }, { PgKeyStore }, { maskPgUrl }, { PgUsageStore }] = await Promise.all([
      import('../store/postgres/nodex-pg.js'),
      import('../store/postgres/pg-key-store.js'),
      import('../store/postgres/pg-pool.js'),
      import('../store/postgres/pg-usage-store.js'),
    ]);
    const pool = await openNodexPg(url, { onError });
    return {
      keys: new PgKeyStore(pool),
      usage: new PgUsageStore(pool),
      location: maskPgUrl(url),
      close: () => pool.end(),
    };
  }
  const configured = config.state.path ? resolve(expandHome(config.state.path)) : undefined;
  const path = nodexDbPath(home, configured);
  const db = openNodexDb(path);
  return {
    keys: new SqliteKeyStore(db),
    usage: new SqliteUsageStore(db),
    location: path,
    close: async () => {
      db.close();
    },
  };
}
