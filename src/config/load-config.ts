import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError, formatKeyPath } from './config-error.js';
import { applyEnvOverrides, setKeyPath } from './env-overrides.js';
import { type Env, resolveConfigPath } from './paths.js';
import { ConfigSchema, type NodexConfig } from './schema.js';

export interface LoadConfigOptions {
  /** `--config`. */
  readonly path?: string;
  readonly env?: Env;
  /** Flag overrides by key path, highest precedence (`{ 'server.listen': '127.0.0.1:0' }`). */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export interface LoadedConfig {
  readonly config: NodexConfig;
  /** The file read, or the default location that was looked for. */
  readonly path: string;
  /** False when no file exists at the default location (built-in defaults apply). */
  readonly fromFile: boolean;
  /** Unknown keys, one line each (`server.lisen: unknown key (ignored)`). */
  readonly warnings: readonly string[];
}

function readRaw(path: string, explicit: boolean): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !explicit) return undefined;
    throw new ConfigError(`cannot read the config file: ${(error as Error).message}`, {
      file: path,
      cause: error,
    });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const first = doc.errors[0];
  if (first) {
    const line = first.linePos?.[0];
    const where = line ? `line ${line.line}, column ${line.col}` : 'YAML';
    throw new ConfigError(`${where}: ${first.message.split('\n')[0]}`, { file: path });
  }
  const value: unknown = doc.toJS();
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError('expected a mapping of sections (server:, providers:, …) at the top level', {
      file: path,
    });
  }
  return value as Record<string, unknown>;
}

function deleteKeyPath(target: Record<string, unknown>, path: readonly PropertyKey[], key: string): void {
  let node: unknown = target;
  for (const step of path) node = (node as Record<PropertyKey, unknown> | undefined)?.[step];
  if (node && typeof node === 'object') delete (node as Record<string, unknown>)[key];
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.message.replace(/^Invalid input: /, '');
}

/**
 * Loads the effective configuration: built-in defaults < YAML file < `NODEX_*` environment < flags,
 * validated with zod. Type errors throw a ConfigError naming file, key path and expected type;
 * unknown keys are reported as warnings and ignored.
 *
 * @example
 * const { config } = loadConfig({ path: '/etc/nodex.yaml' });
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const { path, explicit } = resolveConfigPath(options.path, env);
  const fileRaw = readRaw(path, explicit);
  const raw = structuredClone(fileRaw ?? {});
  applyEnvOverrides(raw, env);
  for (const [keyPath, value] of Object.entries(options.overrides ?? {})) {
    if (value !== undefined) setKeyPath(raw, keyPath, value);
  }
  const warnings: string[] = [];
  let result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const fatal = result.error.issues.filter((issue) => issue.code !== 'unrecognized_keys');
    const first = fatal[0];
    if (first)
      throw new ConfigError(describeIssue(first), { file: path, keyPath: formatKeyPath(first.path) });
    for (const issue of result.error.issues) {
      if (issue.code !== 'unrecognized_keys') continue;
      for (const key of issue.keys) {
        warnings.push(`${formatKeyPath([...issue.path, key])}: unknown key (ignored)`);
        deleteKeyPath(raw, issue.path, key);
      }
    }
    result = ConfigSchema.safeParse(raw);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new ConfigError(issue ? describeIssue(issue) : 'invalid configuration', {
        file: path,
        keyPath: issue ? formatKeyPath(issue.path) : undefined,
      });
    }
  }
  return { config: result.data, path, fromFile: fileRaw !== undefined, warnings };
}
