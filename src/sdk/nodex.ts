import { loadConfig } from '../config/load-config.js';
import { nodexHome } from '../config/paths.js';
import type { NodexConfig } from '../config/schema.js';
import type { Provider } from '../core/provider.js';
import { buildProviders } from '../providers/registry.js';
import { createRouter } from '../routing/create-router.js';
import type { Router } from '../routing/router.js';
import type { RequestOptions } from './create-params.js';
import { type GenerateParams, generate, generateStream } from './legacy.js';
import { Models } from './models-resource.js';
import type { NodexOptions } from './nodex-options.js';
import type { ResponseHistory, RunnerContext } from './request-runner.js';
import { Responses } from './responses-resource.js';

/**
 * The nodex SDK client: the OpenAI Responses surface over your subscriptions and keys, in process.
 *
 * @example
 * import { Nodex } from 'nodex';
 * const client = new Nodex();
 * const response = await client.responses.create({ model: 'gpt-5.5', input: 'Say hi' });
 * console.log(response.output_text);
 */
export class Nodex {
  readonly responses: Responses;
  readonly models: Models;
  readonly config: NodexConfig;
  readonly #options: NodexOptions;
  readonly #providers: ReadonlyMap<string, Provider>;
  readonly #router: Router;
  #history: ResponseHistory | undefined;

  constructor(options: NodexOptions = {}) {
    this.#options = options;
    const env = options.env ?? process.env;
    const loaded = loadConfig({ ...(options.configPath ? { path: options.configPath } : {}), env });
    const providerSections = { ...loaded.config.providers };
    for (const [id, section] of Object.entries(options.providerConfig ?? {}))
      providerSections[id] = { ...providerSections[id], ...section };
    this.config = { ...loaded.config, providers: providerSections };
    const built = buildProviders(this.config, { env, home: nodexHome(env), configPath: loaded.path });
    const providers = new Map(built.providers);
    for (const provider of options.providers ?? []) providers.set(provider.id, provider);
    this.#providers = providers;
    this.#router = createRouter(this.config, {
      providers,
      // Injected providers serve the models named by their id (`my-provider`, `my-provider-*`).
      entries: [
        ...(options.providers ?? []).map((p) => ({ id: p.id, patterns: [p.id, `${p.id}-*`] })),
        ...built.entries,
      ],
      skipped: built.skipped.filter((s) => !providers.has(s.id)),
    });
    this.responses = new Responses(() => this.#runnerContext());
    this.models = new Models(
      () => [...this.#providers.values()],
      () => this.#router,
    );
  }

  /** Text in, text out; runs the tool loop when `tool()` helpers are given. */
  generate(params: GenerateParams, options?: RequestOptions): Promise<string> {
    return generate(this.responses, params, options);
  }

  /** Streams the text deltas of one response. */
  generateStream(params: GenerateParams, options?: RequestOptions): AsyncGenerator<string> {
    return generateStream(this.responses, params, options);
  }

  /** Uses a response history for `previous_response_id` (the compat store by default). */
  protected setHistory(history: ResponseHistory | undefined): void {
    this.#history = history;
  }

  #runnerContext(): RunnerContext {
    const options = this.#options;
    return {
      route: (model) => this.#router.route(model),
      defaultModel: options.defaultModel ?? this.config.exec.model,
      validationMode: options.validationMode ?? 'warn',
      storeBehavior: options.storeBehavior ?? 'auto_disable',
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeout ?? 600_000,
      hooks: options.hooks ?? {},
      ...(this.#history ? { history: this.#history } : {}),
    };
  }
}
