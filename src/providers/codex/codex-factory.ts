import { z } from 'zod';
import { CodexOAuthConfigSchema, resolveCodexOAuthSettings } from '../../auth/codex/codex-oauth-settings.js';
import { CODEX_LOGIN_HINT, createCodexTokenSource } from '../../auth/codex/codex-token-source.js';
import { duration } from '../../config/schema.js';
import { type ProviderFactory, ProviderUnavailableError } from '../provider-factory.js';
import { CODEX_BASE_URL, CodexProvider } from './codex-provider.js';

const CodexOptionsSchema = z.strictObject({
  base_url: z.url().default(CODEX_BASE_URL),
  oauth: CodexOAuthConfigSchema.optional(),
  /** Instructions sent when a request has none (the backend requires the key; '' is accepted). */
  instructions: z.string().optional(),
  originator: z.string().min(1).optional(),
  user_agent: z.string().min(1).optional(),
  client_version: z.string().min(1).optional(),
  reasoning: z
    .strictObject({
      effort: z.enum(['none', 'low', 'medium', 'high', 'xhigh']).optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).optional(),
    })
    .optional(),
  idle_timeout: duration.optional(),
  headers_timeout: duration.optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
  /** Fallback model list (used when discovery fails or is off). */
  models: z.array(z.string().min(1)).optional(),
  discover_models: z.boolean().optional(),
});

type CodexOptions = z.output<typeof CodexOptionsSchema>;

/**
 * `providers.codex`: the ChatGPT backend with the account's OAuth login. Without credentials in any
 * store (nodex's own, `$CODEX_HOME/auth.json`, oauth-codex's files) the provider is skipped and a
 * request for a Codex model is told to run `nodex login codex`.
 */
export const codexFactory: ProviderFactory<CodexOptions> = {
  kind: 'codex',
  schema: CodexOptionsSchema,
  builtIn: true,
  create: (id, options, context) => {
    const settings = resolveCodexOAuthSettings(options.oauth ?? {}, context.env);
    const tokenSource = createCodexTokenSource({
      settings,
      env: context.env,
      home: context.home,
      ...(context.onWarning ? { onWarning: context.onWarning } : {}),
      ...(context.refreshLock ? { lock: context.refreshLock } : {}),
      ...(context.onAuthRefresh
        ? { onRefresh: (info) => context.onAuthRefresh?.({ provider: id, ...info }) }
        : {}),
    });
    if (!tokenSource)
      throw new ProviderUnavailableError(
        `not logged in to ChatGPT: ${CODEX_LOGIN_HINT} (or \`codex login\`)`,
      );
    return new CodexProvider({
      id,
      baseUrl: options.base_url,
      tokenSource,
      ...(options.instructions === undefined ? {} : { instructions: options.instructions }),
      ...(options.originator ? { originator: options.originator } : {}),
      ...(options.user_agent ? { userAgent: options.user_agent } : {}),
      ...(options.client_version ? { clientVersion: options.client_version } : {}),
      ...(options.reasoning ? { reasoningDefault: options.reasoning } : {}),
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
