import type { Env } from '../../config/paths.js';
import { BlobStore } from './blob-store.js';
import { type CompatDb, openCompatDb } from './compat-db.js';
import { compatBlobDir, compatDbPath, ensureCompatDir, resolveCompatDir } from './compat-paths.js';
import { FileStore } from './file-store.js';
import type { Clock } from './ids.js';
import { Indexer } from './indexer.js';
import { ResponseStore } from './response-store.js';
import { StoreState } from './store-state.js';
import { VectorStores } from './vector-stores.js';

export interface CompatStoreOptions {
  /** Wins over `NODEX_COMPAT_STORAGE_DIR` and `$NODEX_HOME/compat`. */
  compatStorageDir?: string;
  /** The environment to resolve the directory from (default `process.env`). */
  env?: Env;
  /** Milliseconds since the epoch (default `Date.now`); tests move time with it. */
  clock?: Clock;
  /** Stored responses idle longer than this are pruned (default 30). */
  responseTtlDays?: number;
  /** At most this many stored response turns (default 10 000). */
  maxStoredResponses?: number;
}

/**
 * The local stand-in for the OpenAI features the Codex backend lacks: files, vector stores (with
 * full-text search) and stored responses for `previous_response_id`. One SQLite file (WAL) plus a
 * blob folder, under the compat dir; several processes may share it.
 *
 * @example
 * const store = CompatStore.open({ compatStorageDir: '/tmp/compat' });
 * const file = await store.files.create({ file: 'Refunds within 30 days.', purpose: 'assistants', filename: 'faq.txt' });
 * const vs = await store.vectorStores.create({ name: 'faq', file_ids: [file.id] });
 * await store.vectorStores.search(vs.id, { query: 'refund' });
 * store.close();
 */
export class CompatStore {
  readonly files: FileStore;
  readonly vectorStores: VectorStores;
  readonly responses: ResponseStore;

  private constructor(
    /** The resolved storage directory. */
    readonly dir: string,
    private readonly db: CompatDb,
    clock: Clock,
    options: CompatStoreOptions,
  ) {
    const blobs = new BlobStore(compatBlobDir(dir));
    this.files = new FileStore(db, blobs, clock);
    const indexer = new Indexer(db, this.files, blobs, clock);
    this.vectorStores = new VectorStores(db, new StoreState(db, clock), indexer, clock);
    this.responses = new ResponseStore(db, clock, {
      ...(options.responseTtlDays === undefined ? {} : { ttlDays: options.responseTtlDays }),
      ...(options.maxStoredResponses === undefined ? {} : { maxEntries: options.maxStoredResponses }),
    });
  }

  /** Resolves the directory (compat-paths.ts), creates it 0700 and opens or migrates the database. */
  static open(options: CompatStoreOptions = {}): CompatStore {
    const dir = resolveCompatDir(options);
    ensureCompatDir(dir);
    const db = openCompatDb(compatDbPath(dir));
    try {
      return new CompatStore(dir, db, options.clock ?? Date.now, options);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Closes the database; the store cannot be used afterwards. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
