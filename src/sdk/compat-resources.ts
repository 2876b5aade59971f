import type { CompatStore } from './compat/compat-store.js';
import type { FileBatchParams } from './compat/file-batches.js';
import type { CreateFileParams, FileListParams } from './compat/file-store.js';
import type { SearchParams } from './compat/search.js';
import type { AttachFileParams, VectorStoreFileListParams } from './compat/vector-store-files.js';
import type { CreateVectorStoreParams, UpdateVectorStoreParams } from './compat/vector-stores.js';

type Open = () => CompatStore;
type ListParams = Parameters<CompatStore['vectorStores']['list']>[0];

/**
 * `client.files`: openai-node's files surface, kept in the local compat store (the Codex backend
 * has no files API).
 *
 * @example
 * const file = await client.files.create({ file: Buffer.from('notes…'), filename: 'notes.md', purpose: 'assistants' });
 */
export class Files {
  constructor(readonly open: Open) {}
  create(params: CreateFileParams) {
    return this.open().files.create(params);
  }
  retrieve(fileId: string) {
    return this.open().files.retrieve(fileId);
  }
  list(params?: FileListParams) {
    return this.open().files.list(params);
  }
  delete(fileId: string) {
    return this.open().files.delete(fileId);
  }
  /** The file's bytes. */
  content(fileId: string) {
    return this.open().files.content(fileId);
  }
}

/** `client.vectorStores.files` (openai-node argument order: file id first, `{ vector_store_id }`). */
export class VectorStoreFilesResource {
  constructor(readonly open: Open) {}
  create(vectorStoreId: string, params: AttachFileParams) {
    return this.open().vectorStores.files.create(vectorStoreId, params);
  }
  retrieve(fileId: string, params: { vector_store_id: string }) {
    return this.open().vectorStores.files.retrieve(params.vector_store_id, fileId);
  }
  update(
    fileId: string,
    params: { vector_store_id: string; attributes: Record<string, string | number | boolean> | null },
  ) {
    return this.open().vectorStores.files.update(params.vector_store_id, fileId, {
      attributes: params.attributes,
    });
  }
  list(vectorStoreId: string, params?: VectorStoreFileListParams) {
    return this.open().vectorStores.files.list(vectorStoreId, params);
  }
  delete(fileId: string, params: { vector_store_id: string }) {
    return this.open().vectorStores.files.delete(params.vector_store_id, fileId);
  }
}

/** `client.vectorStores.fileBatches`. */
export class FileBatchesResource {
  constructor(readonly open: Open) {}
  create(vectorStoreId: string, params: FileBatchParams) {
    return this.open().vectorStores.fileBatches.create(vectorStoreId, params);
  }
  retrieve(batchId: string, params: { vector_store_id: string }) {
    return this.open().vectorStores.fileBatches.retrieve(params.vector_store_id, batchId);
  }
  listFiles(batchId: string, params: { vector_store_id: string } & Omit<VectorStoreFileListParams, never>) {
    const { vector_store_id, ...rest } = params;
    return this.open().vectorStores.fileBatches.listFiles(vector_store_id, batchId, rest);
  }
}

/**
 * `client.vectorStores`: vector stores kept locally, searched with SQLite FTS5 BM25 (real ranking,
 * snippets, attribute filters).
 *
 * @example
 * const store = await client.vectorStores.create({ name: 'docs', file_ids: [file.id] });
 * const hits = await client.vectorStores.search(store.id, { query: 'refund policy' });
 */
export class VectorStoresResource {
  readonly files: VectorStoreFilesResource;
  readonly fileBatches: FileBatchesResource;

  constructor(readonly open: Open) {
    this.files = new VectorStoreFilesResource(open);
    this.fileBatches = new FileBatchesResource(open);
  }
  create(params?: CreateVectorStoreParams) {
    return this.open().vectorStores.create(params);
  }
  retrieve(vectorStoreId: string) {
    return this.open().vectorStores.retrieve(vectorStoreId);
  }
  update(vectorStoreId: string, params: UpdateVectorStoreParams) {
    return this.open().vectorStores.update(vectorStoreId, params);
  }
  list(params?: ListParams) {
    return this.open().vectorStores.list(params);
  }
  delete(vectorStoreId: string) {
    return this.open().vectorStores.delete(vectorStoreId);
  }
  search(vectorStoreId: string, params: SearchParams) {
    return this.open().vectorStores.search(vectorStoreId, params);
  }
}
