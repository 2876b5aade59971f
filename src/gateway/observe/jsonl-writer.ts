import { type FileHandle, mkdir, open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface JsonlWriterOptions {
  readonly path: string;
  /** Rotate before the file would grow past this many bytes. */
  readonly maxBytes: number;
  /** Files kept at most, the live one included: `path`, `path.1` (newest rotated) … */
  readonly maxFiles: number;
  /**
   * Bytes queued in memory at most while the disk is behind (default 64 MiB); lines past it are
   * dropped and counted in a `nodex_dropped_lines` line, so a stuck disk cannot eat the heap.
   */
  readonly maxPendingBytes?: number;
  /** A failed write or rotation (the lines of that batch are lost; later ones are tried again). */
  readonly onError?: (error: unknown) => void;
}

const MODE = 0o600;

/** Renames `path.(n-1)` … `path.1` one step up and `path` to `path.1`, dropping the oldest. */
async function shift(path: string, maxFiles: number): Promise<void> {
  const keep = maxFiles - 1;
  if (keep < 1) {
    await rm(path, { force: true });
    return;
  }
  await rm(`${path}.${keep}`, { force: true });
  for (let i = keep - 1; i >= 1; i -= 1)
    await rename(`${path}.${i}`, `${path}.${i + 1}`).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  await rename(path, `${path}.1`);
}

/**
 * An append-only JSONL file that never blocks its caller: `write()` only queues the line; the
 * queue is written in one append per event-loop turn (group write) by a single flush at a time,
 * and rotated by size (`file` → `file.1` → … keeping `maxFiles` files). The file is 0600: traces
 * hold prompts. One process per file.
 *
 * @example
 * const audit = new JsonlWriter({ path: '/var/log/nodex/audit.jsonl', maxBytes: 10 << 20, maxFiles: 5 });
 * audit.write(JSON.stringify({ request_id: 'req_1', status: 200 }));
 * await audit.close(); // flushes what is queued
 */
export class JsonlWriter {
  private pending: string[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private handle: FileHandle | undefined;
  private size = 0;
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private closed = false;
  private readonly maxPending: number;

  constructor(private readonly options: JsonlWriterOptions) {
    this.maxPending = options.maxPendingBytes ?? 64 * 1024 * 1024;
  }

  get path(): string {
    return this.options.path;
  }

  /** Queues one line (without its newline). */
  write(line: string): void {
    if (this.closed) return;
    // String length, not bytes: a cheap bound, close enough for a memory cap.
    if (this.pendingBytes + line.length > this.maxPending) {
      this.dropped += 1;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
    this.schedule();
  }

  /** Resolves once every line queued so far is written. */
  flush(): Promise<void> {
    this.flushing ??= this.drain().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.schedule();
    });
    return this.flushing;
  }

  /** Writes what is queued, then closes the file; later writes are ignored. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }

  private schedule(): void {
    if (this.scheduled || this.flushing !== undefined) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 || this.dropped > 0) {
      const lines = this.pending;
      this.pending = [];
      this.pendingBytes = 0;
      if (this.dropped > 0) {
        lines.push(JSON.stringify({ ts: new Date().toISOString(), nodex_dropped_lines: this.dropped }));
        this.dropped = 0;
      }
      try {
        await this.append(lines);
      } catch (error) {
        this.options.onError?.(error);
        await this.handle?.close().catch(() => undefined);
        this.handle = undefined;
      }
    }
  }

  /** Appends the lines in as few writes as the size limit allows, rotating between them. */
  private async append(lines: readonly string[]): Promise<void> {
    let batch: Buffer[] = [];
    let batchBytes = 0;
    for (const line of lines) {
      const bytes = Buffer.from(`${line}\n`);
      const handle = this.handle ?? (await this.openFile());
      if (this.size + batchBytes + bytes.length > this.options.maxBytes && this.size + batchBytes > 0) {
        if (batchBytes > 0) await handle.write(Buffer.concat(batch, batchBytes));
        this.size += batchBytes;
        batch = [];
        batchBytes = 0;
        await this.rotate();
      }
      batch.push(bytes);
      batchBytes += bytes.length;
    }
    if (batchBytes === 0) return;
    const handle = this.handle ?? (await this.openFile());
    await handle.write(Buffer.concat(batch, batchBytes));
    this.size += batchBytes;
  }

  private async openFile(): Promise<FileHandle> {
    await mkdir(dirname(this.options.path), { recursive: true, mode: 0o700 });
    const handle = await open(this.options.path, 'a', MODE);
    this.size = (await handle.stat()).size;
    this.handle = handle;
    return handle;
  }

  private async rotate(): Promise<void> {
    await this.handle?.close();
    this.handle = undefined;
    await shift(this.options.path, this.options.maxFiles);
    await this.openFile();
  }
}
