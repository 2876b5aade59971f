import type { StreamEvent } from '../../core/events.js';
import { streamEvent, toolCallDone } from '../../core/events.js';
import type { WarningSink } from '../../core/warnings.js';
import type { CodexNames } from './codex-names.js';
import { CUSTOM_TOOL_CALL } from './convert-codex-input.js';

/** What an item (added / done) tells about a call. */
export interface CallFields {
  readonly callId?: string | null;
  readonly name?: string | null;
  /** The complete argument text (`arguments`, or a custom call's `input`), when the item has it. */
  readonly text?: string | null;
  readonly custom?: boolean;
}

interface CallState {
  readonly key: string;
  callId?: string;
  name?: string;
  /** Argument text sent (or held) as deltas so far. */
  streamed: string;
  /** The authoritative complete text from `.done` / `output_item.done`. */
  final?: string;
  held: string[];
  started: boolean;
  done: boolean;
  custom: boolean;
}

/**
 * Tool calls in one Codex stream, keyed by output item id because argument deltas of parallel calls
 * interleave (wire.md §3 quirk 4). A call starts only once its call id and name are known (names
 * can arrive late, quirk 6; deltas are held until then); it ends with exactly one
 * `tool_call_done`, whose arguments come from the `.done` text when there is one, so arguments
 * repeated by `.done` after deltas are never doubled (quirk 5), and a `.done` without deltas
 * still streams its text once.
 *
 * @example
 * const calls = new CodexToolCalls(names, warn);
 * calls.added('fc_1', { callId: 'call_1', name: 'shell' }); // [tool_call_started]
 * calls.delta('fc_1', '{}'); // [tool_call_arguments_delta]
 * calls.done('fc_1', { text: '{}' }); // [tool_call_done]
 */
export class CodexToolCalls {
  readonly #calls = new Map<string, CallState>();
  #finished = 0;

  constructor(
    private readonly names: CodexNames,
    private readonly warn: WarningSink,
  ) {}

  /** How many calls have ended (so the finish reason is `tool_calls`). */
  get count(): number {
    return this.#finished;
  }

  has(key: string): boolean {
    return this.#calls.has(key);
  }

  added(key: string, fields: CallFields): StreamEvent[] {
    const call = this.#learn(key, fields);
    return this.#tryStart(call);
  }

  delta(key: string, delta: string): StreamEvent[] {
    const call = this.#state(key);
    if (call.done || delta === '') return [];
    call.streamed += delta;
    if (!call.started) {
      call.held.push(delta);
      return [];
    }
    return [this.#deltaEvent(call, delta)];
  }

  /** `function_call_arguments.done` / `custom_tool_call_input.done`, or `output_item.done`. */
  done(key: string, fields: CallFields): StreamEvent[] {
    const call = this.#learn(key, fields);
    if (call.done) return [];
    const out: StreamEvent[] = [];
    if (typeof fields.text === 'string') {
      call.final = fields.text;
      // Arguments sent only on `.done` (no deltas): stream them once.
      if (call.streamed === '' && fields.text !== '') out.push(...this.delta(key, fields.text));
    }
    out.push(...this.#tryStart(call));
    if (call.started) out.push(this.#end(call));
    return out;
  }

  /** At the terminal event: ends every call still open, so none is lost. */
  flush(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const call of this.#calls.values()) {
      if (call.done) continue;
      if (!call.callId || !call.name) {
        this.warn({
          feature: 'upstream.tool_call',
          details: `codex: tool call ${call.key} ended without a ${call.callId ? 'name' : 'call id'}; kept with a placeholder`,
        });
        call.callId ??= call.key;
        call.name ??= 'unknown';
      }
      out.push(...this.#tryStart(call), this.#end(call));
    }
    return out;
  }

  #state(key: string): CallState {
    let call = this.#calls.get(key);
    if (!call) {
      call = { key, streamed: '', held: [], started: false, done: false, custom: false };
      this.#calls.set(key, call);
    }
    return call;
  }

  #learn(key: string, fields: CallFields): CallState {
    const call = this.#state(key);
    if (fields.callId) call.callId = fields.callId;
    if (fields.name) call.name = fields.name;
    if (fields.custom) call.custom = true;
    return call;
  }

  #tryStart(call: CallState): StreamEvent[] {
    if (call.started || !call.callId || !call.name) return [];
    call.started = true;
    const out: StreamEvent[] = [
      streamEvent('tool_call_started', {
        call_id: this.names.original(call.callId),
        name: this.names.original(call.name),
      }),
    ];
    for (const delta of call.held) out.push(this.#deltaEvent(call, delta));
    call.held = [];
    return out;
  }

  #deltaEvent(call: CallState, delta: string): StreamEvent {
    return streamEvent('tool_call_arguments_delta', {
      call_id: this.names.original(call.callId ?? call.key),
      delta,
    });
  }

  #end(call: CallState): StreamEvent {
    call.done = true;
    this.#finished += 1;
    const callId = this.names.original(call.callId ?? call.key);
    const name = this.names.original(call.name ?? 'unknown');
    const extra = call.custom ? { provider_data: { codex: { item_type: CUSTOM_TOOL_CALL } } } : {};
    return toolCallDone(callId, name, call.final ?? call.streamed, extra);
  }
}
