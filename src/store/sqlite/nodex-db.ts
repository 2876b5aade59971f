import { join } from 'node:path';
import { NODEX_MIGRATIONS } from './nodex-schema.js';
import { openSqlite, type SqliteDb } from './open-sqlite.js';

/** `state.path`, else `NODEX_HOME/nodex.db`. */
export function nodexDbPath(home: string, configured?: string): string {
  return configured ?? join(home, 'nodex.db');
}

/**
 * Opens the nodex database (keys, usage, quota windows), migrating it to this build's schema. The
 * gateway and the CLI open the same file: SQLite's locking, not an in-memory copy, keeps them in
 * agreement.
 *
 * @example
 * const db = openNodexDb(nodexDbPath(nodexHome(process.env)));
 */
export function openNodexDb(file: string): SqliteDb {
  return openSqlite(file, { migrations: NODEX_MIGRATIONS, what: 'the nodex database' });
}
