import { assertNever } from '../../core/exhaustive.js';
import type { ProviderData } from '../../core/provider-data.js';
import type { ReasoningItem } from '../../core/request.js';
import { formatSse } from '../../sse/write-sse.js';
import { toAnthropicToolId } from './anthropic-ids.js';
import { reasoningSignature } from './encode-response.js';

/**
 * One future content block of a Messages stream, in canonical order. Blocks reach the wire strictly
 * one at a time (wire.md §5.1): the head of the encoder's queue is the open block; the others fill
 * up in memory and are written when their turn comes. `sent` counts what is already on the wire.
 */
export type Segment = TextSegment | ReasoningSegment | ToolSegment;

export interface TextSegment {
  readonly kind: 'text';
  text: string;
  sent: number;
  done: boolean;
  opened: boolean;
}

export interface ReasoningSegment {
  readonly kind: 'reasoning';
  /** The thinking text: raw reasoning, or summary parts a blank line apart (thinkingText()). */
  display: string;
  summary: string[];
  text: string;
  item?: ReasoningItem;
  redacted: boolean;
  sent: number;
  done: boolean;
  opened: boolean;
}

export interface ToolSegment {
  readonly kind: 'tool';
  readonly callId: string;
  readonly name: string;
  args: string;
  providerData?: ProviderData;
  sent: number;
  done: boolean;
  opened: boolean;
}

export function textSegment(): TextSegment {
  return { kind: 'text', text: '', sent: 0, done: false, opened: false };
}

export function reasoningSegment(): ReasoningSegment {
  return {
    kind: 'reasoning',
    display: '',
    summary: [],
    text: '',
    redacted: false,
    sent: 0,
    done: false,
    opened: false,
  };
}

export function toolSegment(callId: string, name: string): ToolSegment {
  return { kind: 'tool', callId, name, args: '', sent: 0, done: false, opened: false };
}

/** One SSE frame, named after its payload's `type` (wire.md §5.1: `event: <type>\ndata: <json>`). */
export function frame<T extends { readonly type: string }>(data: T): string {
  return formatSse(data, data.type);
}

/**
 * Whether the segment may open now. Empty text never becomes a block (Anthropic rejects empty text
 * blocks sent back: wire.md §7.6); a tool_use block waits for its call to be done, since its id may
 * carry provider data that only `tool_call_done` brings (anthropic-ids.ts).
 */
export function segmentReady(seg: Segment): boolean {
  switch (seg.kind) {
    case 'text':
      return seg.text !== '';
    case 'reasoning':
      return seg.display !== '' || seg.done;
    case 'tool':
      return seg.done;
    default:
      return assertNever(seg, 'segment');
  }
}

/** `content_block_start` for a segment. */
export function openSegment(seg: Segment, index: number): string {
  seg.opened = true;
  let block: Record<string, unknown>;
  switch (seg.kind) {
    case 'text':
      block = { type: 'text', text: '' };
      break;
    case 'reasoning': {
      const redacted = seg.item?.provider_data?.anthropic?.redacted_data;
      seg.redacted = seg.display === '' && typeof redacted === 'string';
      block = seg.redacted
        ? { type: 'redacted_thinking', data: redacted }
        : { type: 'thinking', thinking: '', signature: '' };
      break;
    }
    case 'tool':
      block = {
        type: 'tool_use',
        id: toAnthropicToolId(seg.callId, seg.providerData),
        name: seg.name,
        input: {},
      };
      break;
    default:
      return assertNever(seg, 'segment');
  }
  return frame({ type: 'content_block_start', index, content_block: block });
}

/** A `content_block_delta` with what the segment has that is not on the wire yet ('' when nothing). */
export function flushSegment(seg: Segment, index: number): string {
  let delta: Record<string, unknown> | undefined;
  switch (seg.kind) {
    case 'text':
      if (seg.text.length > seg.sent) delta = { type: 'text_delta', text: seg.text.slice(seg.sent) };
      seg.sent = seg.text.length;
      break;
    case 'reasoning':
      if (!seg.redacted && seg.display.length > seg.sent)
        delta = { type: 'thinking_delta', thinking: seg.display.slice(seg.sent) };
      seg.sent = seg.display.length;
      break;
    case 'tool': {
      // The complete arguments in one piece. None, or `{}`, leaves the start block's `input: {}`,
      // as Anthropic does for a call without arguments.
      const json = seg.args.trim() === '{}' ? '' : seg.args;
      if (json.length > seg.sent) delta = { type: 'input_json_delta', partial_json: json.slice(seg.sent) };
      seg.sent = json.length;
      break;
    }
    default:
      return assertNever(seg, 'segment');
  }
  return delta ? frame({ type: 'content_block_delta', index, delta }) : '';
}

/** `content_block_stop`, after the thinking block's one `signature_delta` (wire.md §5.1). */
export function closeSegment(seg: Segment, index: number): string {
  let out = '';
  if (seg.kind === 'reasoning' && !seg.redacted) {
    // Reasoning closed without reasoning_done: the item accumulate() builds from the deltas.
    const item: ReasoningItem = seg.item ?? {
      type: 'reasoning',
      summary: seg.summary,
      ...(seg.text ? { text: seg.text } : {}),
    };
    const delta = { type: 'signature_delta', signature: reasoningSignature(item) };
    out = frame({ type: 'content_block_delta', index, delta });
  }
  return `${out}${frame({ type: 'content_block_stop', index })}`;
}
