import type { Statement, Transaction } from 'better-sqlite3';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';
import { type Clock, unixSeconds } from './ids.js';
import type { FileCounts, Metadata, VectorStoreObject } from './types.js';

export interface VectorStoreRow {
  seq: number;
  id: string;
  name: string;
  description: string | null;
  metadata: string;
  created_at: number;
  last_active_at: number;
  expires_days: number | null;
  purged: number;
}

interface CountRow {
  status: keyof Omit<FileCounts, 'total'>;
  files: number;
  bytes: number;
}

const DAY_SECONDS = 86_400;

export function expiresAt(row: VectorStoreRow): number | null {
  return row.expires_days === null ? null : row.last_active_at + row.expires_days * DAY_SECONDS;
}

/**
 * What the vector store classes share: loading a store (sweeping expired ones first), refusing to
 * use an expired one, bumping `last_active_at` (the anchor of `expires_after`), and the live
 * `file_counts` / `usage_bytes`, computed from the attachments rather than kept as counters that
 * could drift.
 */
export class StoreState {
  private readonly byId: Statement<[string], VectorStoreRow>;
  private readonly due: Statement<[number], { id: string }>;
  private readonly purgeChunks: Statement<[string]>;
  private readonly markPurged: Statement<[string]>;
  private readonly touchStore: Statement<[number, string]>;
  private readonly counts: Statement<[string], CountRow>;
  private readonly purgeDue: Transaction<() => void>;

  constructor(
    db: CompatDb,
    private readonly clock: Clock,
  ) {
    this.byId = db.prepare('SELECT * FROM vector_stores WHERE id = ?');
    this.due = db.prepare(
      'SELECT id FROM vector_stores WHERE purged = 0 AND expires_days IS NOT NULL AND last_active_at + expires_days * 86400 <= ?',
    );
    this.purgeChunks = db.prepare('DELETE FROM chunks WHERE vector_store_id = ?');
    this.markPurged = db.prepare('UPDATE vector_stores SET purged = 1 WHERE id = ?');
    this.touchStore = db.prepare('UPDATE vector_stores SET last_active_at = ? WHERE id = ?');
    this.counts = db.prepare(
      'SELECT status, COUNT(*) AS files, SUM(usage_bytes) AS bytes FROM vector_store_files WHERE vector_store_id = ? GROUP BY status',
    );
    this.purgeDue = db.transaction(() => {
      for (const { id } of this.due.all(this.now())) {
        this.purgeChunks.run(id);
        this.markPurged.run(id);
      }
    });
  }

  now(): number {
    return unixSeconds(this.clock);
  }

  /**
   * Lazy expiry: drops the search index of every store past its `expires_at`. The store itself
   * stays, reporting `status: 'expired'`, until it is deleted, as on OpenAI.
   */
  sweep(): void {
    // Check first without a lock: reads should not queue behind writers when nothing is due.
    if (this.due.all(this.now()).length > 0) this.purgeDue.immediate();
  }

  /** A store's row; `not_found` for an unknown id. */
  row(id: string): VectorStoreRow {
    this.sweep();
    const row = this.byId.get(id);
    if (!row)
      throw new NodexError('not_found', `vector store "${id}" not found`, { param: 'vector_store_id' });
    return row;
  }

  /** A store that may be searched or changed: an expired one is a 400 (its index is gone). */
  usable(id: string): VectorStoreRow {
    const row = this.row(id);
    if (row.purged) {
      throw new InvalidRequestError(
        `vector store "${id}" expired at ${expiresAt(row)} (expires_after ${row.expires_days} days of inactivity); create a new one`,
        { param: 'vector_store_id' },
      );
    }
    return row;
  }

  touch(id: string): void {
    this.touchStore.run(this.now(), id);
  }

  fileCounts(id: string): { file_counts: FileCounts; usage_bytes: number } {
    const file_counts: FileCounts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    let usage = 0;
    for (const row of this.counts.all(id)) {
      file_counts[row.status] += row.files;
      file_counts.total += row.files;
      usage += row.bytes;
    }
    return { file_counts, usage_bytes: usage };
  }

  toObject(row: VectorStoreRow): VectorStoreObject {
    const { file_counts, usage_bytes } = this.fileCounts(row.id);
    const expires = expiresAt(row);
    return {
      id: row.id,
      object: 'vector_store',
      name: row.name,
      created_at: row.created_at,
      last_active_at: row.last_active_at,
      // An expired store's index is purged: it no longer uses any space.
      usage_bytes: row.purged ? 0 : usage_bytes,
      file_counts,
      status: row.purged ? 'expired' : 'completed',
      metadata: JSON.parse(row.metadata) as Metadata,
      ...(row.expires_days === null
        ? {}
        : { expires_after: { anchor: 'last_active_at', days: row.expires_days } }),
      expires_at: expires,
    };
  }

  /** Re-reads a store after a change. */
  object(id: string): VectorStoreObject {
    return this.toObject(this.row(id));
  }
}
