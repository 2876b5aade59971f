import type { CodexLoginResult } from '../auth/codex/codex-login.js';
import { loadConfig } from '../config/load-config.js';
import { type Env, nodexHome } from '../config/paths.js';
import type { NodexConfig } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import type { Provider } from '../core/provider.js';
import type { InputItem } from '../core/request.js';
import { buildProviders } from '../providers/registry.js';
import { createRouter } from '../routing/create-router.js';
import type { Route, Router } from '../routing/router.js';
import { CodexAuth, type LoginOptions } from './codex-auth.js';
import { CompatStore } from './compat/compat-store.js';
import { Files, VectorStoresResource } from './compat-resources.js';
import type { RequestOptions } from './create-params.js';
import { callHook } from './hooks.js';
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
  /** Files, kept locally (the compat store). */
  readonly files: Files;
  /** Vector stores, kept and searched locally (SQLite FTS5 BM25). */
  readonly vectorStores: VectorStoresResource;
  readonly config: NodexConfig;
  readonly #options: NodexOptions;
  readonly #env: Env;
  readonly #configPath: string;
  readonly #codexAuth: CodexAuth;
  #providers: ReadonlyMap<string, Provider> = new Map();
  #router!: Router;
  #compat: CompatStore | undefined;

  constructor(options: NodexOptions = {}) {
    this.#options = options;
    this.#env = options.env ?? process.env;
    const loaded = loadConfig({
      ...(options.configPath ? { path: options.configPath } : {}),
      env: this.#env,
    });
    const providerSections = { ...loaded.config.providers };
    for (const [id, section] of Object.entries(options.providerConfig ?? {}))
      providerSections[id] = { ...providerSections[id], ...section };
    this.config = { ...loaded.config, providers: providerSections };
    this.#configPath = loaded.path;
    this.#codexAuth = new CodexAuth(this.config, this.#env, nodexHome(this.#env));
    this.#build();
    this.responses = new Responses(() => this.#runnerContext());
    this.models = new Models(
      () => [...this.#providers.values()],
      () => this.#router,
    );
    this.files = new Files(() => this.#compatStore());
    this.vectorStores = new VectorStoresResource(() => this.#compatStore());
  }

  /** Text in, text out; runs the tool loop when `tool()` helpers are given. */
  generate(params: GenerateParams, options?: RequestOptions): Promise<string> {
    return generate(this.responses, params, options);
  }

  /** Streams the text deltas of one response. */
  generateStream(params: GenerateParams, options?: RequestOptions): AsyncGenerator<string> {
    return generateStream(this.responses, params, options);
  }

  /**
   * Signs in to ChatGPT for the Codex provider (browser, `paste` or `device` flow) and stores the
   * credentials in NODEX_HOME; the client uses them at once.
   *
   * @example
   * await client.login({ mode: 'device' });
   */
  async login(options?: LoginOptions): Promise<CodexLoginResult> {
    const result = await this.#codexAuth.login(options ?? this.#options.loginOptions);
    this.#build();
    return result;
  }

  /** Codex credentials exist and the access token has not expired. */
  isAuthenticated(): Promise<boolean> {
    return this.#codexAuth.isAuthenticated();
  }

  /** No Codex credentials, or the access token expires within `leewaySeconds` (default 60). */
  isExpired(leewaySeconds?: number): Promise<boolean> {
    return this.#codexAuth.isExpired(leewaySeconds);
  }

  /** Refreshes the Codex token when it is due (or always, with `force`); resolves to whether it did. */
  async refreshIfNeeded(force = false): Promise<boolean> {
    const codex = this.#providers.get('codex') as
      | { tokenSource?: { refreshIfNeeded?: (force?: boolean) => Promise<boolean> } }
      | undefined;
    const refresh = codex?.tokenSource?.refreshIfNeeded;
    if (!refresh)
      throw new NodexError(
        'credentials_missing',
        'no Codex credentials: run `nodex login codex` or client.login()',
        { provider: 'codex' },
      );
    return refresh.call(codex.tokenSource, force);
  }

  /** Closes the local compat store (files, vector stores, stored responses), if it was opened. */
  close(): void {
    this.#compat?.close();
    this.#compat = undefined;
  }

  #build(): void {
    const options = this.#options;
    const built = buildProviders(this.config, {
      env: this.#env,
      home: nodexHome(this.#env),
      configPath: this.#configPath,
      onAuthRefresh: (info) => callHook(options.hooks?.onAuthRefresh, info),
    });
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
  }

  /** Routes a model; with no Codex login and `autoLogin` on, signs in first (oauth-codex did). */
  async #route(model: string): Promise<Route> {
    try {
      return this.#router.route(model);
    } catch (error) {
      const autoLogin = this.#options.autoLogin ?? Boolean(process.stdin.isTTY && process.stderr.isTTY);
      if (
        !autoLogin ||
        !NodexError.isInstance(error) ||
        error.code !== 'provider_unavailable' ||
        error.provider !== 'codex'
      )
        throw error;
      await this.login();
      return this.#router.route(model);
    }
  }

  /** Opened on first use: a client that never touches files or stored responses creates nothing. */
  #compatStore(): CompatStore {
    this.#compat ??= CompatStore.open({
      env: this.#env,
      ...(this.#options.compatStorageDir ? { compatStorageDir: this.#options.compatStorageDir } : {}),
    });
    return this.#compat;
  }

  /** `previous_response_id` emulation over the compat store's response table. */
  #history(): ResponseHistory {
    return {
      chain: async (id) => {
        try {
          return (await this.#compatStore().responses.chain(id)) as unknown as InputItem[];
        } catch (error) {
          if ((error as { code?: string }).code === 'not_found') return undefined;
          throw error;
        }
      },
      save: async (record) => {
        await this.#compatStore().responses.save({
          id: record.id,
          model: record.model,
          input: record.input as never,
          output: record.output as never,
          ...(record.previousResponseId ? { previous_response_id: record.previousResponseId } : {}),
        });
      },
    };
  }

  #runnerContext(): RunnerContext {
    const options = this.#options;
    return {
      route: (model) => this.#route(model),
      defaultModel: options.defaultModel ?? this.config.exec.model,
      validationMode: options.validationMode ?? 'warn',
      storeBehavior: options.storeBehavior ?? 'auto_disable',
      maxRetries: options.maxRetries ?? 2,
      timeoutMs: options.timeout ?? 600_000,
      hooks: options.hooks ?? {},
      history: this.#history(),
    };
  }
}
