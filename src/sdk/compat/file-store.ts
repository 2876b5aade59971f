import type { Statement } from 'better-sqlite3';
import { InvalidRequestError, NodexError } from '../../core/errors.js';
import type { BlobStore } from './blob-store.js';
import type { CompatDb } from './compat-db.js';
import { type FileInput, readFileInput } from './file-input.js';
import { type Clock, newId, unixSeconds } from './ids.js';
import { listPage, type PageQueries } from './pagination.js';
import type { FileDeleted, FileObject, ListPage, ListParams } from './types.js';
import { parseListParams, requireId } from './validate.js';

export interface CreateFileParams {
  file: FileInput;
  /** OpenAI purpose (`assistants`, `user_data`, …); any non-empty string is kept as given. */
  purpose: string;
  /** Overrides the name derived from a path or `File` (default `upload.bin`). */
  filename?: string;
}

export interface FileListParams extends ListParams {
  purpose?: string;
}

/** A `files` row; exported for the vector store, which reads names and contents. */
export interface FileRow {
  seq: number;
  id: string;
  filename: string;
  purpose: string;
  bytes: number;
  created_at: number;
}

function toFileObject(row: FileRow): FileObject {
  const { id, bytes, created_at, filename, purpose } = row;
  return { id, object: 'file', bytes, created_at, filename, purpose, status: 'processed' };
}

/**
 * The local files API: metadata in SQLite, contents as blobs beside it.
 *
 * @example
 * const file = await store.files.create({ file: Buffer.from('# Notes'), purpose: 'assistants', filename: 'notes.md' });
 * (await store.files.content(file.id)).toString(); // '# Notes'
 */
export class FileStore {
  private readonly insert: Statement<[Omit<FileRow, 'seq'>]>;
  private readonly byId: Statement<[string], FileRow>;
  private readonly remove: Statement<[string]>;
  private readonly page: PageQueries<FileRow>;

  constructor(
    db: CompatDb,
    private readonly blobs: BlobStore,
    private readonly clock: Clock,
  ) {
    this.insert = db.prepare(
      'INSERT INTO files (id, filename, purpose, bytes, created_at) VALUES (@id, @filename, @purpose, @bytes, @created_at)',
    );
    this.byId = db.prepare('SELECT * FROM files WHERE id = ?');
    this.remove = db.prepare('DELETE FROM files WHERE id = ?');
    const where = 'WHERE seq > @lo AND seq < @hi AND (@purpose IS NULL OR purpose = @purpose)';
    this.page = {
      asc: db.prepare(`SELECT * FROM files ${where} ORDER BY seq ASC LIMIT @limit`),
      desc: db.prepare(`SELECT * FROM files ${where} ORDER BY seq DESC LIMIT @limit`),
    };
  }

  async create(params: CreateFileParams): Promise<FileObject> {
    if (typeof params?.purpose !== 'string' || params.purpose.trim() === '') {
      throw new InvalidRequestError('purpose must be a non-empty string', { param: 'purpose' });
    }
    if (params.filename !== undefined && (typeof params.filename !== 'string' || params.filename === '')) {
      throw new InvalidRequestError('filename must be a non-empty string', { param: 'filename' });
    }
    const { data, filename } = await readFileInput(params.file, 'upload.bin');
    const row = {
      id: newId('file-'),
      filename: params.filename ?? filename,
      purpose: params.purpose,
      bytes: data.length,
      created_at: unixSeconds(this.clock),
    };
    // Blob first: a row never points at a missing blob; a crash in between leaves only an orphan blob.
    await this.blobs.write(row.id, data);
    try {
      this.insert.run(row);
    } catch (error) {
      await this.blobs.remove(row.id);
      throw error;
    }
    return toFileObject(this.get(row.id));
  }

  async retrieve(id: string): Promise<FileObject> {
    return toFileObject(this.get(id));
  }

  async list(params: FileListParams = {}): Promise<ListPage<FileObject>> {
    const paging = parseListParams(params, 10_000);
    return listPage(
      this.page,
      paging,
      {
        defaultLimit: 10_000,
        filters: { purpose: params.purpose ?? null },
        seqOf: (id) => this.byId.get(id)?.seq,
      },
      toFileObject,
    );
  }

  /** Deletes the file, its blob, and (by cascade) its attachments and chunks in every vector store. */
  async delete(id: string): Promise<FileDeleted> {
    this.get(id);
    this.remove.run(id);
    await this.blobs.remove(id);
    return { id, object: 'file', deleted: true };
  }

  /** The file's bytes, as uploaded. */
  async content(id: string): Promise<Buffer> {
    this.get(id);
    return this.blobs.read(id);
  }

  /** The row of a file; throws `not_found` for an unknown id. */
  get(id: string): FileRow {
    const row = this.byId.get(requireId(id, 'file_id'));
    if (!row) throw new NodexError('not_found', `file "${id}" not found`, { param: 'file_id' });
    return row;
  }
}
