import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import type { AnthropicToolIds, AnthropicToolNames } from './anthropic-tool-ids.js';

/** One open content block of a Messages stream (wire.md §5.1). */
export type OpenBlock =
  | { readonly kind: 'text' }
  | { readonly kind: 'thinking'; text: string; signature: string }
  | { readonly kind: 'redacted'; readonly data: string }
  | {
      readonly kind: 'tool';
      readonly id: string;
      readonly name: string;
      args: string;
      readonly initial: string;
    }
  | { readonly kind: 'skip' };

/** The events a block's `content_block_stop` produces. */
export function closeBlock(block: OpenBlock): StreamEvent[] {
  switch (block.kind) {
    case 'thinking':
      return [
        streamEvent('reasoning_done', {
          item: {
            type: 'reasoning',
            summary: [],
            text: block.text,
            provider_data: { anthropic: { signature: block.signature } },
          },
        }),
      ];
    case 'redacted':
      return [
        streamEvent('reasoning_done', {
          item: {
            type: 'reasoning',
            summary: [],
            provider_data: { anthropic: { redacted_data: block.data } },
          },
        }),
      ];
    case 'tool': {
      // No delta at all: the start block's `input` (or `{}`), so arguments are never lost (wire.md §7.10).
      const args = block.args === '' ? block.initial : block.args;
      return [toolCallDone(block.id, block.name, args)];
    }
    case 'text':
    case 'skip':
      return [];
  }
}

/** A tool_use block start: the caller's call id and tool name restored. */
export function openToolBlock(
  start: { readonly id?: string | null; readonly name?: string | null; readonly input?: unknown },
  ids: AnthropicToolIds,
  names: AnthropicToolNames,
): { block: OpenBlock; event: StreamEvent } {
  const id = ids.original(start.id ?? '');
  const name = names.original(start.name ?? '');
  const input = start.input;
  const initial =
    input !== null && typeof input === 'object' && Object.keys(input).length > 0
      ? JSON.stringify(input)
      : '{}';
  return {
    block: { kind: 'tool', id, name, args: '', initial },
    event: streamEvent('tool_call_started', { call_id: id, name }),
  };
}
