import { z } from 'zod';
import { toNodexError } from '../../core/errors.js';
import type { ModelInfo } from '../../core/provider.js';
import type { WarningSink } from '../../core/warnings.js';

/**
 * Models known to the ChatGPT Codex backend when discovery is unavailable: CPA's catalogue of
 * 2026-08 (wire.md §2.3 "Model names"). Volatile: discovery replaces it whenever it works.
 */
export const CODEX_KNOWN_MODELS: readonly string[] = [
  'gpt-5.5',
  'gpt-5.4',
  'gpt-5.4-mini',
  'gpt-5.6-sol',
  'gpt-5.6-terra',
  'gpt-5.6-luna',
  'gpt-5.3-codex-spark',
  'codex-auto-review',
];

/** How long a discovered list is reused. */
export const CODEX_MODELS_TTL_MS = 5 * 60_000;

/** codex-rs `ModelInfo` (`slug`, `display_name`…) or an OpenAI-style `{id}` entry. */
const EntrySchema = z.looseObject({
  slug: z.string().min(1).nullish(),
  id: z.string().min(1).nullish(),
  display_name: z.string().nullish(),
  created: z.number().nullish(),
  context_window: z.number().int().positive().nullish(),
});
const ListSchema = z.union([
  z.looseObject({ models: z.array(z.unknown()) }).transform((body) => body.models),
  z.looseObject({ data: z.array(z.unknown()) }).transform((body) => body.data),
]);

/**
 * Reads a `GET {base}/models` answer: `{"models":[{slug, display_name…}]}` (codex-rs
 * `ModelsResponse`) or `{"data":[{id}]}`. Undefined when the body has neither list.
 *
 * @example
 * parseCodexModels({ models: [{ slug: 'gpt-5.5', display_name: 'GPT-5.5' }] }, 'codex');
 * // [{ id: 'gpt-5.5', provider: 'codex', display_name: 'GPT-5.5' }]
 */
export function parseCodexModels(json: unknown, provider: string): ModelInfo[] | undefined {
  const list = ListSchema.safeParse(json);
  if (!list.success) return undefined;
  const out: ModelInfo[] = [];
  for (const raw of list.data) {
    const entry = EntrySchema.safeParse(raw);
    const id = entry.success ? (entry.data.slug ?? entry.data.id) : undefined;
    if (!entry.success || !id) continue;
    out.push({
      id,
      provider,
      ...(entry.data.display_name ? { display_name: entry.data.display_name } : {}),
      ...(typeof entry.data.created === 'number' ? { created_at: entry.data.created } : {}),
      ...(entry.data.context_window ? { context_window: entry.data.context_window } : {}),
    });
  }
  return out;
}

export interface CodexModelCatalogOptions {
  readonly provider: string;
  /** Fetches and parses the models endpoint (JSON); throws on failure. */
  readonly fetchModels: (signal?: AbortSignal) => Promise<unknown>;
  /** The list used when discovery fails (default CODEX_KNOWN_MODELS). */
  readonly fallback?: readonly string[];
  readonly ttlMs?: number;
  readonly now?: () => number;
}

/**
 * The Codex model list: discovered from the backend and cached for 5 minutes; on failure the static
 * list, with a warning (failures are not cached, so the next call tries again).
 *
 * @example
 * const catalog = new CodexModelCatalog({ provider: 'codex', fetchModels: () => getJson(url) });
 * const models = await catalog.list();
 */
export class CodexModelCatalog {
  readonly #options: CodexModelCatalogOptions;
  #cached: { readonly at: number; readonly models: readonly ModelInfo[] } | undefined;
  #inflight: Promise<readonly ModelInfo[] | undefined> | undefined;

  constructor(options: CodexModelCatalogOptions) {
    this.#options = options;
  }

  /** What the last discovery said about a model (its context window, say), if it listed it. */
  known(model: string): ModelInfo | undefined {
    return this.#cached?.models.find((info) => info.id === model);
  }

  /** The static list as ModelInfo. */
  fallback(): ModelInfo[] {
    const ids = this.#options.fallback ?? CODEX_KNOWN_MODELS;
    return ids.map((id) => ({ id, provider: this.#options.provider }));
  }

  async list(
    context: { readonly signal?: AbortSignal; readonly onWarning?: WarningSink } = {},
  ): Promise<readonly ModelInfo[]> {
    const now = (this.#options.now ?? Date.now)();
    const ttl = this.#options.ttlMs ?? CODEX_MODELS_TTL_MS;
    if (this.#cached && now - this.#cached.at < ttl) return this.#cached.models;
    // Concurrent callers share one request.
    this.#inflight ??= this.#discover(context).finally(() => {
      this.#inflight = undefined;
    });
    const discovered = await this.#inflight;
    if (discovered) {
      this.#cached = { at: now, models: discovered };
      return discovered;
    }
    return this.fallback();
  }

  async #discover(context: {
    readonly signal?: AbortSignal;
    readonly onWarning?: WarningSink;
  }): Promise<readonly ModelInfo[] | undefined> {
    const { provider } = this.#options;
    let reason: string;
    try {
      const models = parseCodexModels(await this.#options.fetchModels(context.signal), provider);
      if (models && models.length > 0) return models;
      reason = models ? 'the list was empty' : 'unrecognised response shape';
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
