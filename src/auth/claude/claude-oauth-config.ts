import { ConfigError, formatKeyPath } from '../../config/config-error.js';
import type { Env } from '../../config/paths.js';
import type { NodexConfig } from '../../config/schema.js';
import {
  type ClaudeOAuthConfig,
  ClaudeOAuthConfigSchema,
  type ClaudeOAuthSettings,
  resolveClaudeOAuthSettings,
} from './claude-oauth-settings.js';

/** The config section that holds the Claude login settings: `providers.anthropic.oauth`. */
export const CLAUDE_OAUTH_CONFIG_PATH = ['providers', 'anthropic', 'oauth'] as const;

/**
 * Validates `providers.anthropic.oauth` of a loaded config and resolves the settings. A bad value
 * throws a ConfigError naming the file and key path (exit 2 in the CLI).
 *
 * @example
 * const { config, path } = loadConfig({ env });
 * const settings = claudeOAuthSettingsFromConfig(config, env, path);
 */
export function claudeOAuthSettingsFromConfig(
  config: NodexConfig,
  env: Env,
  configPath?: string,
  overrides: ClaudeOAuthConfig = {},
): ClaudeOAuthSettings {
  const raw = config.providers.anthropic?.oauth ?? {};
  const parsed = ClaudeOAuthConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const keyPath = formatKeyPath([...CLAUDE_OAUTH_CONFIG_PATH, ...(issue?.path ?? [])]);
    const message = issue?.message.replace(/^Invalid input: /, '') ?? 'invalid value';
    throw new ConfigError(message, { ...(configPath ? { file: configPath } : {}), keyPath });
  }
  return resolveClaudeOAuthSettings(parsed.data, env, overrides);
}
