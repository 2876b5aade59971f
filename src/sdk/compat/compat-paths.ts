import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Env, expandHome, nodexHome } from '../../config/paths.js';

/** The environment variable that moves the compat store (below the explicit option). */
export const COMPAT_DIR_ENV = 'NODEX_COMPAT_STORAGE_DIR';

/**
 * Where the compat store lives: the explicit `compatStorageDir` option, else
 * `NODEX_COMPAT_STORAGE_DIR`, else `$NODEX_HOME/compat` (`~/.nodex/compat`). `~` is expanded.
 *
 * @example
 * resolveCompatDir({ env: { HOME: '/home/ada' } }); // '/home/ada/.nodex/compat'
 */
export function resolveCompatDir(options: { compatStorageDir?: string; env?: Env } = {}): string {
  const env = options.env ?? process.env;
  if (options.compatStorageDir) return resolve(expandHome(options.compatStorageDir, env));
  const fromEnv = env[COMPAT_DIR_ENV];
  if (fromEnv) return resolve(expandHome(fromEnv, env));
  return join(nodexHome(env), 'compat');
}

/** The SQLite file inside a compat dir. */
export function compatDbPath(dir: string): string {
  return join(dir, 'compat.db');
}

/** The folder holding uploaded file contents, one blob per file id (kept out of the database). */
export function compatBlobDir(dir: string): string {
  return join(dir, 'files');
}

/**
 * Creates the compat dir and its blob folder (0700: uploads may be private documents). An existing
 * dir keeps its mode: the user may share it on purpose.
 */
export function ensureCompatDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  mkdirSync(compatBlobDir(dir), { recursive: true, mode: 0o700 });
}
