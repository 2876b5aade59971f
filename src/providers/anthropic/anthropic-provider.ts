import type { Dispatcher } from 'undici';
import type { TokenSource } from '../../auth/token-source.js';
import type { StreamEvent } from '../../core/events.js';
import type { ModelCapabilities, ModelInfo, Provider, ProviderCallContext } from '../../core/provider.js';
import type { CanonicalRequest, ReasoningEffort } from '../../core/request.js';
import type { RetryPolicy } from '../http/retry.js';
import { readBodyText, sendUpstream } from '../http/send-upstream.js';
import { streamWithRetries } from '../http/stream-with-retries.js';
import { anthropicHttpError } from './anthropic-errors.js';
import { type AnthropicHeaderSettings, anthropicHeaders, DEFAULT_EXTRA_BETAS } from './anthropic-headers.js';
import { AnthropicModelCatalog } from './anthropic-models.js';
import { CLAUDE_CODE_IDENTITY, convertToAnthropicRequest } from './convert-to-anthropic-request.js';
import {
  type AnthropicCall,
  type AnthropicCallAuth,
  anthropicCredential,
  openAnthropicStream,
} from './open-anthropic-stream.js';

/** The public API base URL; requests go to `{baseUrl}/v1/messages`. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com';

/** The Claude Code version presented in OAuth mode (volatile: wire.md §4.4). */
export const CLAUDE_CLI_VERSION = '2.1.220';

export interface AnthropicProviderOptions {
  /** Instance id (default `anthropic`). */
  readonly id?: string;
  /** E.g. ANTHROPIC_BASE_URL, or a fake's `url`; a trailing slash is ignored. */
  readonly baseUrl: string;
  /** A Claude subscription login (preferred), an API key, or both: `auth` picks. */
  readonly tokenSource?: TokenSource;
  readonly apiKey?: string;
  /** `auto` (default): OAuth when there is a token source, else the API key. */
  readonly auth?: 'auto' | 'oauth' | 'api_key';
  /** OAuth mode's first system block (default CLAUDE_CODE_IDENTITY). */
  readonly identity?: string;
  /** Extra `anthropic-beta` values (default DEFAULT_EXTRA_BETAS). */
  readonly betas?: readonly string[];
  /** OAuth mode's User-Agent; default `claude-cli/{cliVersion} (external, cli)`. */
  readonly userAgent?: string;
  readonly cliVersion?: string;
  /** Default `max_tokens` per model prefix (anthropic-limits.ts). */
  readonly maxTokens?: Readonly<Record<string, number>>;
  readonly thinkingBudgets?: Readonly<Partial<Record<Exclude<ReasoningEffort, 'none'>, number>>>;
  /** A prefix for tool names upstream (wire.md §4.4 "keep tool renaming pluggable"); off by default. */
  readonly toolNamePrefix?: string;
  readonly idleTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  readonly retryPolicy?: RetryPolicy;
  /** The static model list used when discovery fails. */
  readonly models?: readonly string[];
  readonly discoverModels?: boolean;
  readonly dispatcher?: Dispatcher;
}

const CAPABILITIES: ModelCapabilities = {
  streaming: true,
  tools: true,
  parallel_tool_calls: true,
  images: true,
  reasoning: true,
  // Approximated with a system instruction (no response_format upstream).
  json_schema: false,
  temperature: true,
  max_output_tokens: true,
};

/**
 * The Anthropic Messages API as a nodex provider, with a Claude subscription (OAuth, shaped like
 * Claude Code: wire.md §4.4) or an API key. Converts the canonical request, retries failures before
 * the first event (5xx, 429, 529, an overload as the first SSE event), refreshes an OAuth token once
 * after a 401, and decodes the stream (wire.md §5). A per-request `providerKey` uses API-key mode.
 *
 * @example
 * const claude = new AnthropicProvider({ baseUrl: ANTHROPIC_BASE_URL, tokenSource });
 * for await (const event of claude.stream({ model: 'claude-sonnet-4-5', input: [userText('hi')] })) console.log(event);
 */
export class AnthropicProvider implements Provider {
  readonly id: string;
  readonly kind = 'anthropic';
  readonly #options: AnthropicProviderOptions;
  readonly #baseUrl: string;
  readonly #headers: AnthropicHeaderSettings;
  readonly #catalog: AnthropicModelCatalog;

