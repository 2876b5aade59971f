import type { Statement } from 'better-sqlite3';
import { z } from 'zod';
import { InvalidRequestError } from '../../core/errors.js';
import type { CompatDb } from './compat-db.js';
import { FileBatches } from './file-batches.js';
import { type Clock, newId } from './ids.js';
import { type Indexer, type PreparedFile, requireIndexable } from './indexer.js';
import { listPage, type PageQueries } from './pagination.js';
import { ChunkSearch, type SearchParams } from './search.js';
import type { StoreState, VectorStoreRow } from './store-state.js';
import type {
  ChunkingStrategyParam,
  ExpiresAfter,
  ListPage,
  ListParams,
  Metadata,
  SearchPage,
  VectorStoreDeleted,
  VectorStoreObject,
} from './types.js';
import {
  parseChunking,
  parseExpiresAfter,
  parseListParams,
  parseMetadata,
  parseParam,
  requireId,
} from './validate.js';
import { VectorStoreFiles } from './vector-store-files.js';

export interface CreateVectorStoreParams {
  name?: string;
  description?: string;
  file_ids?: string[];
  metadata?: Metadata | null;
  expires_after?: ExpiresAfter;
  chunking_strategy?: ChunkingStrategyParam;
}

export interface UpdateVectorStoreParams {
  name?: string | null;
  metadata?: Metadata | null;
  /** `null` removes the expiry policy. */
  expires_after?: ExpiresAfter | null;
}

const NameSchema = z.string().max(256);

/**
 * Local vector stores: OpenAI's API over SQLite FTS5. Files are chunked and indexed when attached;
 * `search` ranks chunks with BM25 (search.ts documents the score).
 *
 * @example
 * const vs = await store.vectorStores.create({ name: 'docs', file_ids: [file.id] });
 * const page = await store.vectorStores.search(vs.id, { query: 'refund policy' });
 */
export class VectorStores {
  readonly files: VectorStoreFiles;
  readonly fileBatches: FileBatches;
  private readonly chunkSearch: ChunkSearch;
  private readonly insert: Statement<[Record<string, unknown>]>;
  private readonly patch: Statement<[Record<string, unknown>]>;
  private readonly remove: Statement<[string]>;
  private readonly seqOf: Statement<[string], { seq: number }>;
  private readonly page: PageQueries<VectorStoreRow>;

  constructor(
    private readonly db: CompatDb,
    private readonly state: StoreState,
    private readonly indexer: Indexer,
    clock: Clock,
  ) {
    this.files = new VectorStoreFiles(db, state, indexer);
    this.fileBatches = new FileBatches(db, state, indexer, clock);
    this.chunkSearch = new ChunkSearch(db);
    this.insert = db.prepare(`INSERT INTO vector_stores
      (id, name, description, metadata, created_at, last_active_at, expires_days)
      VALUES (@id, @name, @description, @metadata, @now, @now, @expires_days)`);
    this.patch = db.prepare(`UPDATE vector_stores SET
      name = coalesce(@name, name), metadata = coalesce(@metadata, metadata),
      expires_days = CASE WHEN @set_expiry THEN @expires_days ELSE expires_days END,
      last_active_at = @now WHERE id = @id`);
    this.remove = db.prepare('DELETE FROM vector_stores WHERE id = ?');
    this.seqOf = db.prepare('SELECT seq FROM vector_stores WHERE id = ?');
    const where = 'WHERE seq > @lo AND seq < @hi';
    this.page = {
      asc: db.prepare(`SELECT * FROM vector_stores ${where} ORDER BY seq ASC LIMIT @limit`),
      desc: db.prepare(`SELECT * FROM vector_stores ${where} ORDER BY seq DESC LIMIT @limit`),
    };
  }

  /** Creates a store and indexes `file_ids` into it; a non-text file refuses the whole call. */
  async create(params: CreateVectorStoreParams = {}): Promise<VectorStoreObject> {
    const name = parseParam(NameSchema, params.name ?? '', 'name');
    const metadata = parseMetadata(params.metadata);
    const expires = params.expires_after === undefined ? null : parseExpiresAfter(params.expires_after).days;
    const chunking = parseChunking(params.chunking_strategy);
    if (params.file_ids !== undefined && !Array.isArray(params.file_ids)) {
      throw new InvalidRequestError('file_ids must be an array of file ids', { param: 'file_ids' });
    }
    const fileIds = [...new Set((params.file_ids ?? []).map((id) => requireId(id, 'file_ids')))];
    const prepared: PreparedFile[] = [];
    for (const fileId of fileIds) {
      const file = await this.indexer.prepare(fileId, chunking);
      requireIndexable(file);
      prepared.push(file);
    }
    const id = newId('vs_');
    const description = typeof params.description === 'string' ? params.description : null;
    this.db
      .transaction(() => {
        this.insert.run({
          id,
          name,
          description,
          metadata: JSON.stringify(metadata),
          now: this.state.now(),
          expires_days: expires,
        });
        for (const file of prepared) this.indexer.write(id, file, { attributes: {}, chunking });
      })
      .immediate();
    return this.state.object(id);
  }

  async retrieve(id: string): Promise<VectorStoreObject> {
    return this.state.object(requireId(id, 'vector_store_id'));
  }

  async list(params: ListParams = {}): Promise<ListPage<VectorStoreObject>> {
    this.state.sweep();
    const seqOf = (id: string) => this.seqOf.get(id)?.seq;
    return listPage(this.page, parseListParams(params, 100), { defaultLimit: 20, seqOf }, (row) =>
      this.state.toObject(row),
    );
  }

  /** Changes name, metadata or the expiry policy; counts as activity (`last_active_at`). */
  async update(id: string, params: UpdateVectorStoreParams = {}): Promise<VectorStoreObject> {
    this.state.usable(requireId(id, 'vector_store_id'));
    const setExpiry = params.expires_after !== undefined;
    this.patch.run({
      id,
      name: params.name === undefined ? null : parseParam(NameSchema, params.name ?? '', 'name'),
      metadata: params.metadata === undefined ? null : JSON.stringify(parseMetadata(params.metadata)),
      set_expiry: setExpiry ? 1 : 0,
      expires_days:
        setExpiry && params.expires_after !== null ? parseExpiresAfter(params.expires_after).days : null,
      now: this.state.now(),
    });
    return this.state.object(id);
  }

  /** Deletes the store, its attachments, chunks and batches; the files themselves stay. */
  async delete(id: string): Promise<VectorStoreDeleted> {
    this.state.row(requireId(id, 'vector_store_id'));
    this.remove.run(id);
    return { id, object: 'vector_store.deleted', deleted: true };
  }

  /** Full-text search over the store's chunks (see ChunkSearch for ranking and score). */
  async search(id: string, params: SearchParams): Promise<SearchPage> {
    this.state.usable(requireId(id, 'vector_store_id'));
    const page = this.chunkSearch.run(id, params);
    this.state.touch(id);
    return page;
  }
}
