import { isAbsolute, join } from 'node:path';
import { type Env, expandHome, nodexHome } from '../../config/paths.js';
import { AuditSchema, type NodexConfig, TraceSchema } from '../../config/schema.js';

/**
 * Where a trace or audit file lives: `~` expanded, a relative path under NODEX_HOME, so the
 * gateway and `nodex replay` / `nodex tail` agree whatever directory they run in.
 *
 * @example
 * observePath('trace.jsonl', { HOME: '/home/me' }); // '/home/me/.nodex/trace.jsonl'
 */
export function observePath(path: string, env: Env = process.env): string {
  const expanded = expandHome(path, env);
  return isAbsolute(expanded) ? expanded : join(nodexHome(env), expanded);
}

/** One observability file as the readers see it. */
export interface ObserveFile {
  readonly path: string;
  readonly maxFiles: number;
  /** Whether the config turns it on (readers still look at the default path when it does not). */
  readonly enabled: boolean;
}

/**
 * The trace and audit files a config names, or the default ones (`NODEX_HOME/trace.jsonl`,
 * `NODEX_HOME/audit.jsonl`) when its sections are absent.
 *
 * @example
 * observeFiles(config, io.env).trace.path;
 */
export function observeFiles(
  config: NodexConfig,
  env: Env = process.env,
): { trace: ObserveFile; audit: ObserveFile } {
  const trace = config.server.trace ?? TraceSchema.parse({});
  const audit = config.server.audit ?? AuditSchema.parse({});
  return {
    trace: { path: observePath(trace.path, env), maxFiles: trace.max_files, enabled: !!config.server.trace },
    audit: { path: observePath(audit.path, env), maxFiles: audit.max_files, enabled: !!config.server.audit },
  };
}
