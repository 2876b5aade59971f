import type { Dispatcher } from 'undici';
import type { StreamEvent } from '../../core/events.js';
import type { ModelCapabilities, ModelInfo, Provider, ProviderCallContext } from '../../core/provider.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { RetryPolicy } from '../http/retry.js';
import { readBodyText, sendUpstream } from '../http/send-upstream.js';
import { streamWithRetries } from '../http/stream-with-retries.js';
import { isOpenAIReasoningModel, type MaxTokensField } from './chat-dialect.js';
import { chatHttpError } from './chat-errors.js';
import { ChatModelCatalog, type ListContext } from './chat-models.js';
import type { ChatDialect } from './chat-wire.js';
import { convertToChatRequest } from './convert-to-chat-request.js';
import { type ChatCall, decodeItem, openChatStream } from './open-chat-stream.js';
import {
  authHeaders,
  type ChatAuthMode,
  type ChatCredentials,
  missingKeyHint,
  redactHeaders,
  requestKey,
} from './openai-compatible-auth.js';

export interface OpenAICompatibleProviderOptions {
  /** Instance id (`gemini`, `openai`, `my-vllm`). */
  readonly id: string;
  /** E.g. `https://api.openai.com/v1`; requests go to `{baseUrl}/chat/completions`. */
  readonly baseUrl: string;
  /** Which host quirks apply (default `openai`; wire.md §6.3 for `gemini`). */
  readonly dialect?: ChatDialect;
  /** How the key is sent (default `bearer`). */
  readonly auth?: ChatAuthMode;
  /** The header for `auth: 'header'`. */
  readonly headerName?: string;
  /** The configured key; a per-request `providerKey` wins over it. */
  readonly apiKey?: string;
  /** Named in the error when there is no key (`GEMINI_API_KEY`). */
  readonly apiKeyEnv?: string;
  /** Extra headers, already expanded. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Header names whose values are secret (expanded from `$VAR`): redacted when logged. */
  readonly secretHeaders?: readonly string[];
  /** A static model list: wins over discovery. */
  readonly models?: readonly string[];
  /** Ask `GET {baseUrl}/models` when there is no static list (default true). */
  readonly discoverModels?: boolean;
  readonly maxTokensField?: MaxTokensField;
  /** Overrides of the default capabilities (all true), for every model of the host. */
  readonly capabilities?: Partial<ModelCapabilities>;
  /** Longest silence inside the stream (default 300 s). */
  readonly idleTimeoutMs?: number;
  /** Time allowed for the response headers (default 60 s). */
  readonly headersTimeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  readonly dispatcher?: Dispatcher;
  /** Model discovery cache lifetime and clock (tests). */
  readonly modelsTtlMs?: number;
  readonly now?: () => number;
}

/**
 * Any Chat Completions host over SSE (wire.md §6.1) as a nodex provider: Gemini's OpenAI endpoint
 * (dialect `gemini`, §6.3), api.openai.com, or a custom host (vLLM, Ollama, LiteLLM…). Converts the
 * canonical request, sends it with the configured or per-request key, retries failures before the
 * first event, and decodes the stream into v1 events.
 *
 * @example
 * const gemini = new OpenAICompatibleProvider({ id: 'gemini', baseUrl: GEMINI_BASE_URL, dialect: 'gemini', apiKey });
 * for await (const event of gemini.stream({ model: 'gemini-2.5-flash', input: [userText('hi')] })) console.log(event);
 */
export class OpenAICompatibleProvider implements Provider {
  readonly id: string;
  readonly kind = 'openai-compatible';
  readonly dialect: ChatDialect;
  readonly #options: OpenAICompatibleProviderOptions;
  readonly #baseUrl: string;
  readonly #credentials: ChatCredentials;
  readonly #catalog: ChatModelCatalog;

