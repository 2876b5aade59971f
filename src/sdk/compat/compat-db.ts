import { closeSync, openSync } from 'node:fs';
import Database from 'better-sqlite3';
import { NodexError } from '../../core/errors.js';
import { MIGRATIONS } from './compat-schema.js';

export type CompatDb = Database.Database;

/** How long a writer waits for another process's lock before SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 5000;

/**
 * Opens (creating if needed) the compat SQLite file: WAL so a second process can read while one
 * writes, `busy_timeout` so concurrent writers queue instead of failing, foreign keys on (deletes
 * cascade from files and stores to attachments and chunks), then the pending migrations.
 *
 * @example
 * const db = openCompatDb('/tmp/compat/compat.db');
 */
export function openCompatDb(file: string): CompatDb {
  // Create it 0600 ourselves: SQLite would use the umask, and uploads may be private. The -wal and
  // -shm files copy the main file's mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** The schema version this build writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Applies the migrations past `user_version`; IMMEDIATE so two processes never migrate at once. */
export function migrate(db: CompatDb): void {
  const run = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new NodexError(
        'not_supported',
        `the compat store ${db.name} has schema v${version}, newer than this nodex (v${SCHEMA_VERSION}): upgrade nodex or use another compatStorageDir`,
      );
    }
    for (const sql of MIGRATIONS.slice(version)) db.exec(sql);
    if (version !== SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  run.immediate();
}
