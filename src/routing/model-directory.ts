import { toNodexError } from '../core/errors.js';
import type { ModelInfo, Provider } from '../core/provider.js';
import type { WarningSink } from '../core/warnings.js';

export const DISCOVERY_TTL_MS = 5 * 60_000;
/** After a failed listing, the next try waits this long (or the TTL, if shorter). */
export const FAILURE_RETRY_MS = 30_000;

interface Entry {
  at: number;
  models: readonly ModelInfo[];
  refreshing?: Promise<readonly ModelInfo[]>;
}

export interface ModelDirectoryOptions {
  readonly providers: () => readonly Provider[];
  readonly ttlMs?: number;
  readonly now?: () => number;
  readonly onWarning?: WarningSink;
}

/**
 * Live model lists per provider, cached for 5 minutes with stale-while-revalidate: a stale list
 * is served at once while one background refresh runs; a provider that fails to list keeps its
 * last good list (or none) and is reported once per failure.
 *
 * @example
 * const directory = new ModelDirectory({ providers: () => [...providers.values()] });
 * const all = await directory.list();
 * directory.providerOf('llama-3-70b'); // 'my-vllm', once discovered
 */
export class ModelDirectory {
  readonly #options: ModelDirectoryOptions;
  readonly #entries = new Map<string, Entry>();

  constructor(options: ModelDirectoryOptions) {
    this.#options = options;
  }

  /** Every provider's models (fresh, cached or stale), in provider order. */
  async list(options: { readonly signal?: AbortSignal } = {}): Promise<ModelInfo[]> {
    const lists = await Promise.all(
      this.#options.providers().map((provider) => this.#listOne(provider, options.signal)),
    );
    return lists.flat();
  }

  /** The provider that listed `model` in the last discovery, if any (synchronous: for routing). */
  providerOf(model: string): string | undefined {
    const wanted = model.toLowerCase();
    for (const [provider, entry] of this.#entries)
      if (entry.models.some((m) => m.id.toLowerCase() === wanted)) return provider;
    return undefined;
  }

  /** Whether every provider has been listed at least once. */
  get loaded(): boolean {
    return this.#options.providers().every((provider) => this.#entries.has(provider.id));
  }

  #now(): number {
    return (this.#options.now ?? Date.now)();
  }

  async #listOne(provider: Provider, signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    const entry = this.#entries.get(provider.id);
    const ttl = this.#options.ttlMs ?? DISCOVERY_TTL_MS;
    if (entry && this.#now() - entry.at < ttl) return entry.models;
    if (entry) {
      // Stale: answer now, refresh once in the background.
      entry.refreshing ??= this.#fetch(provider, signal).finally(() => {
        entry.refreshing = undefined;
      });
      entry.refreshing.catch(() => undefined);
      return entry.models;
    }
    return this.#fetch(provider, signal);
  }

  async #fetch(provider: Provider, signal?: AbortSignal): Promise<readonly ModelInfo[]> {
    try {
      const models = await provider.listModels({
        ...(signal ? { signal } : {}),
        ...(this.#options.onWarning ? { onWarning: this.#options.onWarning } : {}),
      });
      this.#entries.set(provider.id, { at: this.#now(), models });
      return models;
    } catch (error) {
      this.#options.onWarning?.({
        feature: 'models.discovery',
        details: `${provider.id}: cannot list models (${toNodexError(error).message})`,
      });
      // Keep what we had; try again after a short back-off rather than on every call.
      const ttl = this.#options.ttlMs ?? DISCOVERY_TTL_MS;
      const models = this.#entries.get(provider.id)?.models ?? [];
      this.#entries.set(provider.id, { at: this.#now() - ttl + Math.min(FAILURE_RETRY_MS, ttl), models });
      return models;
    }
  }
}
