import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { NodexError } from '../../core/errors.js';

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * File contents on disk, one `<id>.bin` per file, beside (not inside) the database: uploads can be
 * hundreds of MB and SQLite pages are a poor place for them.
 *
 * @example
 * const blobs = new BlobStore('/tmp/compat/files');
 * await blobs.write('file-abc', Buffer.from('hello'));
 */
export class BlobStore {
  constructor(private readonly dir: string) {}

  pathOf(id: string): string {
    return join(this.dir, `${id}.bin`);
  }

  /**
   * Writes atomically: a unique temp file, fsync, rename. A reader in another process sees either
   * no blob or the whole blob, never a partial one.
   */
  async write(id: string, data: Uint8Array): Promise<void> {
    const temp = join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.pathOf(id));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async read(id: string): Promise<Buffer> {
    try {
      return await readFile(this.pathOf(id));
    } catch (error) {
      if (!isMissing(error)) throw error;
      throw new NodexError('not_found', `content of file "${id}" is missing from the compat store`);
    }
  }

  /** Removes a blob; a missing one is fine (deletes are idempotent). */
  async remove(id: string): Promise<void> {
    await rm(this.pathOf(id), { force: true });
  }
}
