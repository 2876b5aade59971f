import type { Statement, Transaction } from 'better-sqlite3';
import { InvalidRequestError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';

export interface RetentionOptions {
  /** Conversations idle longer than this are dropped (default 30 days). */
  ttlDays?: number;
  /** Above this many stored turns, the least recently extended conversations go (default 10 000). */
  maxEntries?: number;
}

export const DEFAULT_RETENTION: Required<RetentionOptions> = { ttlDays: 30, maxEntries: 10_000 };

/** Checks retention options and fills the defaults. */
export function retention(options: RetentionOptions): Required<RetentionOptions> {
  const { ttlDays = DEFAULT_RETENTION.ttlDays, maxEntries = DEFAULT_RETENTION.maxEntries } = options;
  if (!(ttlDays > 0)) throw new InvalidRequestError('responseTtlDays must be a positive number');
  if (!Number.isInteger(maxEntries) || maxEntries < 1) {
    throw new InvalidRequestError('maxStoredResponses must be a positive integer');
  }
  return { ttlDays, maxEntries };
}

/**
 * Retention for stored responses, by whole conversation (all turns sharing a root): deleting a
 * middle turn would break every later `previous_response_id`. A conversation expires when its
 * newest turn is older than the TTL; over `maxEntries`, the conversations extended least recently
 * go first. The newest conversation is kept even if it alone exceeds the cap: it is live, and its
 * size is bounded by the TTL and by the fact that no row repeats another's items.
 *
 * @example
 * new ResponseRetention(db, { ttlDays: 7 }).run(Math.floor(Date.now() / 1000));
 */
export class ResponseRetention {
  private readonly options: Required<RetentionOptions>;
  private readonly expire: Statement<[number]>;
  private readonly count: Statement<[], { n: number }>;
  private readonly conversations: Statement<[], { root_id: string; n: number }>;
  private readonly dropConversation: Statement<[string]>;
  private readonly apply: Transaction<(now: number) => number>;

  constructor(db: CompatDb, options: RetentionOptions = {}) {
    this.options = retention(options);
    this.expire = db.prepare(`DELETE FROM responses WHERE root_id IN
      (SELECT root_id FROM responses GROUP BY root_id HAVING max(created_at) < ?)`);
    this.count = db.prepare('SELECT COUNT(*) AS n FROM responses');
    this.conversations = db.prepare(
      'SELECT root_id, COUNT(*) AS n FROM responses GROUP BY root_id ORDER BY max(seq) ASC',
    );
    this.dropConversation = db.prepare('DELETE FROM responses WHERE root_id = ?');
    this.apply = db.transaction((now: number) => {
      let deleted = this.expire.run(now - this.options.ttlDays * 86_400).changes;
      let total = this.count.get()?.n ?? 0;
      if (total <= this.options.maxEntries) return deleted;
      const oldestFirst = this.conversations.all().slice(0, -1);
      for (const { root_id, n } of oldestFirst) {
        if (total <= this.options.maxEntries) break;
        deleted += this.dropConversation.run(root_id).changes;
        total -= n;
      }
      return deleted;
    });
  }

  /** Prunes now (`now` in Unix seconds); returns how many turns were deleted. */
  run(now: number): number {
    return this.apply.immediate(now);
  }
}
