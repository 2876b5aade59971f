import { ConfigError, formatKeyPath } from '../../config/config-error.js';
import type { Env } from '../../config/paths.js';
import type { NodexConfig } from '../../config/schema.js';
import {
  type CodexOAuthConfig,
  CodexOAuthConfigSchema,
  type CodexOAuthSettings,
  resolveCodexOAuthSettings,
} from './codex-oauth-settings.js';

/**
 * Validates `providers.codex.oauth` of a loaded config and resolves the settings (file <
 * `CODEX_OAUTH_*` environment < `overrides`). A bad value throws a ConfigError naming the file and
 * key path (exit 2 in the CLI).
 *
 * @example
 * const { config, path } = loadConfig({ env });
 * const settings = codexOAuthSettingsFromConfig(config, env, path);
 */
export function codexOAuthSettingsFromConfig(
  config: NodexConfig,
  env: Env,
  configPath?: string,
  overrides: CodexOAuthConfig = {},
): CodexOAuthSettings {
  const raw = config.providers.codex?.oauth ?? {};
  const parsed = CodexOAuthConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keyPath = formatKeyPath(['providers', 'codex', 'oauth', ...(issue?.path ?? [])]);
    const message = issue?.message.replace(/^Invalid input: /, '') ?? 'invalid value';
    throw new ConfigError(message, { ...(configPath ? { file: configPath } : {}), keyPath });
  }
  return resolveCodexOAuthSettings(parsed.data, env, overrides);
}
