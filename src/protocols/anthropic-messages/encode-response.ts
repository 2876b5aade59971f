import { parseToolArguments } from '../../core/events.js';
import { assertNever } from '../../core/exhaustive.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { ReasoningItem } from '../../core/request.js';
import type { CanonicalResponse } from '../../core/response.js';
import type { TokenUsage } from '../../core/usage.js';
import type { EncodeContext } from '../client-protocol.js';
import { packReasoning } from '../opaque-reasoning.js';
import { anthropicMessageId, toAnthropicToolId } from './anthropic-ids.js';

/** Messages `usage`: `input_tokens` EXCLUDES cache reads and writes, which Anthropic reports apart. */
export interface AnthropicUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens: number;
  readonly cache_read_input_tokens: number;
}

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'pause_turn'
  | 'refusal'
  | 'model_context_window_exceeded';

export type AnthropicResponseBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'thinking'; readonly thinking: string; readonly signature: string }
  | { readonly type: 'redacted_thinking'; readonly data: string }
  | {
      readonly type: 'tool_use';
      readonly id: string;
      readonly name: string;
      readonly input: Readonly<Record<string, unknown>>;
    };

/** The Messages `Message` object (anthropic-sdk `Message`), limited to what nodex fills. */
export interface AnthropicMessage {
  readonly id: string;
  readonly type: 'message';
  readonly role: 'assistant';
  readonly model: string;
  readonly content: readonly AnthropicResponseBlock[];
  readonly stop_reason: AnthropicStopReason | null;
  readonly stop_sequence: string | null;
  readonly usage: AnthropicUsage;
}

/**
 * Canonical usage → Messages usage (wire.md §7.11): canonical `input_tokens` counts cache reads and
 * writes (architecture.md), Anthropic's does not, so they are taken out.
 *
 * @example
 * anthropicUsage(makeUsage({ input_tokens: 2142, cached_tokens: 2000, cache_write_tokens: 100 })).input_tokens; // 42
 */
export function anthropicUsage(usage: TokenUsage | null): AnthropicUsage {
  const read = usage?.cached_tokens ?? 0;
  const write = usage?.cache_write_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.input_tokens ?? 0) - read - write),
    output_tokens: usage?.output_tokens ?? 0,
    cache_creation_input_tokens: write,
    cache_read_input_tokens: read,
  };
}

/**
 * The unified finish reason → a Messages stop reason (wire.md §5.1, §7.10): tool calls present mean
 * `tool_use`; an Anthropic upstream's finer word (`stop_sequence`, `pause_turn`,
 * `model_context_window_exceeded`) is kept from `raw`.
 *
 * @example
 * anthropicStopReason('length', 'max_output_tokens', false); // 'max_tokens'
 */
export function anthropicStopReason(
  finish: FinishReason,
  raw: string | undefined,
  hasToolCalls: boolean,
): AnthropicStopReason {
  switch (finish) {
    case 'stop':
    case 'tool_calls':
      if (hasToolCalls) return 'tool_use';
      return raw === 'stop_sequence' || raw === 'pause_turn' ? raw : 'end_turn';
    case 'length':
      return raw === 'model_context_window_exceeded' ? raw : 'max_tokens';
    case 'content_filter':
      return 'refusal';
    case 'error':
      return 'end_turn';
    default:
      return assertNever(finish, 'finish reason');
  }
}

/** The text a thinking block shows: the raw reasoning, else the summary parts a blank line apart. */
export function thinkingText(item: ReasoningItem): string {
  return item.text || item.summary.join('\n\n');
}

/**
 * The thinking block's `signature`: Anthropic's own signature when the item has one (the provider
 * keeps it under `provider_data.anthropic.signature`), otherwise the whole item packed into a nodex
 * token, so Codex `encrypted_content` and other providers' data come back on the next request.
 */
export function reasoningSignature(item: ReasoningItem): string {
  const signature = item.provider_data?.anthropic?.signature;
  return typeof signature === 'string' && signature !== '' ? signature : packReasoning(item);
}

/** A reasoning item as a `redacted_thinking` block (Anthropic redacted data, no text) or a `thinking` block. */
export function reasoningBlock(item: ReasoningItem): AnthropicResponseBlock {
  const redacted = item.provider_data?.anthropic?.redacted_data;
  const thinking = thinkingText(item);
  if (typeof redacted === 'string' && thinking === '') return { type: 'redacted_thinking', data: redacted };
  return { type: 'thinking', thinking, signature: reasoningSignature(item) };
}

/**
 * Renders a canonical response as a Messages `Message` (the non-streaming `POST /v1/messages`
 * answer): text parts → text blocks (empty ones skipped, as Anthropic never sends them), reasoning →
 * thinking / redacted_thinking, function calls → tool_use (ids made Anthropic-valid, arguments
 * parsed; arguments that are not a JSON object become `{}`), usage and stop reason as in the stream.
 *
 * @example
 * const message = encodeAnthropicResponse(accumulate(events), context);
 */
export function encodeAnthropicResponse(
  response: CanonicalResponse,
  context: EncodeContext,
): AnthropicMessage {
  const content: AnthropicResponseBlock[] = [];
  let hasToolCalls = false;
  for (const item of response.output) {
    switch (item.type) {
      case 'message':
        for (const part of item.content)
          if (part.type === 'text' && part.text !== '') content.push({ type: 'text', text: part.text });
        break;
      case 'reasoning':
        content.push(reasoningBlock(item));
        break;
      case 'function_call':
        hasToolCalls = true;
        content.push({
          type: 'tool_use',
          id: toAnthropicToolId(item.call_id, item.provider_data),
          name: item.name,
          input: parseToolArguments(item.arguments) ?? {},
        });
        break;
      default:
        assertNever(item, 'output item');
    }
  }
  return {
    id: anthropicMessageId(response.id, context.requestId),
    type: 'message',
    role: 'assistant',
    model: context.requestedModel,
    content,
    stop_reason: anthropicStopReason(response.finish_reason, response.finish_reason_raw, hasToolCalls),
    stop_sequence: null,
    usage: anthropicUsage(response.usage),
  };
}
