import type { Statement } from 'better-sqlite3';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';
import { type Indexer, requireIndexable } from './indexer.js';
import { listPage, type PageQueries } from './pagination.js';
import type { StoreState } from './store-state.js';
import type {
  Attributes,
  ChunkingStrategyParam,
  ListPage,
  ListParams,
  VectorStoreFileDeleted,
  VectorStoreFileError,
  VectorStoreFileObject,
  VectorStoreFileStatus,
} from './types.js';
import { parseAttributes, parseChunking, parseListParams, requireId } from './validate.js';

export interface AttachFileParams {
  file_id: string;
  attributes?: Attributes | null;
  chunking_strategy?: ChunkingStrategyParam;
}

export interface VectorStoreFileListParams extends ListParams {
  /** Only files in this status. */
  filter?: VectorStoreFileStatus;
}

export interface AttachmentRow {
  seq: number;
  vector_store_id: string;
  file_id: string;
  created_at: number;
  status: VectorStoreFileStatus;
  last_error: string | null;
  attributes: string;
  max_chunk_tokens: number;
  overlap_tokens: number;
  usage_bytes: number;
}

export function toVectorStoreFile(row: AttachmentRow): VectorStoreFileObject {
  return {
    id: row.file_id,
    object: 'vector_store.file',
    vector_store_id: row.vector_store_id,
    created_at: row.created_at,
    usage_bytes: row.usage_bytes,
    status: row.status,
    last_error: row.last_error === null ? null : (JSON.parse(row.last_error) as VectorStoreFileError),
    attributes: JSON.parse(row.attributes) as Attributes,
    chunking_strategy: {
      type: 'static',
      static: { max_chunk_size_tokens: row.max_chunk_tokens, chunk_overlap_tokens: row.overlap_tokens },
    },
  };
}

const STATUSES = new Set(['in_progress', 'completed', 'failed', 'cancelled']);

/** Checks a `filter` status for the file lists (null = no filter). */
export function parseStatusFilter(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' && STATUSES.has(value)) return value;
  throw new InvalidRequestError('filter must be in_progress, completed, failed or cancelled', {
    param: 'filter',
  });
}

/**
 * The files of a vector store. Attaching reads, chunks and indexes the file at once, so it returns
 * `completed`; a file that is not UTF-8 text is refused with `not_supported`.
 *
 * @example
 * await store.vectorStores.files.create('vs_…', { file_id: 'file-…', attributes: { lang: 'de' } });
 */
export class VectorStoreFiles {
  private readonly byKey: Statement<[string, string], AttachmentRow>;
  private readonly setAttributes: Statement<[string, string, string]>;
  private readonly detach: Statement<[string, string]>;
  private readonly page: PageQueries<AttachmentRow & { id: string }>;

  constructor(
    private readonly db: CompatDb,
    private readonly state: StoreState,
    private readonly indexer: Indexer,
  ) {
    this.byKey = db.prepare('SELECT * FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?');
    this.setAttributes = db.prepare(
      'UPDATE vector_store_files SET attributes = ? WHERE vector_store_id = ? AND file_id = ?',
    );
    this.detach = db.prepare('DELETE FROM vector_store_files WHERE vector_store_id = ? AND file_id = ?');
    const select = `SELECT *, file_id AS id FROM vector_store_files
      WHERE vector_store_id = @store AND seq > @lo AND seq < @hi AND (@status IS NULL OR status = @status)`;
    this.page = {
      asc: db.prepare(`${select} ORDER BY seq ASC LIMIT @limit`),
      desc: db.prepare(`${select} ORDER BY seq DESC LIMIT @limit`),
    };
  }

  async create(vectorStoreId: string, params: AttachFileParams): Promise<VectorStoreFileObject> {
    this.state.usable(vectorStoreId);
    const fileId = requireId(params?.file_id, 'file_id');
    const options = {
      attributes: parseAttributes(params.attributes),
      chunking: parseChunking(params.chunking_strategy),
    };
    const prepared = await this.indexer.prepare(fileId, options.chunking);
    requireIndexable(prepared);
    this.db
      .transaction(() => {
        this.state.usable(vectorStoreId);
        this.indexer.write(vectorStoreId, prepared, options);
        this.state.touch(vectorStoreId);
      })
      .immediate();
    return this.retrieve(vectorStoreId, fileId);
  }

  async retrieve(vectorStoreId: string, fileId: string): Promise<VectorStoreFileObject> {
    return toVectorStoreFile(this.row(vectorStoreId, fileId));
  }

  /** Replaces a file's attributes (what search filters see). */
  async update(
    vectorStoreId: string,
    fileId: string,
    params: { attributes: Attributes | null },
  ): Promise<VectorStoreFileObject> {
    this.state.usable(vectorStoreId);
    this.row(vectorStoreId, fileId);
    this.setAttributes.run(JSON.stringify(parseAttributes(params?.attributes)), vectorStoreId, fileId);
    return this.retrieve(vectorStoreId, fileId);
  }

  async list(
    vectorStoreId: string,
    params: VectorStoreFileListParams = {},
  ): Promise<ListPage<VectorStoreFileObject>> {
    this.state.row(vectorStoreId);
    const filters = { store: vectorStoreId, status: parseStatusFilter(params.filter) };
    const seqOf = (id: string) => this.byKey.get(vectorStoreId, id)?.seq;
    return listPage(
      this.page,
      parseListParams(params, 100),
      { defaultLimit: 20, filters, seqOf },
      toVectorStoreFile,
    );
  }

  /** Detaches the file (its chunks go with it); the file itself stays in `files`. */
  async delete(vectorStoreId: string, fileId: string): Promise<VectorStoreFileDeleted> {
    this.row(vectorStoreId, fileId);
    this.detach.run(vectorStoreId, fileId);
    this.state.touch(vectorStoreId);
    return { id: fileId, object: 'vector_store.file.deleted', deleted: true };
  }

  row(vectorStoreId: string, fileId: string): AttachmentRow {
    this.state.row(vectorStoreId);
    const row = this.byKey.get(vectorStoreId, requireId(fileId, 'file_id'));
    if (!row) {
      throw new NodexError('not_found', `file "${fileId}" is not in vector store "${vectorStoreId}"`, {
        param: 'file_id',
      });
    }
    return row;
  }
}
