import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Document, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';

/**
 * Sets values in the YAML config file, keeping its comments, key order and formatting (the `yaml`
 * Document API); creates the file (0600) when it does not exist. Written atomically (temp file +
 * rename), keeping the file's mode.
 *
 * @example
 * updateConfigFile(path, [[['routing', 'aliases', 'sonnet'], 'claude-sonnet-4-6']]);
 */
export function updateConfigFile(
  path: string,
  entries: ReadonlyArray<readonly [readonly string[], unknown]>,
): void {
  const exists = existsSync(path);
  const text = exists ? readFileSync(path, 'utf8') : '';
  const parsed = parseDocument(text);
  if (parsed.errors[0])
    throw new ConfigError(`cannot update: ${parsed.errors[0].message.split('\n')[0]}`, { file: path });
  const doc = parsed.contents === null ? new Document({}) : parsed;
  for (const [keyPath, value] of entries) doc.setIn([...keyPath], value);
  const mode = exists ? statSync(path).mode & 0o777 : 0o600;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, doc.toString(), { mode });
  chmodSync(temp, mode);
  renameSync(temp, path);
}
