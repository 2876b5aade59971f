import { join } from 'node:path';
import { openNodexDb } from '../store/sqlite/nodex-db.js';
import type { SqliteDb } from '../store/sqlite/open-sqlite.js';
import { SqliteKeyStore } from '../store/sqlite/sqlite-key-store.js';
import { SqliteUsageStore } from '../store/sqlite/sqlite-usage-store.js';
import { tempDir } from './capture-io.js';
import type { ResetNote, StoreHarness } from './store-harness.js';

/** Quotes text as an SQLite string literal (DDL takes no bound parameters; test support only). */
const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The store contract's harness on SQLite: a fresh nodex.db in a temporary directory; `another()`
 * opens a second connection to the same file, as the CLI and the gateway each have one.
 *
 * @example
 * keyStoreContract('SqliteKeyStore', openSqliteHarness);
 */
export async function openSqliteHarness(): Promise<StoreHarness & { readonly db: SqliteDb }> {
  const dir = tempDir('nodex-store-');
  const handles: SqliteDb[] = [];
  const open = () => {
    const handle = openNodexDb(join(dir.path, 'nodex.db'));
    handles.push(handle);
    return handle;
  };
  const db = open();
  return {
    db,
    keys: new SqliteKeyStore(db),
    usage: new SqliteUsageStore(db),
    async another() {
      const handle = open();
      return { keys: new SqliteKeyStore(handle), usage: new SqliteUsageStore(handle) };
    },
    async writePolicy(id, json) {
      db.prepare('UPDATE api_keys SET policy = ? WHERE id = ?').run(json, id);
    },
    async resets() {
      return db
        .prepare('SELECT key_id, at, reason FROM usage_resets ORDER BY at, key_id, rowid')
        .all() as ResetNote[];
    },
    async windowKeys() {
      const rows = db.prepare('SELECT key_id FROM key_windows ORDER BY key_id').all() as { key_id: string }[];
      return rows.map((row) => row.key_id);
    },
    async failHistoryInsert(requestId, message) {
      db.exec(`CREATE TRIGGER poison BEFORE INSERT ON usage_requests WHEN NEW.request_id = ${literal(requestId)}
        BEGIN SELECT RAISE(ABORT, ${literal(message)}); END`);
      return async () => {
        db.exec('DROP TRIGGER poison');
      };
    },
    async tables() {
      const rows = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as {
        name: string;
      }[];
      return rows.map((row) => row.name);
    },
    async close() {
      for (const handle of handles.splice(0)) handle.close();
      dir.cleanup();
    },
  };
}
