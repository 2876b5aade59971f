import { z } from 'zod';
import {
  ClaudeOAuthConfigSchema,
  resolveClaudeOAuthSettings,
} from '../../auth/claude/claude-oauth-settings.js';
import { createClaudeTokenSource } from '../../auth/claude/claude-token-source.js';
import type { Env } from '../../config/paths.js';
import { duration } from '../../config/schema.js';
import { type ProviderFactory, ProviderUnavailableError } from '../provider-factory.js';
import { ANTHROPIC_BASE_URL, AnthropicProvider } from './anthropic-provider.js';

const budget = z.number().int().min(1024);

const AnthropicOptionsSchema = z.strictObject({
  /** Default https://api.anthropic.com; `NODEX_ANTHROPIC_BASE_URL` wins over it, `ANTHROPIC_BASE_URL` fills in. */
  base_url: z.url().optional(),
  /** `auto`: the Claude login when there is one, else the API key. */
  auth: z.enum(['auto', 'oauth', 'api_key']).default('auto'),
  api_key_env: z.string().min(1).default('ANTHROPIC_API_KEY'),
  oauth: ClaudeOAuthConfigSchema.optional(),
  /** OAuth mode's first system block (default: Claude Code's identity line). */
  identity: z.string().min(1).optional(),
  /** Extra `anthropic-beta` values (default `interleaved-thinking-2025-05-14`); `[]` sends none. */
  betas: z.array(z.string().min(1)).optional(),
  /** OAuth mode's User-Agent (default `claude-cli/{cli_version} (external, cli)`). */
  user_agent: z.string().min(1).optional(),
  cli_version: z.string().min(1).optional(),
  /** E.g. `mcp_`: added to tool names upstream, stripped from calls (wire.md §4.4). Off by default. */
  tool_name_prefix: z
    .string()
    .regex(/^[a-zA-Z0-9_-]*$/)
    .optional(),
  /** Default `max_tokens` per model prefix, plus `default`. */
  max_tokens: z.record(z.string(), z.number().int().positive()).optional(),
  thinking_budgets: z
    .strictObject({ minimal: budget, low: budget, medium: budget, high: budget, xhigh: budget })
    .partial()
    .optional(),
  idle_timeout: duration.optional(),
  headers_timeout: duration.optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  /** Fallback model list (used when discovery fails or is off). */
  models: z.array(z.string().min(1)).optional(),
  discover_models: z.boolean().optional(),
});

type AnthropicOptions = z.output<typeof AnthropicOptionsSchema>;

function baseUrl(options: AnthropicOptions, env: Env): string {
  return env.NODEX_ANTHROPIC_BASE_URL || options.base_url || env.ANTHROPIC_BASE_URL || ANTHROPIC_BASE_URL;
}

function unavailable(options: AnthropicOptions): ProviderUnavailableError {
  const login = 'run `nodex login claude`';
  const key = `set ${options.api_key_env}`;
  if (options.auth === 'oauth') return new ProviderUnavailableError(`no Claude login: ${login}`);
  if (options.auth === 'api_key') return new ProviderUnavailableError(`no Anthropic API key: ${key}`);
  return new ProviderUnavailableError(`no Claude login or API key: ${login} or ${key}`);
}

/**
 * `providers.anthropic`: the Anthropic Messages API with a Claude subscription login (nodex's own,
 * Claude Code's `.credentials.json`, or `CLAUDE_CODE_OAUTH_TOKEN`) or an API key (`ANTHROPIC_API_KEY`
 * or `api_key_env`). With neither, the provider is skipped and requests for Claude models are told
 * what to do.
 */
export const anthropicFactory: ProviderFactory<AnthropicOptions> = {
  kind: 'anthropic',
  schema: AnthropicOptionsSchema,
  builtIn: true,
  create: (id, options, context) => {
    const { env } = context;
    const tokenSource =
      options.auth === 'api_key'
        ? undefined
        : createClaudeTokenSource({
            settings: resolveClaudeOAuthSettings(
              { ...(options.cli_version ? { cli_version: options.cli_version } : {}), ...options.oauth },
              env,
            ),
            env,
            home: context.home,
            ...(context.onWarning ? { onWarning: context.onWarning } : {}),
            ...(context.refreshLock ? { lock: context.refreshLock } : {}),
            ...(context.onAuthRefresh ? { onRefresh: () => context.onAuthRefresh?.({ provider: id }) } : {}),
          });
    const apiKey = options.auth === 'oauth' ? undefined : env[options.api_key_env]?.trim() || undefined;
    if (!tokenSource && !apiKey) throw unavailable(options);
    return new AnthropicProvider({
      id,
      baseUrl: baseUrl(options, env),
      auth: options.auth,
      ...(tokenSource ? { tokenSource } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(options.identity ? { identity: options.identity } : {}),
      ...(options.betas ? { betas: options.betas } : {}),
      ...(options.user_agent ? { userAgent: options.user_agent } : {}),
      ...(options.cli_version ? { cliVersion: options.cli_version } : {}),
      ...(options.tool_name_prefix ? { toolNamePrefix: options.tool_name_prefix } : {}),
      ...(options.max_tokens ? { maxTokens: options.max_tokens } : {}),
      ...(options.thinking_budgets ? { thinkingBudgets: options.thinking_budgets } : {}),
      ...(options.idle_timeout === undefined ? {} : { idleTimeoutMs: options.idle_timeout }),
      ...(options.headers_timeout === undefined ? {} : { headersTimeoutMs: options.headers_timeout }),
      ...(options.max_retries === undefined
        ? {}
        : {
            retryPolicy: {
              maxRetries: options.max_retries,
              initialDelayMs: 500,
              maxDelayMs: 8000,
              maxRetryAfterMs: 60_000,
            },
          }),
      ...(options.models ? { models: options.models } : {}),
      ...(options.discover_models === undefined ? {} : { discoverModels: options.discover_models }),
    });
  },
};
