import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import type { ReasoningItem } from '../../core/request.js';
import type { WarningSink } from '../../core/warnings.js';
import type { CodexNames } from './codex-names.js';
import {
  CustomToolCallItemSchema,
  FunctionCallItemSchema,
  MessageItemSchema,
  ReasoningItemSchema,
} from './codex-stream-schemas.js';
import { CodexToolCalls } from './codex-tool-calls.js';

type WarnOnce = (key: string, details: string) => void;

interface RawItem {
  readonly type: string;
  readonly id?: string | null;
}

function texts(
  parts: readonly { text?: string | null; refusal?: string | null }[] | null | undefined,
): string[] {
  return (parts ?? []).map((part) => part.text ?? part.refusal ?? '');
}

/**
 * Output items of one Codex stream: `response.output_item.added` / `.done` and the items of
 * `response.completed.output`. The done item is authoritative (codex-rs `process_sse`, wire.md
 * §3.1): text that never came as deltas is emitted from it, reasoning ends with its summary and
 * `encrypted_content`, and calls end here if `.done` did not end them. Each item is handled once,
 * by id, or by output index for items without one.
 *
 * @example
 * const items = new CodexOutputItems(names, warn, warnOnce);
 * events.push(...items.done(payload.item, payload.output_index));
 */
export class CodexOutputItems {
  readonly calls: CodexToolCalls;
  readonly #done = new Set<string>();
  readonly #textItems = new Set<string>();
  readonly #warnOnce: WarnOnce;

  constructor(names: CodexNames, warn: WarningSink, warnOnce: WarnOnce) {
    this.calls = new CodexToolCalls(names, warn);
    this.#warnOnce = warnOnce;
  }

  /** A message item got text deltas: its done item must not repeat the text. */
  textSeen(itemId: string): void {
    this.#textItems.add(itemId);
  }

  added(item: RawItem, index: number | undefined): StreamEvent[] {
    const key = this.#key(item, index);
    if (item.type === 'function_call') {
      const call = FunctionCallItemSchema.safeParse(item);
      return call.success ? this.calls.added(key, { callId: call.data.call_id, name: call.data.name }) : [];
    }
    if (item.type === 'custom_tool_call') {
      this.#warnCustom();
      const call = CustomToolCallItemSchema.safeParse(item);
      return call.success
        ? this.calls.added(key, { callId: call.data.call_id, name: call.data.name, custom: true })
        : [];
    }
    if (item.type !== 'message' && item.type !== 'reasoning') this.#warnItem(item.type);
    return [];
  }

  done(item: RawItem, index: number | undefined): StreamEvent[] {
    const key = this.#key(item, index);
    if (this.#done.has(key)) return [];
    this.#done.add(key);
    if (index !== undefined) this.#done.add(`#${index}`);
    switch (item.type) {
      case 'message':
        return this.#message(key, item);
      case 'reasoning':
        return this.#reasoning(item);
      case 'function_call': {
        const call = FunctionCallItemSchema.safeParse(item);
        if (!call.success) return [];
        const { call_id, name } = call.data;
        return this.calls.done(key, { callId: call_id, name, text: call.data.arguments });
      }
      case 'custom_tool_call': {
        this.#warnCustom();
        const call = CustomToolCallItemSchema.safeParse(item);
        if (!call.success) return [];
        const { call_id, name, input } = call.data;
        return this.calls.done(key, { callId: call_id, name, text: input, custom: true });
      }
      default:
        this.#warnItem(item.type);
        return [];
    }
  }

  /** An item of `response.completed.output`: rebuilt only if its done item never came. */
  fromCompleted(raw: unknown, index: number): StreamEvent[] {
    if (typeof raw !== 'object' || raw === null || typeof (raw as RawItem).type !== 'string') return [];
    const item = raw as RawItem;
    if (this.#done.has(item.id ? item.id : `#${index}`)) return [];
    return this.done(item, index);
  }

  #key(item: RawItem, index: number | undefined): string {
    return item.id ? item.id : `#${index ?? ''}`;
  }

  #message(key: string, item: RawItem): StreamEvent[] {
    if (this.#textItems.has(key)) return [];
    const message = MessageItemSchema.safeParse(item);
    if (!message.success) return [];
    const text = texts(message.data.content).join('');
    return text === '' ? [] : [streamEvent('text_delta', { delta: text })];
  }

  #reasoning(raw: RawItem): StreamEvent[] {
    const parsed = ReasoningItemSchema.safeParse(raw);
    if (!parsed.success) return [];
    const { id, summary, content, encrypted_content } = parsed.data;
    const text = texts(content).join('');
    const item: ReasoningItem = {
      type: 'reasoning',
      ...(id ? { id } : {}),
      summary: texts(summary),
      ...(text === '' ? {} : { text }),
      ...(encrypted_content ? { encrypted_content } : {}),
    };
    return [streamEvent('reasoning_done', { item })];
  }

  #warnCustom(): void {
    this.#warnOnce(
      'item:custom_tool_call',
      'codex: a custom_tool_call (freeform input) is passed on as a tool call whose arguments are the raw input',
    );
  }

  #warnItem(type: string): void {
    this.#warnOnce(`item:${type}`, `codex: output item type "${type}" has no canonical form; skipped`);
  }
}