  constructor(options: OpenAICompatibleProviderOptions) {
    this.id = options.id;
    this.dialect = options.dialect ?? 'openai';
    this.#options = options;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#credentials = {
      mode: options.auth ?? 'bearer',
      ...(options.headerName ? { headerName: options.headerName } : {}),
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      ...(options.apiKeyEnv ? { apiKeyEnv: options.apiKeyEnv } : {}),
    };
    this.#catalog = new ChatModelCatalog({
      provider: this.id,
      fetchModels: (context) => this.#fetchModels(context),
      ...(options.modelsTtlMs === undefined ? {} : { ttlMs: options.modelsTtlMs }),
      ...(options.now ? { now: options.now } : {}),
    });
  }

  /**
   * What to do before requests can work without a per-request key (`set GEMINI_API_KEY`), or
   * undefined: for `config validate` and `auth status`.
   */
  get missingKey(): string | undefined {
    return missingKeyHint(this.#credentials);
  }

  /** How requests authenticate, without the secret: `bearer` with the variable name, `none`… */
  get authSummary(): { readonly mode: string; readonly apiKeyEnv?: string; readonly baseUrl: string } {
    const { mode, apiKeyEnv } = this.#credentials;
    return { mode, baseUrl: this.#baseUrl, ...(apiKeyEnv ? { apiKeyEnv } : {}) };
  }

  async *stream(request: CanonicalRequest, context: ProviderCallContext = {}): AsyncGenerator<StreamEvent> {
    const key = requestKey(this.#credentials, context.providerKey, this.id);
    const body = convertToChatRequest(
      request,
      {
        dialect: this.dialect,
        ...(this.#options.maxTokensField ? { maxTokensField: this.#options.maxTokensField } : {}),
      },
      context.onWarning,
    );
    const headers = this.#headers(key, 'text/event-stream');
    const call: ChatCall = {
      provider: this.id,
      url: `${this.#baseUrl}/chat/completions`,
      body,
      headers,
      loggedHeaders: redactHeaders(headers, this.#options.secretHeaders ?? []),
      secrets: [key],
      context,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      headersTimeoutMs: this.#options.headersTimeoutMs,
      dispatcher: this.#options.dispatcher,
    };
    yield* streamWithRetries(
      async () => {
        const open = await openChatStream(call);
        return {
          ...open,
          finished: () => open.decoder.finished,
          decode: (next) => decodeItem(open.decoder, next),
        };
      },
      { ...(this.#options.retryPolicy ? { policy: this.#options.retryPolicy } : {}), context },
    );
  }

  /**
   * The static list when configured; else discovery (cached 5 minutes); else none. Without any key
   * nothing is asked (a built-in preset nobody set up stays quiet; `missingKey` says why).
   */
  async listModels(context: ProviderCallContext = {}): Promise<readonly ModelInfo[]> {
    if (this.#options.models) return this.#options.models.map((id) => ({ id, provider: this.id }));
    if (this.#options.discoverModels === false) return [];
    if (this.missingKey !== undefined && !context.providerKey) return [];
    return this.#catalog.list(context);
  }

  /**
   * Everything is assumed to work (a host rejects what its model lacks) unless the config says
   * otherwise; OpenAI reasoning models take no `temperature` (wire.md §7.9).
   */
  capabilities(model = ''): ModelCapabilities {
    const contextWindow = this.#catalog.known(model)?.context_window;
    return {
      streaming: true,
      tools: true,
      parallel_tool_calls: true,
      images: true,
      reasoning: true,
      json_schema: true,
      temperature: !(this.dialect === 'openai' && isOpenAIReasoningModel(model)),
      max_output_tokens: true,
      ...(contextWindow ? { context_window: contextWindow } : {}),
      ...this.#options.capabilities,
    };
  }

  #headers(key: string | undefined, accept: string): Record<string, string> {
    return {
      ...this.#options.headers,
      'content-type': 'application/json',
      accept,
      ...authHeaders(this.#credentials, key),
    };
  }

  async #fetchModels(context: ListContext): Promise<unknown> {
    const key = requestKey(this.#credentials, context.providerKey, this.id);
    const response = await sendUpstream({
      url: `${this.#baseUrl}/models`,
      method: 'GET',
      headers: this.#headers(key, 'application/json'),
      provider: this.id,
      headersTimeoutMs: this.#options.headersTimeoutMs ?? 15_000,
      idleTimeoutMs: 15_000,
      ...(context.signal ? { signal: context.signal } : {}),
      ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
    });
    const text = await readBodyText(response.body, 4 * 1024 * 1024);
    if (response.status >= 300) throw chatHttpError(response.status, text, response.headers, this.id, [key]);
    return JSON.parse(text) as unknown;
  }
}
