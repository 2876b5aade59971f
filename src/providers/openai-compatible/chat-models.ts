import { z } from 'zod';
import { toNodexError } from '../../core/errors.js';
import type { ModelInfo } from '../../core/provider.js';
import type { WarningSink } from '../../core/warnings.js';

/** How long a discovered list is fresh; after that it is served stale while a refresh runs. */
export const CHAT_MODELS_TTL_MS = 5 * 60_000;

const EntrySchema = z.looseObject({
  id: z.string().min(1),
  created: z.number().nullish(),
  display_name: z.string().nullish(),
  /** Not in OpenAI's shape; some hosts add one of these (vLLM: `max_model_len`). */
  context_window: z.number().int().positive().nullish(),
  context_length: z.number().int().positive().nullish(),
  max_model_len: z.number().int().positive().nullish(),
});
const ListSchema = z.looseObject({ data: z.array(z.unknown()) });

/**
 * Reads `GET {base_url}/models` (`{"object":"list","data":[{id,object,created,owned_by}]}`,
 * wire.md §6.1). Gemini lists ids as `models/<id>`; the prefix is dropped so ids match what
 * requests name. Undefined when the body is not a list.
 *
 * @example
 * parseChatModels({ data: [{ id: 'models/gemini-2.5-flash' }] }, 'gemini');
 * // [{ id: 'gemini-2.5-flash', provider: 'gemini' }]
 */
export function parseChatModels(json: unknown, provider: string): ModelInfo[] | undefined {
  const list = ListSchema.safeParse(json);
  if (!list.success) return undefined;
  const out: ModelInfo[] = [];
  for (const raw of list.data.data) {
    const entry = EntrySchema.safeParse(raw);
    if (!entry.success) continue;
    const { id, created, display_name, context_window, context_length, max_model_len } = entry.data;
    const window = context_window ?? context_length ?? max_model_len;
    out.push({
      id: id.startsWith('models/') ? id.slice('models/'.length) : id,
      provider,
      ...(display_name ? { display_name } : {}),
      ...(typeof created === 'number' ? { created_at: created } : {}),
      ...(window ? { context_window: window } : {}),
    });
  }
  return out;
}

export interface ChatModelCatalogOptions {
  readonly provider: string;
  /** Fetches the models endpoint as JSON (with the request's key); throws on failure. */
  readonly fetchModels: (context: ListContext) => Promise<unknown>;
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export interface ListContext {
  readonly signal?: AbortSignal;
  readonly onWarning?: WarningSink;
  readonly providerKey?: string;
}

/**
 * A host's model list from discovery: fresh for 5 minutes, then served stale while one background
 * refresh runs (stale-while-revalidate); concurrent callers share one request. A failed discovery
 * is not cached: it warns and gives the last good list, or none.
 *
 * @example
 * const catalog = new ChatModelCatalog({ provider: 'gemini', fetchModels: (ctx) => getJson(ctx) });
 * await catalog.list({ onWarning });
 */
export class ChatModelCatalog {
  readonly #options: ChatModelCatalogOptions;
  #cached: { readonly at: number; readonly models: readonly ModelInfo[] } | undefined;
  #inflight: Promise<readonly ModelInfo[] | undefined> | undefined;

  constructor(options: ChatModelCatalogOptions) {
    this.#options = options;
  }

  /** What the last discovery said about a model (its context window, say). */
  known(model: string): ModelInfo | undefined {
    return this.#cached?.models.find((info) => info.id === model);
  }

  async list(context: ListContext = {}): Promise<readonly ModelInfo[]> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cached;
    if (cached && now - cached.at < (this.#options.ttlMs ?? CHAT_MODELS_TTL_MS)) return cached.models;
    const refresh = this.#refresh(context, now);
    if (cached) return cached.models; // stale: the refresh replaces it for later callers
    return (await refresh) ?? [];
  }

  #refresh(context: ListContext, now: number): Promise<readonly ModelInfo[] | undefined> {
    this.#inflight ??= this.#discover(context, now).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #discover(context: ListContext, now: number): Promise<readonly ModelInfo[] | undefined> {
    const { provider } = this.#options;
    let reason: string;
    try {
      const models = parseChatModels(await this.#options.fetchModels(context), provider);
      if (models) {
        this.#cached = { at: now, models };
        return models;
      }
      reason = 'unrecognised response shape';
    } catch (error) {
      reason = toNodexError(error).message;
    }
    context.onWarning?.({
      feature: 'models.discovery',
      details: `${provider}: model discovery failed (${reason})${this.#cached ? '; using the last list' : ''}`,
    });
    return undefined;
  }
}
