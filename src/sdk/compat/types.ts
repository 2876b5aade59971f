/**
 * The OpenAI object shapes the compat store returns (openai-node `resources/files.ts` and
 * `resources/vector-stores/*.ts`), so SDK callers can swap the local store for the real API.
 */

/** A JSON value: response items are stored and returned as opaque JSON. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Up to 16 string pairs (OpenAI `metadata`). */
export type Metadata = Record<string, string>;

/** Up to 16 filterable pairs on a vector store file (OpenAI `attributes`). */
export type Attributes = Record<string, string | number | boolean>;

/** One page of a cursor-paginated list. */
export interface ListPage<T> {
  object: 'list';
  data: T[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** Cursor pagination, as in the OpenAI list endpoints (`order` defaults to `desc`). */
export interface ListParams {
  limit?: number;
  after?: string;
  before?: string;
  order?: 'asc' | 'desc';
}

export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  filename: string;
  purpose: string;
  status: 'processed';
  expires_at?: number;
}

export interface FileDeleted {
  id: string;
  object: 'file';
  deleted: true;
}

export interface FileCounts {
  in_progress: number;
  completed: number;
  failed: number;
  cancelled: number;
  total: number;
}

export interface ExpiresAfter {
  anchor: 'last_active_at';
  days: number;
}

export interface VectorStoreObject {
  id: string;
  object: 'vector_store';
  name: string;
  created_at: number;
  last_active_at: number;
  usage_bytes: number;
  file_counts: FileCounts;
  status: 'expired' | 'in_progress' | 'completed';
  metadata: Metadata;
  expires_after?: ExpiresAfter;
  expires_at: number | null;
}

export interface VectorStoreDeleted {
  id: string;
  object: 'vector_store.deleted';
  deleted: true;
}

export interface StaticChunkingStrategy {
  type: 'static';
  static: { max_chunk_size_tokens: number; chunk_overlap_tokens: number };
}

/** `auto` is reported back as the static defaults it resolves to (800 / 400), as OpenAI does. */
export type ChunkingStrategyParam = { type: 'auto' } | StaticChunkingStrategy;

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'cancelled' | 'failed';

export interface VectorStoreFileError {
  code: 'server_error' | 'unsupported_file' | 'invalid_file';
  message: string;
}

export interface VectorStoreFileObject {
  id: string;
  object: 'vector_store.file';
  vector_store_id: string;
  created_at: number;
  usage_bytes: number;
  status: VectorStoreFileStatus;
  last_error: VectorStoreFileError | null;
  attributes: Attributes;
  chunking_strategy: StaticChunkingStrategy;
}

export interface VectorStoreFileDeleted {
  id: string;
  object: 'vector_store.file.deleted';
  deleted: true;
}

export interface FileBatchObject {
  id: string;
  object: 'vector_store.files_batch';
  vector_store_id: string;
  status: 'in_progress' | 'completed' | 'cancelled' | 'failed';
  file_counts: FileCounts;
  created_at: number;
}

export interface SearchResult {
  file_id: string;
  filename: string;
  score: number;
  attributes: Attributes;
  content: { type: 'text'; text: string }[];
}

export interface SearchPage {
  object: 'vector_store.search_results.page';
  search_query: string[];
  data: SearchResult[];
  has_more: boolean;
  next_page: null;
}
