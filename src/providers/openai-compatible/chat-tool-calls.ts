import { randomUUID } from 'node:crypto';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import { toolCallProviderData } from './chat-provider-data.js';
import type { ToolCallFragment } from './chat-stream-schemas.js';

interface CallState {
  /** Arrival position: the flush order when the host sends no `index`. */
  readonly order: number;
  readonly index: number | undefined;
  id?: string;
  name?: string;
  args: string;
  held: string[];
  extra?: Record<string, unknown>;
  started: boolean;
  done: boolean;
}

/**
 * Assembles tool calls from Chat Completions fragments (wire.md §6.1, §6.3, §7.4). A fragment
 * belongs to the call with its `index`; without an `index` (Gemini) to the call with its `id`;
 * without either, to the last call. A new `id` is a new call even on a known `index` (hosts that
 * number every call 0). A call starts once its name is known (an id is generated if the host sends
 * none). `flush()` ends every open call exactly once, in index order (arrival order for calls
 * without one), so a second finish chunk adds nothing (seeds-spec §C.1 item 25).
 *
 * @example
 * const calls = new ChatToolCalls(warn);
 * calls.fragment({ index: 0, id: 'call_1', function: { name: 'f', arguments: '' } }); // [tool_call_started]
 * calls.fragment({ index: 0, function: { arguments: '{}' } }); // [tool_call_arguments_delta]
 * calls.flush(); // [tool_call_done]
 */
export class ChatToolCalls {
  readonly #calls: CallState[] = [];
  readonly #byIndex = new Map<number, CallState>();
  readonly #byId = new Map<string, CallState>();
  #last: CallState | undefined;

  constructor(private readonly warn: (key: string, details: string) => void) {}

  /** How many calls the response has (so the finish reason is `tool_calls`). */
  get count(): number {
    return this.#calls.length;
  }

  fragment(fragment: ToolCallFragment): StreamEvent[] {
    const call = this.#find(fragment) ?? this.#open(fragment);
    if (call.done) {
      this.warn('late-fragment', 'skipped a tool-call fragment that arrived after finish_reason');
      return [];
    }
    if (fragment.id && !call.id) {
      call.id = fragment.id;
      this.#byId.set(fragment.id, call);
    }
    if (fragment.function?.name && !call.name) call.name = fragment.function.name;
    if (fragment.extra_content) call.extra = { ...call.extra, ...fragment.extra_content };
    this.#last = call;
    const out = this.#tryStart(call);
    const args = fragment.function?.arguments;
    if (args) {
      call.args += args;
      if (call.started) out.push(this.#delta(call, args));
      else call.held.push(args);
    }
    return out;
  }

  /** Ends every call still open (at finish_reason, or at the end of a stream that had none). */
  flush(): StreamEvent[] {
    const open = this.#calls.filter((call) => !call.done);
    open.sort(
      (a, b) =>
        (a.index ?? Number.POSITIVE_INFINITY) - (b.index ?? Number.POSITIVE_INFINITY) || a.order - b.order,
    );
    const out: StreamEvent[] = [];
    for (const call of open) {
      if (!call.name) {
        this.warn('no-name', 'a tool call ended without a name; kept as "unknown"');
        call.name = 'unknown';
      }
      out.push(...this.#tryStart(call));
      call.done = true;
      const extra = call.extra ? { provider_data: toolCallProviderData(call.extra) } : {};
      out.push(toolCallDone(call.id ?? '', call.name, call.args, extra));
    }
    return out;
  }

  #find(fragment: ToolCallFragment): CallState | undefined {
    if (typeof fragment.index === 'number') {
      const call = this.#byIndex.get(fragment.index);
      const newId = fragment.id && call?.id && fragment.id !== call.id;
      return newId ? undefined : call;
    }
    if (fragment.id) return this.#byId.get(fragment.id);
    return this.#last;
  }

  #open(fragment: ToolCallFragment): CallState {
    const index = typeof fragment.index === 'number' ? fragment.index : undefined;
    const call: CallState = {
      order: this.#calls.length,
      index,
      args: '',
      held: [],
      started: false,
      done: false,
    };
    this.#calls.push(call);
    if (index !== undefined) this.#byIndex.set(index, call);
    return call;
  }

  #tryStart(call: CallState): StreamEvent[] {
    if (call.started || !call.name) return [];
    if (!call.id) {
      this.warn('no-id', 'the host sent a tool call without an id; generated one');
      call.id = `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`;
      this.#byId.set(call.id, call);
    }
    call.started = true;
    const out: StreamEvent[] = [streamEvent('tool_call_started', { call_id: call.id, name: call.name })];
    for (const args of call.held) out.push(this.#delta(call, args));
    call.held = [];
    return out;
  }

  #delta(call: CallState, delta: string): StreamEvent {
    return streamEvent('tool_call_arguments_delta', { call_id: call.id ?? '', delta });
  }
}
