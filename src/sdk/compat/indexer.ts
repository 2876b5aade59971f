import type { Statement } from 'better-sqlite3';
import { type NodexError, toNodexError } from '../../core/errors.js';
import type { BlobStore } from './blob-store.js';
import { chunkText, loadTokenCounter } from './chunking.js';
import type { CompatDb } from './compat-db.js';
import type { FileStore } from './file-store.js';
import { indexColumns } from './fts-text.js';
import { type Clock, unixSeconds } from './ids.js';
import { extractText } from './text-extract.js';
import type { Attributes, StaticChunkingStrategy, VectorStoreFileError } from './types.js';

/** A file read and chunked, ready to be written in a transaction (or why it cannot be). */
export type PreparedFile =
  | { fileId: string; status: 'completed'; chunks: string[]; usageBytes: number }
  | { fileId: string; status: 'failed'; error: NodexError; lastError: VectorStoreFileError };

export interface AttachOptions {
  attributes: Attributes;
  chunking: StaticChunkingStrategy;
}

/**
 * Turns files into searchable chunks. Split in two because SQLite transactions must be synchronous:
 * `prepare` does the async part (read the blob, extract text, chunk), `write` stores the result.
 */
export class Indexer {
  private readonly detach: Statement<[string, string]>;
  private readonly attach: Statement<[Record<string, unknown>]>;
  private readonly chunk: Statement<[string, string, number, string]>;
  private readonly fts: Statement<[number | bigint, string, string, string]>;

  constructor(
    db: CompatDb,
    private readonly files: FileStore,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {
    this.detach = db.prepare('DELETE FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?');
    this.attach = db.prepare(`
      INSERT INTO vector_store_files (vector_store_id, file_id, created_at, status, last_error, attributes,
        max_chunk_tokens, overlap_tokens, usage_bytes)
      VALUES (@store, @file, @created_at, @status, @last_error, @attributes, @max, @overlap, @usage)`);
    this.chunk = db.prepare(
      'INSERT INTO chunks (vector_store_id, file_id, ordinal, text) VALUES (?, ?, ?, ?)',
    );
    this.fts = db.prepare('INSERT INTO chunk_fts (rowid, body, cjk2, cjk1) VALUES (?, ?, ?, ?)');
  }

  /** Reads and chunks a file; `not_found` for an unknown id, a `failed` result for non-text. */
  async prepare(fileId: string, chunking: StaticChunkingStrategy): Promise<PreparedFile> {
    const file = this.files.get(fileId);
    const data = await this.blobs.read(fileId);
    let text: string;
    try {
      text = extractText(data, fileId, file.filename);
    } catch (error) {
      const cause = toNodexError(error);
      return {
        fileId,
        status: 'failed',
        error: cause,
        lastError: { code: 'unsupported_file', message: cause.message },
      };
    }
    const count = await loadTokenCounter();
    return {
      fileId,
      status: 'completed',
      chunks: chunkText(text, chunking, count),
      usageBytes: Buffer.byteLength(text),
    };
  }

  /**
   * Attaches a prepared file to a store, replacing an earlier attachment of the same file (its
   * chunks go by cascade). Call inside a transaction.
   */
  write(storeId: string, prepared: PreparedFile, options: AttachOptions): void {
    // The file may have been deleted by another process since prepare().
    this.files.get(prepared.fileId);
    this.detach.run(storeId, prepared.fileId);
    const completed = prepared.status === 'completed';
    this.attach.run({
      store: storeId,
      file: prepared.fileId,
      created_at: unixSeconds(this.clock),
      status: prepared.status,
      last_error: completed ? null : JSON.stringify(prepared.lastError),
      attributes: JSON.stringify(options.attributes),
      max: options.chunking.static.max_chunk_size_tokens,
      overlap: options.chunking.static.chunk_overlap_tokens,
      usage: completed ? prepared.usageBytes : 0,
    });
    if (!completed) return;
    prepared.chunks.forEach((text, ordinal) => {
      const { lastInsertRowid } = this.chunk.run(storeId, prepared.fileId, ordinal, text);
      const columns = indexColumns(text);
      this.fts.run(lastInsertRowid, columns.body, columns.cjk2, columns.cjk1);
    });
  }
}

/** Throws the reason a prepared file failed: direct attaches refuse non-text files outright. */
export function requireIndexable(prepared: PreparedFile): void {
  if (prepared.status === 'failed') throw prepared.error;
}
