import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { NodexError } from '../../core/errors.js';

export type SqliteDb = Database.Database;

/** How long a writer waits for another process's lock before SQLITE_BUSY (ms). */
const BUSY_TIMEOUT_MS = 5000;

export interface OpenSqliteOptions {
  /** One SQL text per schema version (`user_version`); append, never edit. */
  readonly migrations: readonly string[];
  /** Names the database in errors ("the usage database"). */
  readonly what: string;
}

/**
 * Opens (creating if needed, 0600, in a 0700 directory) a SQLite file the way every nodex store
 * wants it: WAL so another process (the CLI) can read while the gateway writes, `busy_timeout` so
 * concurrent writers queue instead of failing, `synchronous = NORMAL` (a committed transaction
 * survives the process being killed; the last ones may be lost on power loss), foreign keys on,
 * then the pending migrations in one IMMEDIATE transaction so two processes never migrate at once.
 *
 * @example
 * const db = openSqlite('/home/me/.nodex/nodex.db', { migrations: NODEX_MIGRATIONS, what: 'the nodex database' });
 */
export function openSqlite(file: string, options: OpenSqliteOptions): SqliteDb {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // Create it 0600 ourselves: SQLite would use the umask. The -wal and -shm files copy its mode.
  closeSync(openSync(file, 'a', 0o600));
  const db = new Database(file);
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrateSqlite(db, options);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Applies the migrations past `user_version`; refuses a database newer than this build. */
export function migrateSqlite(db: SqliteDb, options: OpenSqliteOptions): void {
  const latest = options.migrations.length;
  const run = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > latest) {
      throw new NodexError(
        'not_supported',
        `${options.what} (${db.name}) has schema v${version}, newer than this nodex (v${latest}): upgrade nodex`,
      );
    }
    for (const sql of options.migrations.slice(version)) db.exec(sql);
    if (version !== latest) db.pragma(`user_version = ${latest}`);
  });
  run.immediate();
}
