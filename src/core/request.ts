import type { ProviderData } from './provider-data.js';

/** A JSON Schema document, kept as plain data: codecs pass it through or normalise it. */
export type JsonSchema = Readonly<Record<string, unknown>>;

export type MessageRole = 'user' | 'assistant' | 'system' | 'developer';

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

/** An image by URL (`https://…` or a `data:` URL). */
export interface ImagePart {
  readonly type: 'image';
  readonly image_url: string;
  readonly detail?: 'auto' | 'low' | 'high';
}

export type ContentPart = TextPart | ImagePart;

export interface MessageItem {
  readonly type: 'message';
  readonly role: MessageRole;
  readonly content: readonly ContentPart[];
  readonly id?: string;
  readonly provider_data?: ProviderData;
}

export interface FunctionCallItem {
  readonly type: 'function_call';
  readonly call_id: string;
  readonly name: string;
  /** The arguments as the model produced them: a JSON text. */
  readonly arguments: string;
  readonly id?: string;
  readonly provider_data?: ProviderData;
}

export interface FunctionCallOutputItem {
  readonly type: 'function_call_output';
  readonly call_id: string;
  /** Tool output: plain text, or parts (tools may return images). */
  readonly output: string | readonly ContentPart[];
  readonly is_error?: boolean;
  readonly provider_data?: ProviderData;
}

export interface ReasoningItem {
  readonly type: 'reasoning';
  readonly id?: string;
  /** Reasoning summary parts, as shown to users. */
  readonly summary: readonly string[];
  /** Full reasoning text, where the upstream exposes it (Anthropic thinking). */
  readonly text?: string;
  /** Opaque encrypted reasoning to replay statelessly (Codex `encrypted_content`). */
  readonly encrypted_content?: string;
  readonly provider_data?: ProviderData;
}

export type InputItem = MessageItem | FunctionCallItem | FunctionCallOutputItem | ReasoningItem;

export interface FunctionTool {
  readonly type: 'function';
  readonly name: string;
  readonly description?: string;
  readonly parameters?: JsonSchema;
  readonly strict?: boolean;
}

/** A tool the upstream runs itself (`web_search`, …); `config` holds its wire options verbatim. */
export interface BuiltinTool {
  readonly type: 'builtin';
  readonly name: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

export type ToolDefinition = FunctionTool | BuiltinTool;

export type ToolChoice = 'auto' | 'none' | 'required' | { readonly type: 'function'; readonly name: string };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh';
export type ReasoningSummary = 'auto' | 'concise' | 'detailed';

export interface ReasoningConfig {
  readonly effort?: ReasoningEffort;
  readonly summary?: ReasoningSummary;
}

export type TextFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly name: string;
      readonly schema: JsonSchema;
      readonly strict?: boolean;
      readonly description?: string;
    };

/**
 * The canonical request every client protocol decodes into and every provider encodes from.
 * Responses-shaped (snake_case, like the OpenAI Responses API), with content normalised into
 * role-independent parts.
 *
 * @example
 * const request: CanonicalRequest = {
 *   model: 'gpt-5.5',
 *   instructions: 'Be brief.',
 *   input: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'hi' }] }],
 * };
 */
export interface CanonicalRequest {
  readonly model: string;
  readonly instructions?: string;
  readonly input: readonly InputItem[];
  readonly tools?: readonly ToolDefinition[];
  readonly tool_choice?: ToolChoice;
  readonly parallel_tool_calls?: boolean;
  readonly reasoning?: ReasoningConfig;
  readonly text?: { readonly format?: TextFormat };
  readonly max_output_tokens?: number;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: readonly string[];
  readonly metadata?: Readonly<Record<string, string>>;
  readonly user?: string;
  /** A stable conversation key (Codex `prompt_cache_key` / `session_id`). */
  readonly prompt_cache_key?: string;
  readonly provider_data?: ProviderData;
}

/** The plain text of a message's parts (images ignored). */
export function partsText(parts: readonly ContentPart[]): string {
  let out = '';
  for (const part of parts) if (part.type === 'text') out += part.text;
  return out;
}

/** The text of the last user message, or '' when there is none. */
export function lastUserText(input: readonly InputItem[]): string {
  for (let i = input.length - 1; i >= 0; i--) {
    const item = input[i];
    if (item?.type === 'message' && item.role === 'user') return partsText(item.content);
  }
  return '';
}

/** Builds a one-message user input from text. */
export function userText(text: string): MessageItem {
  return { type: 'message', role: 'user', content: [{ type: 'text', text }] };
}
