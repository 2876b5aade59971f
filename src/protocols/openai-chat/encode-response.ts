import type { FinishReason } from '../../core/finish-reason.js';
import type { ProviderData } from '../../core/provider-data.js';
import type { ReasoningItem } from '../../core/request.js';
import type { CanonicalResponse } from '../../core/response.js';
import type { TokenUsage } from '../../core/usage.js';
import type { EncodeContext } from '../client-protocol.js';

/** Chat Completions `usage` (wire.md §6.1; mapping per §7 item 11). */
export interface ChatUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
  readonly prompt_tokens_details: { readonly cached_tokens: number };
  readonly completion_tokens_details: { readonly reasoning_tokens: number };
}

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** One `message.tool_calls[]` entry; `extra_content` carries Gemini's thought signature (wire.md §6.3). */
export interface ChatToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
  readonly extra_content?: Readonly<Record<string, unknown>>;
}

export interface ChatCompletionMessage {
  readonly role: 'assistant';
  /** Null when the turn is only tool calls (wire.md §7 item 6). */
  readonly content: string | null;
  readonly refusal: null;
  readonly tool_calls?: readonly ChatToolCall[];
  /** Reasoning text: the de-facto field (DeepSeek, vLLM) many Chat clients read; not in OpenAI's schema. */
  readonly reasoning_content?: string;
}

/** The `chat.completion` object (the fields nodex fills; see openai-node `ChatCompletion`). */
export interface ChatCompletion {
  readonly id: string;
  readonly object: 'chat.completion';
  readonly created: number;
  readonly model: string;
  readonly system_fingerprint: null;
  readonly choices: readonly [
    {
      readonly index: 0;
      readonly message: ChatCompletionMessage;
      readonly logprobs: null;
      readonly finish_reason: ChatFinishReason;
    },
  ];
  readonly usage?: ChatUsage;
}

/**
 * The `provider_data` key under which the openai-compatible provider keeps a tool call's
 * `extra_content` (src/providers/openai-compatible/chat-provider-data.ts `PROVIDER_DATA_KEY`;
 * protocols may not import providers, so a test pins the two together).
 */
export const EXTRA_CONTENT_PROVIDER_KEY = 'openai-compatible';

/** A tool call's `extra_content` (Gemini's thought signature) from its provider data, if any. */
export function extraContentOf(
  providerData: ProviderData | undefined,
): Readonly<Record<string, unknown>> | undefined {
  const extra = providerData?.[EXTRA_CONTENT_PROVIDER_KEY]?.extra_content;
  return typeof extra === 'object' && extra !== null && !Array.isArray(extra)
    ? (extra as Readonly<Record<string, unknown>>)
    : undefined;
}

/** The provider data that makes a client's `extra_content` reach the openai-compatible provider again. */
export function providerDataOfExtraContent(extra: Readonly<Record<string, unknown>>): ProviderData {
  return { [EXTRA_CONTENT_PROVIDER_KEY]: { extra_content: extra } };
}

/**
 * The completion id: `chatcmpl-` + the canonical response id without its own prefix (`resp_…`,
 * `msg_…`), or + the request id when the upstream gave none. Stable for one response.
 *
 * @example
 * chatCompletionId('resp_abc', 'req_1'); // 'chatcmpl-abc'
 */
export function chatCompletionId(responseId: string, requestId: string): string {
  if (responseId.startsWith('chatcmpl-')) return responseId;
  const tail = responseId.replace(/^[a-z]+_/, '') || requestId.replace(/^[a-z]+_/, '');
  return `chatcmpl-${tail || 'nodex'}`;
}

/**
 * The Chat word for a canonical finish reason. `error` has no Chat word (an error is sent as an
 * error chunk or body instead): `stop`. Calls win over `stop` (wire.md §7 item 10).
 */
export function chatFinishReason(reason: FinishReason, hasCalls: boolean): ChatFinishReason {
  switch (reason) {
    case 'length':
    case 'content_filter':
    case 'tool_calls':
      return reason;
    case 'stop':
    case 'error':
      return hasCalls ? 'tool_calls' : 'stop';
  }
}

/** Canonical usage as Chat `usage` (wire.md §7 item 11; cache writes have no Chat field). */
export function encodeChatUsage(usage: TokenUsage): ChatUsage {
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
    prompt_tokens_details: { cached_tokens: usage.cached_tokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoning_tokens },
  };
}

/** A reasoning item as `reasoning_content` text: raw text, else the summary parts joined by a blank line (wire.md §7 item 5). */
export function reasoningText(item: ReasoningItem): string {
  return item.text || item.summary.filter((part) => part !== '').join('\n\n');
}

/**
 * Renders a canonical response as a `chat.completion`: all text in one `content` (null when the
 * turn is only tool calls), every call in `tool_calls` with its `extra_content`, reasoning as
 * `reasoning_content`. Opaque reasoning (Codex `encrypted_content`, Anthropic signatures) has no
 * Chat field and is not sent. A failed response should go out through `encodeOpenAIError` instead.
 *
 * @example
 * const body = encodeChatResponse(accumulate(events), { request, requestedModel: 'gpt-5', requestId: 'req_1' });
 */
export function encodeChatResponse(response: CanonicalResponse, context: EncodeContext): ChatCompletion {
  const calls: ChatToolCall[] = [];
  const reasoning: string[] = [];
  for (const item of response.output) {
    switch (item.type) {
      case 'message':
        break; // its text is in output_text
      case 'function_call': {
        const extra = extraContentOf(item.provider_data);
        calls.push({
          id: item.call_id,
          type: 'function',
          function: { name: item.name, arguments: item.arguments },
          ...(extra ? { extra_content: extra } : {}),
        });
        break;
      }
      case 'reasoning': {
        const part = reasoningText(item);
        if (part) reasoning.push(part);
        break;
      }
    }
  }
  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: response.output_text || (calls.length > 0 ? null : ''),
    refusal: null,
    ...(calls.length > 0 ? { tool_calls: calls } : {}),
    ...(reasoning.length > 0 ? { reasoning_content: reasoning.join('\n\n') } : {}),
  };
  return {
    id: chatCompletionId(response.id, context.requestId),
    object: 'chat.completion',
    created: response.created_at,
    model: context.requestedModel || response.model,
    system_fingerprint: null,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: chatFinishReason(response.finish_reason, calls.length > 0),
      },
    ],
    ...(response.usage ? { usage: encodeChatUsage(response.usage) } : {}),
  };
}
