/**
 * The Anthropic Messages request body nodex sends (wire.md §4.4, §5; anthropic-sdk-typescript
 * `MessageCreateParams`), limited to what nodex writes.
 */
export interface AnthropicTextBlock {
  readonly type: 'text';
  readonly text: string;
  readonly cache_control?: { readonly type: 'ephemeral' };
}

export interface AnthropicImageBlock {
  readonly type: 'image';
  readonly source:
    | { readonly type: 'base64'; readonly media_type: string; readonly data: string }
    | { readonly type: 'url'; readonly url: string };
}

export interface AnthropicToolUseBlock {
  readonly type: 'tool_use';
  readonly id: string;
  readonly name: string;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface AnthropicToolResultBlock {
  readonly type: 'tool_result';
  readonly tool_use_id: string;
  readonly content?: string | ReadonlyArray<AnthropicTextBlock | AnthropicImageBlock>;
  readonly is_error?: boolean;
}

export interface AnthropicThinkingBlock {
  readonly type: 'thinking';
  readonly thinking: string;
  readonly signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  readonly type: 'redacted_thinking';
  readonly data: string;
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock;

export interface AnthropicMessage {
  readonly role: 'user' | 'assistant';
  readonly content: AnthropicContentBlock[];
}

/** A client tool, or a server tool (`web_search_20250305`, …) passed through from its config. */
export type AnthropicTool =
  | {
      readonly name: string;
      readonly description?: string;
      readonly input_schema: Readonly<Record<string, unknown>>;
    }
  | Readonly<Record<string, unknown>>;

export type AnthropicToolChoice =
  | { readonly type: 'auto' | 'any'; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: 'tool'; readonly name: string; readonly disable_parallel_tool_use?: boolean }
  | { readonly type: 'none' };

export interface AnthropicRequestBody {
  readonly model: string;
  readonly max_tokens: number;
  readonly stream: true;
  readonly system?: AnthropicTextBlock[];
  readonly messages: AnthropicMessage[];
  readonly tools?: AnthropicTool[];
  readonly tool_choice?: AnthropicToolChoice;
  readonly thinking?: { readonly type: 'enabled'; readonly budget_tokens: number };
  readonly temperature?: number;
  readonly top_p?: number;
  readonly stop_sequences?: string[];
  readonly metadata?: { readonly user_id: string };
}
