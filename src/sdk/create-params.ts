import type { InputItem, ReasoningConfig, TextFormat, ToolChoice } from '../core/request.js';
import type { SdkTool } from './tool.js';
import type { ValidationMode } from './validation.js';

/** A Responses input item as the OpenAI API takes it (messages, function calls and outputs, reasoning). */
export type ResponseInputItem = Readonly<Record<string, unknown>>;

/**
 * `responses.create` parameters: the OpenAI Responses API's, snake_case. Tools may also be
 * `tool()` helpers; `text.format` may come from `jsonSchemaFormat()`.
 */
export interface ResponseCreateParams {
  readonly model?: string;
  readonly input?: string | readonly (ResponseInputItem | InputItem)[];
  readonly instructions?: string;
  readonly tools?: readonly (SdkTool | Readonly<Record<string, unknown>>)[];
  readonly tool_choice?: ToolChoice | Readonly<Record<string, unknown>>;
  readonly parallel_tool_calls?: boolean;
  readonly reasoning?: ReasoningConfig;
  readonly text?: { readonly format?: TextFormat };
  readonly max_output_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly store?: boolean;
  readonly previous_response_id?: string;
  readonly include?: readonly string[];
  readonly service_tier?: string;
  readonly truncation?: 'auto' | 'disabled';
  readonly max_tool_calls?: number;
  readonly prompt_cache_key?: string;
  readonly stream?: boolean;
  /** Anything else is reported as `unsupported_parameter` (and dropped) per `validationMode`. */
  readonly [extra: string]: unknown;
}

/** Per-call options, as the second argument of `create` (openai-node style). */
export interface RequestOptions {
  readonly signal?: AbortSignal;
  /** Milliseconds for the whole call, streaming included. */
  readonly timeout?: number;
  readonly maxRetries?: number;
  readonly validationMode?: ValidationMode;
  /** A per-request upstream API key (OpenAI-compatible providers). */
  readonly providerKey?: string;
}
