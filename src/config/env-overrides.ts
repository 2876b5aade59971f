import type { Env } from './paths.js';

/**
 * The `NODEX_*` environment variables that override config keys (file < environment < flags).
 * docs/config.md lists the same table.
 */
export const ENV_OVERRIDES: ReadonlyArray<readonly [variable: string, keyPath: string, type?: 'boolean']> = [
  ['NODEX_LISTEN', 'server.listen'],
  ['NODEX_ADMIN_SOCKET', 'server.admin_socket'],
  ['NODEX_BODY_LIMIT', 'server.body_limit'],
  ['NODEX_ALLOW_ANY_KEY', 'server.allow_any_key', 'boolean'],
  ['NODEX_MODEL', 'exec.model'],
  ['NODEX_INSTRUCTIONS', 'exec.instructions'],
  ['NODEX_MOCK_MODE', 'exec.mock_mode'],
  ['NODEX_TIMEOUT', 'exec.timeout'],
  ['NODEX_STATE_DRIVER', 'state.driver'],
  ['NODEX_STATE_URL', 'state.url'],
  ['NODEX_LIMITS_DRIVER', 'limits.driver'],
  ['NODEX_LIMITS_URL', 'limits.url'],
  ['NODEX_LOG_LEVEL', 'log.level'],
  ['NODEX_CODEX_BASE_URL', 'providers.codex.base_url'],
  ['NODEX_ANTHROPIC_BASE_URL', 'providers.anthropic.base_url'],
];

/** Sets `value` at a dotted key path inside a plain object, creating objects on the way. */
export function setKeyPath(target: Record<string, unknown>, keyPath: string, value: unknown): void {
  const keys = keyPath.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1] as string] = value;
}

/** Applies the environment overrides that are set (non-empty) to a raw config object. */
export function applyEnvOverrides(raw: Record<string, unknown>, env: Env): string[] {
  const applied: string[] = [];
  for (const [variable, keyPath, type] of ENV_OVERRIDES) {
    const value = env[variable];
    if (value === undefined || value === '') continue;
    // Booleans: 1/true/yes and 0/false/no; anything else is left for the schema to reject.
    const truthy = /^(1|true|yes)$/i.test(value);
    const falsy = /^(0|false|no)$/i.test(value);
    setKeyPath(raw, keyPath, type === 'boolean' && (truthy || falsy) ? truthy : value);
    applied.push(variable);
  }
  return applied;
}