  constructor(options: AnthropicProviderOptions) {
    this.id = options.id ?? 'anthropic';
    this.#options = options;
    this.#baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#headers = {
      betas: options.betas ?? DEFAULT_EXTRA_BETAS,
      oauthUserAgent:
        options.userAgent ?? `claude-cli/${options.cliVersion ?? CLAUDE_CLI_VERSION} (external, cli)`,
      apiKeyUserAgent: 'nodex',
    };
    this.#catalog = new AnthropicModelCatalog({
      provider: this.id,
      fetchPage: (after, signal) => this.#fetchModels(after, signal),
      ...(options.models ? { fallback: options.models } : {}),
    });
  }

  /** Which credential a call uses: the per-request key, else the configured mode. */
  #auth(context: ProviderCallContext): AnthropicCallAuth {
    if (context.providerKey) return { kind: 'api_key', apiKey: context.providerKey };
    const { tokenSource, apiKey, auth = 'auto' } = this.#options;
    if (tokenSource && auth !== 'api_key') return { kind: 'oauth', tokenSource };
    if (apiKey && auth !== 'oauth') return { kind: 'api_key', apiKey };
    if (tokenSource) return { kind: 'oauth', tokenSource };
    return { kind: 'api_key', apiKey: apiKey ?? '' };
  }

  async *stream(request: CanonicalRequest, context: ProviderCallContext = {}): AsyncGenerator<StreamEvent> {
    const auth = this.#auth(context);
    const oauth = auth.kind === 'oauth';
    const { body, ids, names } = convertToAnthropicRequest(
      request,
      {
        ...(oauth ? { identity: this.#options.identity ?? CLAUDE_CODE_IDENTITY } : {}),
        ...(this.#options.maxTokens ? { maxTokens: this.#options.maxTokens } : {}),
        ...(this.#options.thinkingBudgets ? { thinkingBudgets: this.#options.thinkingBudgets } : {}),
        ...(this.#options.toolNamePrefix ? { toolNamePrefix: this.#options.toolNamePrefix } : {}),
      },
      context.onWarning,
    );
    const call: AnthropicCall = {
      provider: this.id,
      // Claude Code calls `/v1/messages?beta=true` (wire.md §4.4).
      url: `${this.#baseUrl}/v1/messages${oauth ? '?beta=true' : ''}`,
      body,
      ids,
      names,
      auth,
      headers: this.#headers,
      context,
      refreshed: false,
      idleTimeoutMs: this.#options.idleTimeoutMs,
      headersTimeoutMs: this.#options.headersTimeoutMs,
      dispatcher: this.#options.dispatcher,
    };
    yield* streamWithRetries(
      async () => {
        const open = await openAnthropicStream(call);
        return {
          ...open,
          finished: () => open.decoder.finished,
          decode: (next) => (next.done ? open.decoder.end() : open.decoder.push(next.value.data)),
        };
      },
      { ...(this.#options.retryPolicy ? { policy: this.#options.retryPolicy } : {}), context },
    );
  }

  /** The OAuth credentials, when the provider has them (the SDK's `refreshIfNeeded()` shares them). */
  get tokenSource(): TokenSource | undefined {
    return this.#options.tokenSource;
  }

  async listModels(context: ProviderCallContext = {}): Promise<readonly ModelInfo[]> {
    if (this.#options.discoverModels === false) return this.#catalog.fallback();
    return this.#catalog.list(context);
  }

  /** Limits come from discovery (`max_input_tokens`, `max_tokens`) when the model was listed. */
  capabilities(model?: string): ModelCapabilities {
    const known = model ? this.#catalog.known(model) : undefined;
    return {
      ...CAPABILITIES,
      ...(known?.context_window ? { context_window: known.context_window } : {}),
      ...(known?.output_limit ? { output_limit: known.output_limit } : {}),
    };
  }

  async #fetchModels(afterId: string | undefined, signal?: AbortSignal): Promise<unknown> {
    const auth = this.#auth({});
    const credential = await anthropicCredential(auth, signal);
    const query = `limit=100${afterId ? `&after_id=${encodeURIComponent(afterId)}` : ''}`;
    const response = await sendUpstream({
      url: `${this.#baseUrl}/v1/models?${query}`,
      method: 'GET',
      headers: anthropicHeaders(credential, this.#headers, 'application/json'),
      provider: this.id,
      headersTimeoutMs: this.#options.headersTimeoutMs ?? 15_000,
      idleTimeoutMs: 15_000,
      ...(signal ? { signal } : {}),
      ...(this.#options.dispatcher ? { dispatcher: this.#options.dispatcher } : {}),
    });
    const text = await readBodyText(response.body, 4 * 1024 * 1024);
    if (response.status >= 300)
      throw anthropicHttpError(response.status, text, response.headers, this.id, auth.kind);
    return JSON.parse(text) as unknown;
  }
}
