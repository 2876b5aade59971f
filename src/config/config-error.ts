import { NodexError } from '../core/errors.js';

/** A configuration problem the user must fix: names the file and the key path. Exit code 2 in the CLI. */
export class ConfigError extends NodexError {
  readonly file: string | undefined;
  readonly keyPath: string | undefined;

  constructor(message: string, options: { file?: string; keyPath?: string; cause?: unknown } = {}) {
    const where = [options.file, options.keyPath].filter(Boolean).join(': ');
    super('config_invalid', where ? `${where}: ${message}` : message, { cause: options.cause });
    this.name = 'ConfigError';
    this.file = options.file;
    this.keyPath = options.keyPath;
  }
}

/** Formats a zod issue path (`['providers', 'mock', 0]`) as `providers.mock[0]`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || '(top level)';
}
