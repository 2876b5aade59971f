import { z } from 'zod';
import { toNodexError } from '../../core/errors.js';
import type { ModelInfo } from '../../core/provider.js';
import type { WarningSink } from '../../core/warnings.js';

/** Models listed when discovery fails (volatile; `providers.anthropic.models` replaces it). */
export const ANTHROPIC_KNOWN_MODELS: readonly string[] = [
  'claude-opus-4-8',
  'claude-opus-4-5',
  'claude-sonnet-4-5',
  'claude-haiku-4-5',
];

/** How long a discovered list is reused. */
export const ANTHROPIC_MODELS_TTL_MS = 5 * 60_000;

/** The most pages followed (100 models each); a guard against a server that never says `has_more:false`. */
const MAX_PAGES = 20;

/** One `GET /v1/models` page (wire.md §5.3; anthropic-sdk-typescript `ModelInfo`, `Page`). */
export const ModelsPageSchema = z.looseObject({
  data: z.array(
    z.looseObject({
      id: z.string().min(1),
      display_name: z.string().nullish(),
      created_at: z.string().nullish(),
      max_input_tokens: z.number().int().positive().nullish(),
      max_tokens: z.number().int().positive().nullish(),
    }),
  ),
  has_more: z.boolean().nullish(),
  last_id: z.string().nullish(),
});

/** A discovered model with its limits. */
export interface AnthropicModel extends ModelInfo {
  readonly output_limit?: number;
}

/**
 * Reads one models page into ModelInfo (context window from `max_input_tokens`, output limit from
 * `max_tokens`, `created_at` as unix seconds), plus the cursor for the next page.
 *
 * @example
 * parseAnthropicModels(fixtureJson('anthropic-models-list.json'), 'anthropic').models[0]?.id; // 'claude-opus-4-8'
 */
export function parseAnthropicModels(
  json: unknown,
  provider: string,
): { models: AnthropicModel[]; next?: string } | undefined {
  const page = ModelsPageSchema.safeParse(json);
  if (!page.success) return undefined;
  const models = page.data.data.map((entry): AnthropicModel => {
    const created = entry.created_at ? Date.parse(entry.created_at) : Number.NaN;
    return {
      id: entry.id,
      provider,
      ...(entry.display_name ? { display_name: entry.display_name } : {}),
      ...(Number.isNaN(created) ? {} : { created_at: Math.floor(created / 1000) }),
      ...(entry.max_input_tokens ? { context_window: entry.max_input_tokens } : {}),
      ...(entry.max_tokens ? { output_limit: entry.max_tokens } : {}),
    };
  });
  const next = page.data.has_more && page.data.last_id ? page.data.last_id : undefined;
  return next ? { models, next } : { models };
}

export interface AnthropicModelCatalogOptions {
  readonly provider: string;
  /** Fetches one page (`after_id` undefined for the first) as JSON; throws on failure. */
  readonly fetchPage: (afterId: string | undefined, signal?: AbortSignal) => Promise<unknown>;
  readonly fallback?: readonly string[];
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * The Anthropic model list: every page of `GET /v1/models` (`after_id` / `has_more`), cached for 5
 * minutes; on failure the static list with a warning (failures are not cached).
 *
 * @example
 * const catalog = new AnthropicModelCatalog({ provider: 'anthropic', fetchPage: (after) => getJson(after) });
 * const models = await catalog.list();
 */
export class AnthropicModelCatalog {
  readonly #options: AnthropicModelCatalogOptions;
  #cached: { readonly at: number; readonly models: readonly AnthropicModel[] } | undefined;
  #inflight: Promise<readonly AnthropicModel[] | undefined> | undefined;

  constructor(options: AnthropicModelCatalogOptions) {
    this.#options = options;
  }

  /** What the last discovery said about a model, if it listed it. */
  known(model: string): AnthropicModel | undefined {
    return this.#cached?.models.find((info) => info.id === model);
  }

  fallback(): ModelInfo[] {
    return (this.#options.fallback ?? ANTHROPIC_KNOWN_MODELS).map((id) => ({
      id,
      provider: this.#options.provider,
    }));
  }

  async list(
    context: { readonly signal?: AbortSignal; readonly onWarning?: WarningSink } = {},
  ): Promise<readonly ModelInfo[]> {
    const now = (this.#options.now ?? Date.now)();
    if (this.#cached && now - this.#cached.at < (this.#options.ttlMs ?? ANTHROPIC_MODELS_TTL_MS))
      return this.#cached.models;
    this.#inflight ??= this.#discover(context).finally(() => {
      this.#inflight = undefined;
    });
    const discovered = await this.#inflight;
    if (!discovered) return this.fallback();
    this.#cached = { at: now, models: discovered };
    return discovered;
  }

  async #discover(context: { readonly signal?: AbortSignal; readonly onWarning?: WarningSink }) {
    const { provider } = this.#options;
    let reason: string;
    try {
      const models: AnthropicModel[] = [];
      let after: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const parsed = parseAnthropicModels(await this.#options.fetchPage(after, context.signal), provider);
        if (!parsed) throw new Error('unrecognised response shape');
        models.push(...parsed.models);
        after = parsed.next;
        if (!after) break;
      }
      if (models.length) return models;
      reason = 'the list was empty';
    } catch (error) {
      reason = toNodexError(error).message;
    }
    context.onWarning?.({
      feature: 'models.discovery',
      details: `${provider}: model discovery failed (${reason}); using the built-in list`,
    });
    return undefined;
  }
}
