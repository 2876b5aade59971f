import type { StreamEvent } from './events.js';
import type { CanonicalRequest } from './request.js';
import type { WarningSink } from './warnings.js';

/** What a model can do, so codecs and the SDK can warn before sending something it will drop. */
export interface ModelCapabilities {
  readonly streaming: boolean;
  readonly tools: boolean;
  readonly parallel_tool_calls: boolean;
  readonly images: boolean;
  readonly reasoning: boolean;
  readonly json_schema: boolean;
  readonly temperature: boolean;
  readonly max_output_tokens: boolean;
  /** Input + output tokens the model accepts, when known. */
  readonly context_window?: number;
  /** The most output tokens one response may have, when known. */
  readonly output_limit?: number;
}

export interface ModelInfo {
  readonly id: string;
  /** The provider instance id that serves it (`codex`, `anthropic`, `gemini`, `my-vllm`, `mock`). */
  readonly provider: string;
  readonly display_name?: string;
  readonly created_at?: number;
  /** Input + output tokens the model accepts, when the provider says. */
  readonly context_window?: number;
}

/** The upstream request exactly as sent, for `--log-requests` and traces (secrets already removed). */
export interface UpstreamRequestRecord {
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
}

/** One upstream SSE event as parsed (`event:` name and JSON data), for traces. */
export interface UpstreamEventRecord {
  readonly event?: string;
  readonly data: unknown;
}

/** Per-call context: cancellation, warnings, and per-request overrides. */
export interface ProviderCallContext {
  /** Aborting it cancels the upstream request and ends the stream. */
  readonly signal?: AbortSignal;
  readonly onWarning?: WarningSink;
  /** Called once with the request as sent upstream, before sending. */
  readonly onUpstreamRequest?: (record: UpstreamRequestRecord) => void;
  /** Called with each upstream SSE event as parsed, before it is decoded (gateway traces). */
  readonly onUpstreamEvent?: (event: UpstreamEventRecord) => void;
  /** A per-request upstream API key (`X-Provider-Key`, `--provider-key`). */
  readonly providerKey?: string;
  readonly requestId?: string;
  /** Overrides the provider's retry count for this call (the SDK's `maxRetries`). */
  readonly maxRetries?: number;
}

/**
 * A provider turns a canonical request into a stream of v1 events. `stream()` must not throw for
 * upstream failures once iteration starts: failures before the first event reject the first
 * `next()` with a NodexError (so callers can retry or fail over); failures after it are yielded
 * as an `error` event that ends the stream.
 *
 * @example
 * for await (const event of provider.stream(request, { signal })) console.log(event.type);
 */
export interface Provider {
  /** Instance id, unique in a registry (`codex`, `gemini`, `my-vllm`). */
  readonly id: string;
  /** Implementation kind (`codex`, `anthropic`, `openai-compatible`, `mock`). */
  readonly kind: string;
  stream(request: CanonicalRequest, context?: ProviderCallContext): AsyncIterable<StreamEvent>;
  listModels(context?: ProviderCallContext): Promise<readonly ModelInfo[]>;
  capabilities(model: string): ModelCapabilities;
}
