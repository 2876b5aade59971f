import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { lock } from 'proper-lockfile';

/**
 * Writes `text` to `path` atomically: a temp file in the same directory (same filesystem, so the
 * rename is atomic), fsync, chmod, rename over the target, then fsync the directory so the rename
 * survives a crash. Readers see the old file or the new one, never half of one (DESIGN.md §4).
 * Missing directories are created with mode 0700.
 *
 * @example
 * await writeFileAtomic('/home/me/.codex/auth.json', json, 0o600);
 */
export async function writeFileAtomic(path: string, text: string, mode = 0o600): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await chmod(temp, mode); // the umask may have narrowed or the file system widened it
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  const dirHandle = await open(dir, 'r').catch(() => undefined);
  await dirHandle
    ?.sync()
    .catch(() => undefined)
    .finally(() => dirHandle.close());
}

/**
 * Runs `fn` holding an exclusive lock on `path` (proper-lockfile: a `<path>.lock` directory, so it
 * works whether or not the file exists and across processes). Used when a file is shared with the
 * Codex CLI or another nodex process, so two writers never interleave read-modify-write.
 *
 * @example
 * await withFileLock(path, async () => writeFileAtomic(path, merge(await readTextIfExists(path))));
 */
export async function withFileLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const release = await lock(path, {
    realpath: false,
    stale: 10_000,
    retries: { retries: 40, factor: 1.3, minTimeout: 10, maxTimeout: 250 },
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** Reads a file as UTF-8; undefined when it does not exist. */
export async function readTextIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Deletes a file; false when it was not there. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
