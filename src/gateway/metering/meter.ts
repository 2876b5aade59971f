import type { UsageRecord, UsageStore } from '../../store/usage-store.js';

const HOUR_MS = 3_600_000;

export interface MeterOptions {
  readonly store: UsageStore;
  /** Keep per-request rows (`usage.history`). */
  readonly history: boolean;
  /** The quota window (ms) of each of these keys that has a quota; keys without one are left out. */
  readonly windowsFor: (
    keyIds: readonly string[],
  ) => ReadonlyMap<string, number> | Promise<ReadonlyMap<string, number>>;
  /** How long per-request rows are kept (`usage.retention`, ms); pruned at most hourly, history on. */
  readonly retentionMs?: number;
  /** Told of every failed flush (the batch is retried) and failed prune; never of a secret. */
  readonly onError?: (error: unknown, info: MeterErrorInfo) => void;
  readonly clock?: () => number;
  /** Records per transaction at most; reaching it flushes without waiting for the turn to end. */
  readonly maxBatch?: number;
  /** Backoff between retries of a failed batch: doubles from `initialMs` up to `maxMs`. */
  readonly retry?: { readonly initialMs: number; readonly maxMs: number };
}

export interface MeterErrorInfo {
  readonly during: 'flush' | 'prune';
  /** Records in the failed batch (0 for a prune). */
  readonly records: number;
  /** Consecutive failures of this batch. */
  readonly attempt: number;
  readonly retryInMs?: number;
}

/** For /metrics: records waiting, records committed, transactions committed and failed. */
export interface MeterStats {
  readonly queued: number;
  readonly committed: number;
  readonly flushes: number;
  readonly failedFlushes: number;
}

interface Pending {
  readonly record: UsageRecord;
  readonly resolve: () => void;
}

/**
 * The gateway's usage write queue (group commit). `record` queues a request's usage and resolves once
 * the transaction holding it has committed: the pipeline awaits it before the last bytes of a
 * response, so a client never sees a complete answer whose usage could still be lost. Every record
 * produced in one event-loop turn shares one transaction (flushed on `setImmediate`, or at once when
 * `maxBatch` are waiting); one transaction runs at a time and the next batch starts when it ends. A
 * batch the store rejects stays at the head of the queue and is retried with backoff (the store rolls
 * a failed batch back whole, so nothing is counted twice); its promises settle only on commit. While
 * the store is down the queue grows (`stats().queued`): nothing completed is dropped. `close` flushes
 * everything, retrying as long as it takes; a caller with a deadline races it.
 *
 * @example
 * const meter = new Meter({ store, history: false, windowsFor: (ids) => quotaWindows(ids) });
 * await meter.record(usageRecord); // committed
 * await meter.close();
 */
export class Meter {
  private readonly queue: Pending[] = [];
  private state: 'idle' | 'scheduled' | 'flushing' | 'waiting' = 'idle';
  private immediate: NodeJS.Immediate | undefined;
  private timer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private committed = 0;
  private flushes = 0;
  private failedFlushes = 0;
  private lastPrune = Number.NEGATIVE_INFINITY;
  private closed = false;
  private closing: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly maxBatch: number;
  private readonly clock: () => number;

  constructor(private readonly options: MeterOptions) {
    this.maxBatch = Math.max(1, options.maxBatch ?? 500);
    this.clock = options.clock ?? Date.now;
  }

  /** Queues one request's usage; resolves when it is committed. Rejects only after `close`. */
  record(record: UsageRecord): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the usage meter is closed'));
    return new Promise((resolve) => {
      this.queue.push({ record, resolve });
      if (this.state === 'idle') {
        this.state = 'scheduled';
        this.immediate = setImmediate(() => this.flushNow());
      } else if (this.state === 'scheduled' && this.queue.length >= this.maxBatch) {
        this.flushNow();
      }
    });
  }

  /** Flushes everything queued (retrying failed batches) and refuses further records. */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      this.closing = new Promise((resolve) => {
        this.drained = resolve;
      });
      if (this.state === 'idle') this.drained?.();
      else if (this.state !== 'flushing') this.flushNow();
    }
    return this.closing ?? Promise.resolve();
  }

  stats(): MeterStats {
    return {
      queued: this.queue.length,
      committed: this.committed,
      flushes: this.flushes,
      failedFlushes: this.failedFlushes,
    };
  }

  private flushNow(): void {
    clearImmediate(this.immediate);
    clearTimeout(this.timer);
    this.immediate = undefined;
    this.timer = undefined;
    this.state = 'flushing';
    void this.flush();
  }

  private async flush(): Promise<void> {
    const batch = this.queue.slice(0, this.maxBatch);
    try {
      const records = batch.map((pending) => pending.record);
      const windows = await this.options.windowsFor([...new Set(records.map((r) => r.key_id))]);
      await this.options.store.record(records, { history: this.options.history, windows });
    } catch (error) {
      this.failedFlushes += 1;
      this.attempt += 1;
      const { initialMs, maxMs } = this.options.retry ?? { initialMs: 50, maxMs: 5000 };
      const retryInMs = Math.min(maxMs, initialMs * 2 ** (this.attempt - 1));
      this.report(error, { during: 'flush', records: batch.length, attempt: this.attempt, retryInMs });
      this.state = 'waiting';
      this.timer = setTimeout(() => this.flushNow(), retryInMs);
      return;
    }
    this.attempt = 0;
    this.flushes += 1;
    this.committed += batch.length;
    this.queue.splice(0, batch.length);
    for (const pending of batch) pending.resolve();
    await this.prune();
    if (this.queue.length > 0) {
      // The next batch: after this turn, so I/O is served between batches of a long backlog.
      this.state = 'scheduled';
      this.immediate = setImmediate(() => this.flushNow());
      return;
    }
    this.state = 'idle';
    if (this.closed) this.drained?.();
  }

  /** Deletes expired history, at most hourly, between two batches (so never beside a write of ours). */
  private async prune(): Promise<void> {
    const retention = this.options.retentionMs;
    const now = this.clock();
    if (!this.options.history || retention === undefined || now - this.lastPrune < HOUR_MS) return;
    this.lastPrune = now;
    try {
      await this.options.store.prune(now - retention);
    } catch (error) {
      this.report(error, { during: 'prune', records: 0, attempt: 1 });
    }
  }

  private report(error: unknown, info: MeterErrorInfo): void {
    try {
      this.options.onError?.(error, info);
    } catch {
      // A failing logger must not stop the meter.
    }
  }
}
