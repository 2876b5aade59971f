import { openSqlite, type SqliteDb } from '../../store/sqlite/open-sqlite.js';
import { MIGRATIONS } from './compat-schema.js';

export type CompatDb = SqliteDb;

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Opens (creating if needed) the compat SQLite file with the store layer's settings (WAL,
 * busy_timeout, 0600; store/sqlite/open-sqlite.ts), then the compat migrations. Deletes cascade
 * from files and stores to attachments and chunks.
 *
 * @example
 * const db = openCompatDb('/tmp/compat/compat.db');
 */
export function openCompatDb(file: string): CompatDb {
  return openSqlite(file, {
    migrations: MIGRATIONS,
    what: 'the compat store (use another compatStorageDir, or upgrade nodex)',
  });
}
