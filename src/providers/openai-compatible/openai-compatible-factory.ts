import { z } from 'zod';
import { duration } from '../../config/schema.js';
import {
  type ProviderBuildContext,
  type ProviderFactory,
  ProviderUnavailableError,
} from '../provider-factory.js';
import { expandHeaders } from './openai-compatible-headers.js';
import { CHAT_PRESETS, type ChatPreset, type ChatPresetName } from './openai-compatible-presets.js';
import { OpenAICompatibleProvider } from './openai-compatible-provider.js';

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name');
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'expected an HTTP header name');

/** `providers.<id>` for kind `openai-compatible` and its presets (docs/config.md). */
const OptionsSchema = z.strictObject({
  base_url: z.url().optional(),
  api_key_env: variableName.optional(),
  /** A literal key: discouraged (it sits in the file); wins over `api_key_env`. */
  api_key: z.string().min(1).optional(),
  auth: z.enum(['bearer', 'header', 'none']).optional(),
  header_name: headerName.optional(),
  /** Extra headers; values may reference `$VAR` / `${VAR}`. */
  headers: z.record(headerName, z.string()).optional(),
  models: z.array(z.string().min(1)).optional(),
  discover_models: z.boolean().optional(),
  dialect: z.enum(['openai', 'gemini']).optional(),
  max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  capabilities: z
    .strictObject({
      tools: z.boolean().optional(),
      parallel_tool_calls: z.boolean().optional(),
      images: z.boolean().optional(),
      reasoning: z.boolean().optional(),
      json_schema: z.boolean().optional(),
      temperature: z.boolean().optional(),
      max_output_tokens: z.boolean().optional(),
      context_window: z.number().int().positive().optional(),
      output_limit: z.number().int().positive().optional(),
    })
    .optional(),
  idle_timeout: duration.optional(),
  headers_timeout: duration.optional(),
  max_retries: z.number().int().min(0).max(10).optional(),
});

export type OpenAICompatibleOptions = z.output<typeof OptionsSchema>;

const headerAuthNeedsName = (options: OpenAICompatibleOptions, ctx: z.core.$RefinementCtx) => {
  if (options.auth === 'header' && !options.header_name) {
    ctx.addIssue({ code: 'custom', path: ['header_name'], message: 'auth: header needs header_name' });
  }
};

/** A custom host names its URL and where its key comes from (or says it takes none). */
const CustomSchema = OptionsSchema.superRefine((options, ctx) => {
  if (!options.base_url)
    ctx.addIssue({ code: 'custom', path: ['base_url'], message: 'base_url is required' });
  if (!options.api_key_env && !options.api_key && options.auth !== 'none') {
    ctx.addIssue({
      code: 'custom',
      path: ['api_key_env'],
      message: 'set api_key_env (or api_key), or auth: none for a host that takes no key',
    });
  }
  headerAuthNeedsName(options, ctx);
});

const PresetSchema = OptionsSchema.superRefine(headerAuthNeedsName);

/**
 * Builds the provider from a validated section over a preset's defaults. A missing key does not
 * stop it: requests then need a per-request key and otherwise fail with `provider_unavailable`
 * naming the variable (docs/config.md). A `$VAR` in `headers` that is unset does stop it.
 */
function create(
  id: string,
  options: OpenAICompatibleOptions,
  context: ProviderBuildContext,
  preset?: ChatPreset,
): OpenAICompatibleProvider {
  const expanded = expandHeaders(options.headers ?? {}, context.env);
  if (expanded.missing.length > 0) {
    throw new ProviderUnavailableError(
      `set ${[...new Set(expanded.missing)].join(', ')} (used in providers.${id}.headers)`,
    );
  }
  const apiKeyEnv = options.api_key_env ?? preset?.apiKeyEnv;
  const apiKey = options.api_key ?? (apiKeyEnv ? context.env[apiKeyEnv] : undefined);
  const baseUrl = options.base_url ?? preset?.baseUrl;
  if (!baseUrl) throw new ProviderUnavailableError(`set providers.${id}.base_url`);
  return new OpenAICompatibleProvider({
    id,
    baseUrl,
    dialect: options.dialect ?? preset?.dialect ?? 'openai',
    auth: options.auth ?? 'bearer',
    ...(options.header_name ? { headerName: options.header_name } : {}),
    ...(apiKey ? { apiKey } : {}),
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    headers: expanded.headers,
    secretHeaders: expanded.secret,
    ...(options.models ? { models: options.models } : {}),
    ...(options.discover_models === undefined ? {} : { discoverModels: options.discover_models }),
    ...(options.max_tokens_field ? { maxTokensField: options.max_tokens_field } : {}),
    ...(options.capabilities ? { capabilities: options.capabilities } : {}),
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
  });
}

/**
 * `providers.<id>` with `type: openai-compatible`: any Chat Completions host. Needs `base_url` and
 * `api_key_env` (or `api_key`, or `auth: none`).
 *
 * @example
 * openAICompatibleFactory.create('my-vllm', { base_url: 'http://10.0.0.5:8000/v1', api_key_env: 'VLLM_KEY' }, context);
 */
export const openAICompatibleFactory: ProviderFactory<OpenAICompatibleOptions> = {
  kind: 'openai-compatible',
  schema: CustomSchema,
  builtIn: false,
  create: (id, options, context) => create(id, options, context),
};

function presetFactory(name: ChatPresetName, builtIn: boolean): ProviderFactory<OpenAICompatibleOptions> {
  return {
    kind: name,
    schema: PresetSchema,
    builtIn,
    create: (id, options, context) => create(id, options, context, CHAT_PRESETS[name]),
  };
}

/**
 * `providers.gemini` (or `type: gemini`): Gemini's OpenAI-compatible endpoint, `GEMINI_API_KEY`,
 * dialect `gemini` (wire.md §6.3). Built in (no section needed), so `gemini-*` works with only the
 * variable set (seeds-spec §C.1 item 3).
 *
 * @example
 * geminiFactory.create('gemini', {}, { env: { GEMINI_API_KEY: 'k' }, home: '/tmp' });
 */
export const geminiFactory = presetFactory('gemini', true);

/**
 * `providers.openai` (or `type: openai`): api.openai.com with `OPENAI_API_KEY`. Not built in: the
 * built-in routes send `gpt-*` to Codex, and an `OPENAI_API_KEY` set for other tools should not
 * make nodex call api.openai.com; a `providers.openai` section (with `patterns`) turns it on.
 *
 * @example
 * openaiFactory.create('openai', {}, { env: { OPENAI_API_KEY: 'k' }, home: '/tmp' });
 */
export const openaiFactory = presetFactory('openai', false);
