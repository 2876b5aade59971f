import type { JsonSchema } from '../../core/request.js';

/**
 * The Chat Completions request body nodex sends (wire.md §6.1, §6.3): only the fields the converter
 * writes. Types mirror openai-node `ChatCompletionCreateParamsStreaming`, narrowed to what we use.
 */
export type ChatDialect = 'openai' | 'gemini';

export interface ChatToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
  /** Gemini: `{ google: { thought_signature } }`, echoed back verbatim on the next turn (wire.md §6.3). */
  readonly extra_content?: Readonly<Record<string, unknown>>;
}

export type ChatContentPart =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'image_url';
      readonly image_url: { readonly url: string; readonly detail?: 'auto' | 'low' | 'high' };
    };

export type ChatMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user'; readonly content: string | readonly ChatContentPart[] }
  | {
      readonly role: 'assistant';
      /** `null` when the turn is tool calls only (wire.md §7.1, §7.6). */
      readonly content: string | null;
      readonly tool_calls?: readonly ChatToolCall[];
    }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export interface ChatTool {
  readonly type: 'function';
  readonly function: {
    readonly name: string;
    readonly description?: string;
    readonly parameters?: JsonSchema;
    readonly strict?: boolean;
  };
}

export type ChatToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { readonly type: 'function'; readonly function: { readonly name: string } };

export type ChatResponseFormat =
  | { readonly type: 'json_object' }
  | {
      readonly type: 'json_schema';
      readonly json_schema: {
        readonly name: string;
        readonly schema: JsonSchema;
        readonly strict?: boolean;
        readonly description?: string;
      };
    };

export interface ChatRequestBody {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  /** Always streamed, always with the usage chunk (seeds-spec §C.1 item 12). */
  readonly stream: true;
  readonly stream_options: { readonly include_usage: true };
  readonly tools?: readonly ChatTool[];
  readonly tool_choice?: ChatToolChoice;
  readonly parallel_tool_calls?: boolean;
  readonly reasoning_effort?: string;
  readonly response_format?: ChatResponseFormat;
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop?: readonly string[];
  readonly max_tokens?: number;
  readonly max_completion_tokens?: number;
  readonly user?: string;
  readonly prompt_cache_key?: string;
}
