import { NodexError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import { BUILTIN_ALIASES, BUILTIN_PATTERNS } from './builtin-routes.js';
import { globToRegExp } from './glob.js';

export interface RouteRule {
  readonly pattern: string;
  readonly provider: string;
  /** Where the rule comes from, for `nodex models` and error messages. */
  readonly source: 'routing.patterns' | 'provider' | 'built-in' | 'discovery';
}

export interface RouterOptions {
  readonly providers: ReadonlyMap<string, Provider>;
  /** Providers that could not start, with the reason (a request routed to one gets it back). */
  readonly unavailable?: ReadonlyMap<string, string>;
  /** User aliases (`routing.aliases`), merged over the built-in ones. */
  readonly aliases?: Readonly<Record<string, string>>;
  /** User rules in order: `routing.patterns` first, then each provider's `patterns`. */
  readonly rules?: readonly RouteRule[];
  /** Models found by discovery (model → provider id), tried when no rule claims a model. */
  readonly discovered?: (model: string) => string | undefined;
}

export interface Route {
  readonly provider: Provider;
  /** The model name after alias expansion. */
  readonly model: string;
  /** The alias the caller used, when it was one. */
  readonly alias?: string;
}

/**
 * Model → provider: alias table, then the user's patterns in order, then the built-in prefixes
 * (`gpt-*` → codex, `claude-*` → anthropic, `gemini-*` → gemini, `mock*` → mock), then the models
 * discovery found on each provider (a custom host's `llama-3-70b` with no pattern).
 *
 * @example
 * const router = new Router({ providers, aliases: { fast: 'mock-text' } });
 * router.route('fast').provider.id; // 'mock'
 */
export class Router {
  readonly #providers: ReadonlyMap<string, Provider>;
  readonly #unavailable: ReadonlyMap<string, string>;
  readonly #aliases: ReadonlyMap<string, string>;
  readonly #rules: ReadonlyArray<RouteRule & { readonly regexp: RegExp }>;
  readonly #discovered: ((model: string) => string | undefined) | undefined;

  constructor(options: RouterOptions) {
    this.#providers = options.providers;
    this.#unavailable = options.unavailable ?? new Map();
    const aliases = new Map<string, string>();
    for (const [alias, model] of Object.entries({ ...BUILTIN_ALIASES, ...options.aliases })) {
      aliases.set(alias.toLowerCase(), model);
    }
    this.#aliases = aliases;
    const builtIn: RouteRule[] = BUILTIN_PATTERNS.map(([pattern, provider]) => ({
      pattern,
      provider,
      source: 'built-in',
    }));
    this.#rules = [...(options.rules ?? []), ...builtIn].map((rule) => ({
      ...rule,
      regexp: globToRegExp(rule.pattern),
    }));
    this.#discovered = options.discovered;
  }

  /** Expands an alias (one level; aliases do not chain). */
  expandAlias(model: string): string {
    return this.#aliases.get(model.toLowerCase()) ?? model;
  }

  /** The rule that claims a model (after alias expansion): a pattern, else what discovery found. */
  match(model: string): RouteRule | undefined {
    return this.#matchExpanded(this.expandAlias(model));
  }

  #matchExpanded(expanded: string): RouteRule | undefined {
    const rule = this.#rules.find((candidate) => candidate.regexp.test(expanded));
    if (rule) return rule;
    const provider = this.#discovered?.(expanded);
    return provider ? { pattern: expanded, provider, source: 'discovery' } : undefined;
  }

  /** Resolves a model to its provider; throws model_not_found or provider_unavailable. */
  route(model: string): Route {
    const expanded = this.expandAlias(model);
    const rule = this.#matchExpanded(expanded);
    if (!rule) {
      throw new NodexError('model_not_found', `no provider serves model "${model}"`, { param: 'model' });
    }
    const provider = this.#providers.get(rule.provider);
    if (!provider) {
      const reason = this.#unavailable.get(rule.provider) ?? `provider "${rule.provider}" is not configured`;
      throw new NodexError(
        'provider_unavailable',
        `model "${model}" routes to provider "${rule.provider}": ${reason}`,
        {
          provider: rule.provider,
        },
      );
    }
    return expanded === model ? { provider, model } : { provider, model: expanded, alias: model };
  }

  get aliases(): ReadonlyMap<string, string> {
    return this.#aliases;
  }

  get rules(): readonly RouteRule[] {
    return this.#rules;
  }
}
