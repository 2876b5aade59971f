import type { Dispatcher } from 'undici';
import type { TokenSource } from '../../auth/token-source.js';
import type { StreamEvent } from '../../core/events.js';
import type { ModelCapabilities, ModelInfo, Provider, ProviderCallContext } from '../../core/provider.js';
import type { CanonicalRequest, ReasoningConfig } from '../../core/request.js';
import type { RetryPolicy } from '../http/retry.js';
import { readBodyText, sendUpstream } from '../http/send-upstream.js';
import { streamWithRetries } from '../http/stream-with-retries.js';
import { codexHttpError } from './codex-errors.js';
import {
  CODEX_CLIENT_VERSION,
  CODEX_ORIGINATOR,
  type CodexHeaderSettings,
  codexHeaders,
  codexUserAgent,
} from './codex-headers.js';
import { CodexModelCatalog } from './codex-models.js';
import { convertToCodexRequest } from './convert-to-codex-request.js';
import { type CodexCall, openCodexStream } from './open-codex-stream.js';

/** The ChatGPT-account base URL (wire.md §2.1); requests go to `{baseUrl}/responses`. */
export const CODEX_BASE_URL = 'https://chatgpt.com/backend-api/codex';

export interface CodexProviderOptions {
  /** Instance id (default `codex`). */
  readonly id?: string;
  /** E.g. CODEX_BASE_URL, or a fake's `baseUrl`; a trailing slash is ignored. */
  readonly baseUrl: string;
  /** Credentials: `getToken()` per request, `refreshAfterReject()` once after a 401. */
  readonly tokenSource: TokenSource;
  /** Instructions sent when a request has none (default ''; the key itself is always sent). */
  readonly instructions?: string;
  /** `originator` header (default `codex_cli_rs`). */
  readonly originator?: string;
  /** Default: `{originator}/{clientVersion} ({os} {release}; {arch}) nodex`. */
  readonly userAgent?: string;
  /** Codex CLI version presented (`version` header, models `client_version`; default 0.144.1). */
  readonly clientVersion?: string;
  /** Reasoning sent when the request has none (default `{ effort: 'medium', summary: 'auto' }`). */
  readonly reasoningDefault?: ReasoningConfig;
  /** Longest silence inside the stream (default 300 s, Codex's `stream_idle_timeout`). */
  readonly idleTimeoutMs?: number;
  /** Time allowed for the response headers (default 60 s). */
  readonly headersTimeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  /** The static model list used when discovery fails (default CODEX_KNOWN_MODELS). */
  readonly models?: readonly string[];
  /** Ask `GET {baseUrl}/models` (default true); false lists `models` only. */
  readonly discoverModels?: boolean;
  /** An undici dispatcher instead of the shared agent (proxies, tests). */
  readonly dispatcher?: Dispatcher;
}

const CAPABILITIES: ModelCapabilities = {
  streaming: true,
  tools: true,
  parallel_tool_calls: true,
  images: true,
  reasoning: true,
  json_schema: true,
  // The backend answers 400 "Unsupported parameter" to both (wire.md §2.3).
  temperature: false,
  max_output_tokens: false,
};

/**
 * The ChatGPT Codex backend (Responses API over SSE, wire.md §2–3) as a nodex provider: converts
 * the canonical request, sends it with the subscription's token, retries failures that happen
 * before the first event (5xx, 429, an overload reported as the first SSE event), refreshes the
 * token once after a 401, and decodes the stream into v1 events.
 *
 * @example
 * const codex = new CodexProvider({ baseUrl: CODEX_BASE_URL, tokenSource });
 * for await (const event of codex.stream({ model: 'gpt-5.5', input: [userText('hi')] })) console.log(event);
 */
export class CodexProvider implements Provider {
  readonly id: string;
  readonly kind = 'codex';
  readonly #options: CodexProviderOptions;
  readonly #baseUrl: string;
  readonly #headers: CodexHeaderSettings;
  readonly #catalog: CodexModelCatalog;

  constructor(options: CodexProviderOptions) {
    this.id = options.id ?? 'codex';
    this.#options = options;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    const originator = options.originator ?? CODEX_ORIGINATOR;
    const clientVersion = options.clientVersion ?? CODEX_CLIENT_VERSION;
    this.#headers = {
      originator,
      clientVersion,
      userAgent: options.userAgent ?? codexUserAgent(originator, clientVersion),
    };
    this.#catalog = new CodexModelCatalog({
      provider: this.id,
      fetchModels: (signal) => this.#fetchModels(signal),
      ...(options.models ? { fallback: options.models } : {}),
    });
  }

  async *stream(request: CanonicalRequest, context: ProviderCallContext = {}): AsyncGenerator<StreamEvent> {
    const { body, names } = convertToCodexRequest(
      request,
      {
        defaultInstructions: this.#options.instructions ?? '',
        ...(this.#options.reasoningDefault ? { reasoningDefault: this.#options.reasoningDefault } : {}),
      },
      context.onWarning,
    );
    const call: CodexCall = {
      provider: this.id,
      url: `${this.#baseUrl}/responses`,
      body,
      names,
      headers: this.#headers,
      tokenSource: this.#options.tokenSource,
      context,
      refreshed: false,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      headersTimeoutMs: this.#options.headersTimeoutMs,
      dispatcher: this.#options.dispatcher,
    };
    yield* streamWithRetries(
      async () => {
        const open = await openCodexStream(call);
        return {
          ...open,
          finished: () => open.decoder.finished,
          decode: (next) => (next.done ? open.decoder.end() : open.decoder.push(next.value.data)),
        };
      },
      { ...(this.#options.retryPolicy ? { policy: this.#options.retryPolicy } : {}), context },
    );
  }

  /** The credentials this provider uses (the SDK's `refreshIfNeeded()` shares them). */
  get tokenSource(): TokenSource {
    return this.#options.tokenSource;
  }

  async listModels(context: ProviderCallContext = {}): Promise<readonly ModelInfo[]> {
    if (this.#options.discoverModels === false) return this.#catalog.fallback();
    return this.#catalog.list(context);
  }

  /** The backend's limits per model are known only from discovery (`context_window`); otherwise unknown. */
  capabilities(model?: string): ModelCapabilities {
    const contextWindow = model ? this.#catalog.known(model)?.context_window : undefined;
    return contextWindow ? { ...CAPABILITIES, context_window: contextWindow } : CAPABILITIES;
  }

  async #fetchModels(signal?: AbortSignal): Promise<unknown> {
    const token = await this.#options.tokenSource.getToken(signal);
    const version = encodeURIComponent(this.#headers.clientVersion);
    const response = await sendUpstream({
      url: `${this.#baseUrl}/models?client_version=${version}`,
      method: 'GET',
      headers: codexHeaders(token, this.#headers, { accept: 'application/json' }),
      provider: this.id,
      headersTimeoutMs: this.#options.headersTimeoutMs ?? 15_000,
      idleTimeoutMs: 15_000,
      ...(signal ? { signal } : {}),
      ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
    });
    const text = await readBodyText(response.body, 4 * 1024 * 1024);
    if (response.status >= 300) throw codexHttpError(response.status, text, response.headers, this.id);
    return JSON.parse(text) as unknown;
  }
}
