import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidRequestError, NodexError } from '../../core/errors.js';

/** OpenAI's per-file upload limit. */
export const MAX_FILE_BYTES = 512 * 1024 * 1024;

/**
 * What `files.create({ file })` accepts: bytes, a string (its UTF-8 bytes), `{ path }` of a local
 * file, a `Blob`/`File`, or an async iterable of chunks such as `fs.createReadStream(path)` (the
 * usual openai-node idiom).
 */
export type FileInput =
  | Uint8Array
  | string
  | { readonly path: string }
  | Blob
  | AsyncIterable<Uint8Array | string>;

function tooLarge(bytes: number): NodexError {
  return new NodexError('request_too_large', `the file has ${bytes} bytes; the limit is ${MAX_FILE_BYTES}`, {
    param: 'file',
  });
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array | string> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

function pathOf(value: object): string | undefined {
  const path = (value as { path?: unknown }).path;
  if (typeof path === 'string') return path;
  return Buffer.isBuffer(path) ? path.toString() : undefined;
}

async function collect(stream: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const part of stream) {
    const buffer = typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part);
    total += buffer.length;
    if (total > MAX_FILE_BYTES) throw tooLarge(total);
    parts.push(buffer);
  }
  return Buffer.concat(parts);
}

/**
 * Reads any accepted file input into memory, with the name it suggests (a path's base name, a
 * `File`'s name) or `fallback`.
 *
 * @example
 * await readFileInput({ path: './notes.md' }, 'upload.bin'); // { data: <Buffer …>, filename: 'notes.md' }
 */
export async function readFileInput(
  file: FileInput,
  fallback: string,
): Promise<{ data: Buffer; filename: string }> {
  if (typeof file === 'string') return { data: Buffer.from(file, 'utf8'), filename: fallback };
  if (file instanceof Uint8Array) return { data: Buffer.from(file), filename: fallback };
  if (file instanceof Blob) {
    if (file.size > MAX_FILE_BYTES) throw tooLarge(file.size);
    const name = (file as { name?: unknown }).name;
    return {
      data: Buffer.from(await file.arrayBuffer()),
      filename: typeof name === 'string' && name ? basename(name) : fallback,
    };
  }
  const path = typeof file === 'object' && file !== null ? pathOf(file) : undefined;
  if (isAsyncIterable(file)) return { data: await collect(file), filename: path ? basename(path) : fallback };
  if (path !== undefined) {
    const info = await stat(path).catch((error: unknown) => {
      throw new InvalidRequestError(`cannot read file "${path}": ${(error as Error).message}`, {
        param: 'file',
      });
    });
    if (!info.isFile()) throw new InvalidRequestError(`"${path}" is not a regular file`, { param: 'file' });
    if (info.size > MAX_FILE_BYTES) throw tooLarge(info.size);
    return { data: await readFile(path), filename: basename(path) };
  }
  throw new InvalidRequestError(
    'file must be a Buffer/Uint8Array, a string, { path }, a Blob or a readable stream',
    { param: 'file' },
  );
}
