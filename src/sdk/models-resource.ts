import type { ModelCapabilities, ModelInfo, Provider } from '../core/provider.js';
import type { Router } from '../routing/router.js';

export interface ModelObject {
  readonly id: string;
  readonly object: 'model';
  readonly owned_by: string;
  readonly display_name?: string;
  readonly created?: number;
}

export interface ModelCapabilitiesResult extends ModelCapabilities {
  readonly model: string;
  readonly provider: string;
}

/** `client.models`: what the configured providers serve, and what a model can do. */
export class Models {
  constructor(
    readonly providers: () => readonly Provider[],
    readonly router: () => Router,
  ) {}

  /**
   * Lists the models of every provider (a provider that fails to list is skipped, so one broken
   * upstream does not hide the others).
   *
   * @example
   * const { data } = await client.models.list();
   */
  async list(): Promise<{ object: 'list'; data: ModelObject[] }> {
    const lists = await Promise.all(
      this.providers().map((p) => p.listModels().catch((): readonly ModelInfo[] => [])),
    );
    const seen = new Set<string>();
    const data: ModelObject[] = [];
    for (const info of lists.flat()) {
      if (seen.has(info.id)) continue;
      seen.add(info.id);
      data.push({
        id: info.id,
        object: 'model',
        owned_by: info.provider,
        ...(info.display_name ? { display_name: info.display_name } : {}),
        ...(info.created_at ? { created: info.created_at } : {}),
      });
    }
    return { object: 'list', data };
  }

  /** The capabilities of a model (aliases expand): reasoning, tools, vision, context window, output limit. */
  capabilities(model: string): ModelCapabilitiesResult {
    const route = this.router().route(model);
    return { model: route.model, provider: route.provider.id, ...route.provider.capabilities(route.model) };
  }
}
