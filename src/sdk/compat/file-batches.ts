import type { Statement } from 'better-sqlite3';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';
import { type Clock, newId, unixSeconds } from './ids.js';
import type { AttachOptions, Indexer, PreparedFile } from './indexer.js';
import { listPage, type PageQueries } from './pagination.js';
import type { StoreState } from './store-state.js';
import type {
  Attributes,
  ChunkingStrategyParam,
  FileBatchObject,
  ListPage,
  VectorStoreFileObject,
} from './types.js';
import { parseAttributes, parseChunking, parseListParams, requireId } from './validate.js';
import {
  type AttachmentRow,
  parseStatusFilter,
  toVectorStoreFile,
  type VectorStoreFileListParams,
} from './vector-store-files.js';

export interface FileBatchParams {
  file_ids?: string[];
  /** Per-file settings; exclusive with `file_ids`, as on OpenAI. */
  files?: { file_id: string; attributes?: Attributes | null; chunking_strategy?: ChunkingStrategyParam }[];
  attributes?: Attributes | null;
  chunking_strategy?: ChunkingStrategyParam;
}

interface BatchRow {
  id: string;
  vector_store_id: string;
  created_at: number;
  status: FileBatchObject['status'];
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

function toBatch(row: BatchRow): FileBatchObject {
  const { id, vector_store_id, created_at, status, in_progress, completed, failed, cancelled, total } = row;
  const file_counts = { in_progress, completed, failed, cancelled, total };
  return { id, object: 'vector_store.files_batch', vector_store_id, status, file_counts, created_at };
}

function batchItems(params: FileBatchParams): { fileId: string; options: AttachOptions }[] {
  const { file_ids: ids, files } = params ?? {};
  if ((ids === undefined) === (files === undefined) || (ids ?? files ?? []).length === 0) {
    throw new InvalidRequestError('give a non-empty file_ids or files (not both)', { param: 'file_ids' });
  }
  const shared = { attributes: params.attributes, chunking_strategy: params.chunking_strategy };
  const entries = files ?? (ids ?? []).map((file_id) => ({ file_id, ...shared }));
  // A repeated id is attached once (the last settings win), so counts match the attachments.
  const byId = new Map<string, AttachOptions>();
  for (const entry of entries) {
    byId.set(requireId(entry?.file_id, 'file_id'), {
      attributes: parseAttributes(entry.attributes),
      chunking: parseChunking(entry.chunking_strategy),
    });
  }
  return [...byId].map(([fileId, options]) => ({ fileId, options }));
}

/**
 * File batches: several attachments at once, with their outcome counts persisted. Processing is
 * synchronous, so a batch is born `completed` (`failed` when no file could be indexed); a file that
 * is not text is recorded as `failed` with `last_error` instead of failing the whole batch.
 *
 * @example
 * const batch = await store.vectorStores.fileBatches.create('vs_…', { file_ids: ['file-a', 'file-b'] });
 * batch.file_counts; // { completed: 2, failed: 0, … total: 2 }
 */
export class FileBatches {
  private readonly insert: Statement<[BatchRow]>;
  private readonly member: Statement<[string, string]>;
  private readonly byId: Statement<[string, string], BatchRow>;
  private readonly memberSeq: Statement<[string, string], { seq: number }>;
  private readonly page: PageQueries<AttachmentRow & { id: string }>;

  constructor(
    private readonly db: CompatDb,
    private readonly state: StoreState,
    private readonly indexer: Indexer,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare(`INSERT INTO file_batches
      (id, vector_store_id, created_at, status, in_progress, completed, failed, cancelled, total)
      VALUES (@id, @vector_store_id, @created_at, @status, @in_progress, @completed, @failed, @cancelled, @total)`);
    this.member = db.prepare('INSERT OR IGNORE INTO file_batch_files (batch_id, file_id) VALUES (?, ?)');
    this.byId = db.prepare('SELECT * FROM file_batches WHERE id = ? AND vector_store_id = ?');
    this.memberSeq = db.prepare(`SELECT v.seq FROM vector_store_files v
      JOIN file_batches b ON b.vector_store_id = v.vector_store_id
      JOIN file_batch_files m ON m.batch_id = b.id AND m.file_id = v.file_id
      WHERE b.id = ? AND v.file_id = ?`);
    const select = `SELECT v.*, v.file_id AS id FROM vector_store_files v
      JOIN file_batch_files m ON m.batch_id = @batch AND m.file_id = v.file_id
      WHERE v.vector_store_id = @store AND v.seq > @lo AND v.seq < @hi AND (@status IS NULL OR v.status = @status)`;
    this.page = {
      asc: db.prepare(`${select} ORDER BY v.seq ASC LIMIT @limit`),
      desc: db.prepare(`${select} ORDER BY v.seq DESC LIMIT @limit`),
    };
  }

  async create(vectorStoreId: string, params: FileBatchParams): Promise<FileBatchObject> {
    this.state.usable(vectorStoreId);
    const items = batchItems(params);
    // Everything is prepared before anything is written: an unknown id fails the whole batch.
    const prepared: { file: PreparedFile; options: AttachOptions }[] = [];
    for (const { fileId, options } of items) {
      prepared.push({ file: await this.indexer.prepare(fileId, options.chunking), options });
    }
    const failed = prepared.filter(({ file }) => file.status === 'failed').length;
    const row: BatchRow = {
      id: newId('vsfb_'),
      vector_store_id: vectorStoreId,
      created_at: unixSeconds(this.clock),
      status: failed === prepared.length ? 'failed' : 'completed',
      in_progress: 0,
      completed: prepared.length - failed,
      failed,
      cancelled: 0,
      total: prepared.length,
    };
    this.db
      .transaction(() => {
        this.state.usable(vectorStoreId);
        this.insert.run(row);
        for (const { file, options } of prepared) {
          this.indexer.write(vectorStoreId, file, options);
          this.member.run(row.id, file.fileId);
        }
        this.state.touch(vectorStoreId);
      })
      .immediate();
    return toBatch(row);
  }

  async retrieve(vectorStoreId: string, batchId: string): Promise<FileBatchObject> {
    return toBatch(this.row(vectorStoreId, batchId));
  }

  /** The files of a batch that are still attached, with their current status. */
  async listFiles(
    vectorStoreId: string,
    batchId: string,
    params: VectorStoreFileListParams = {},
  ): Promise<ListPage<VectorStoreFileObject>> {
    this.row(vectorStoreId, batchId);
    const filters = { store: vectorStoreId, batch: batchId, status: parseStatusFilter(params.filter) };
    const seqOf = (id: string) => this.memberSeq.get(batchId, id)?.seq;
    return listPage(
      this.page,
      parseListParams(params, 100),
      { defaultLimit: 20, filters, seqOf },
      toVectorStoreFile,
    );
  }

  private row(vectorStoreId: string, batchId: string): BatchRow {
    this.state.row(vectorStoreId);
    const row = this.byId.get(requireId(batchId, 'batch_id'), vectorStoreId);
    if (!row) {
      throw new NodexError(
        'not_found',
        `file batch "${batchId}" not found in vector store "${vectorStoreId}"`,
        {
          param: 'batch_id',
        },
      );
    }
    return row;
  }
}
