import type { NodexError } from '../../core/errors.js';
import type { ReasoningDeltaEvent, StreamEvent, ToolCallDoneEvent } from '../../core/events.js';
import { assertNever } from '../../core/exhaustive.js';
import type { TokenUsage } from '../../core/usage.js';
import { formatSse, SSE_DONE } from '../../sse/write-sse.js';
import type { EncodeContext, StreamEncoder } from '../client-protocol.js';
import { openaiErrorBody } from '../openai-error.js';
import {
  chatCompletionId,
  chatFinishReason,
  encodeChatUsage,
  extraContentOf,
  reasoningText,
} from './encode-response.js';

interface CallSlot {
  /** Chat `index`: stable per call, in start order (wire.md §7 item 4). */
  readonly index: number;
  readonly id: string;
  readonly name: string;
  /** Argument text already sent. */
  sent: string;
  /** Not sent yet: the call waits (with at most one argument delta) for its `tool_call_done`. */
  held: boolean;
  heldArgs: string;
  heldDeltas: number;
}

/** The `{"error":{…}}` chunk OpenAI-compatible servers send mid-stream (wire.md §6.1 error body). */
export function chatErrorChunk(message: string, code: string, param?: string): string {
  return formatSse(openaiErrorBody(message, code, param));
}

/**
 * Canonical v1 events → `chat.completion.chunk` SSE frames (wire.md §6.1), shaped like the
 * captures in src/testing/fixtures/chat-completions-*.sse:
 * - `response_started` → the role chunk `{role:'assistant', content:'', refusal:null}`;
 * - text → `{content}`; reasoning → `{reasoning_content}` (the de-facto field of DeepSeek and
 *   vLLM that most Chat clients read), summary parts and items separated by a blank line (§7 item 5);
 * - each tool call gets the next `index` at its start; its first fragment has `id`, `type`,
 *   `function.name`, then argument fragments follow. A call is held back until its second
 *   argument delta or its `tool_call_done`, so a call that arrives whole (Gemini, §6.3) goes out as
 *   ONE fragment with its `extra_content` (thought signature); a signature that comes after the
 *   call was sent rides on one more fragment `{index, function:{arguments:''}, extra_content}`;
 * - `response_completed` → the finish chunk `delta:{}`, then (with `includeUsage`) the usage chunk
 *   with `choices: []`; `end()` → `data: [DONE]`;
 * - an `error` event or `error()` → a `{"error":{…}}` chunk, then `[DONE]`.
 *
 * @example
 * const encoder = new ChatStreamEncoder({ request, requestedModel: 'gpt-5', requestId: 'req_1' });
 * for await (const event of events) socket.write(encoder.event(event));
 * socket.write(encoder.end());
 */
export class ChatStreamEncoder implements StreamEncoder {
  readonly #context: EncodeContext;
  readonly #includeUsage: boolean;
  readonly #calls = new Map<string, CallSlot>();
  #id = '';
  #created = 0;
  #started = false;
  #closed = false;
  #usage: TokenUsage | undefined;
  #reasoningSent = false;
  #reasoningBreak = false;
  #itemDeltas = false;
  #summaryIndex: number | undefined;
  /** `data: {"id":…,"choices":[{"index":0,"delta":` of this stream's chunks ('' until built). */
  #prefix = '';
  /** What follows `finish_reason` in every chunk: `}]}`, or `}],"usage":null}`. */
  readonly #suffix: string;

  constructor(context: EncodeContext) {
    this.#context = context;
    this.#includeUsage = context.extras?.includeUsage === true;
    // OpenAI sends `usage: null` on every other chunk when include_usage is on.
    this.#suffix = this.#includeUsage ? '}],"usage":null}\n\n' : '}]}\n\n';
  }

  event(event: StreamEvent): string {
    if (this.#closed) return '';
    if (event.type === 'error') return this.#fail(chatErrorChunk(event.error, event.code));
    let out = event.type === 'response_started' ? '' : this.#start();
    switch (event.type) {
      case 'response_started':
        return this.#start(event.response_id, event.created_at);
      case 'text_delta':
        return event.delta === '' ? out : out + this.#releaseAll() + this.#chunk({ content: event.delta });
      case 'reasoning_delta':
        return out + this.#reasoningDelta(event);
      case 'reasoning_done': {
        if (!this.#itemDeltas) out += this.#reasoning(reasoningText(event.item));
        this.#reasoningBreak = this.#reasoningSent;
        this.#itemDeltas = false;
        this.#summaryIndex = undefined;
        return out;
      }
      case 'tool_call_started':
        this.#open(event.call_id, event.name);
        return out;
      case 'tool_call_arguments_delta':
        return out + this.#arguments(event.call_id, event.delta);
      case 'tool_call_done':
        return out + this.#done(event);
      case 'usage':
        this.#usage = event.usage;
        return out;
      case 'response_completed': {
        out += this.#releaseAll();
        out += this.#chunk({}, chatFinishReason(event.finish_reason, this.#calls.size > 0));
        if (this.#includeUsage && this.#usage) {
          out += formatSse({ ...this.#head(), choices: [], usage: encodeChatUsage(this.#usage) });
        }
        return out;
      }
      default:
        return assertNever(event, 'stream event');
    }
  }

  end(): string {
    if (this.#closed) return '';
    this.#closed = true;
    return SSE_DONE;
  }

  error(error: NodexError): string {
    if (this.#closed) return '';
    return this.#fail(chatErrorChunk(error.message, error.code, error.param));
  }

  #fail(frame: string): string {
    this.#closed = true;
    return frame + SSE_DONE;
  }

  #start(responseId?: string, createdAt?: number): string {
    if (this.#started) return '';
    this.#started = true;
    this.#id = chatCompletionId(responseId ?? '', this.#context.requestId);
    this.#created = createdAt ?? Math.floor(Date.now() / 1000);
    this.#prefix = '';
    return this.#chunk({ role: 'assistant', content: '', refusal: null });
  }

  #head() {
    return {
      id: this.#id,
      object: 'chat.completion.chunk',
      created: this.#created,
      model: this.#context.requestedModel,
      system_fingerprint: null,
    };
  }

  /**
   * One chunk frame: `{...head, choices: [{index: 0, delta, logprobs: null, finish_reason}]}` (plus
   * `usage: null`), byte for byte what `formatSse` of that object gives, with the constant head
   * serialised once per stream.
   */
  #chunk(delta: Readonly<Record<string, unknown>>, finish: string | null = null): string {
    if (this.#prefix === '') {
      const head = JSON.stringify(this.#head());
      this.#prefix = `data: ${head.slice(0, -1)},"choices":[{"index":0,"delta":`;
    }
    const end = finish === null ? 'null' : JSON.stringify(finish);
    return `${this.#prefix}${JSON.stringify(delta)},"logprobs":null,"finish_reason":${end}${this.#suffix}`;
  }

  #reasoningDelta(event: ReasoningDeltaEvent): string {
    if (event.delta === '') return '';
    const index = event.kind === 'summary' ? event.summary_index : undefined;
    const newPart = index !== undefined && this.#summaryIndex !== undefined && index !== this.#summaryIndex;
    if (newPart) this.#reasoningBreak = true;
    if (index !== undefined) this.#summaryIndex = index;
    this.#itemDeltas = true;
    return this.#reasoning(event.delta);
  }

  #reasoning(text: string): string {
    if (text === '') return '';
    const out =
      this.#releaseAll() + this.#chunk({ reasoning_content: this.#reasoningBreak ? `\n\n${text}` : text });
    this.#reasoningBreak = false;
    this.#reasoningSent = true;
    return out;
  }

  #open(callId: string, name: string): CallSlot {
    const slot: CallSlot = {
      index: this.#calls.size,
      id: callId,
      name,
      sent: '',
      held: true,
      heldArgs: '',
      heldDeltas: 0,
    };
    this.#calls.set(callId, slot);
    return slot;
  }

  #arguments(callId: string, delta: string): string {
    const slot = this.#calls.get(callId);
    if (!slot || delta === '') return '';
    if (slot.held && slot.heldDeltas === 0) {
      slot.heldArgs = delta;
      slot.heldDeltas = 1;
      return '';
    }
    const out = this.#release(slot);
    slot.sent += delta;
    return out + this.#fragment({ index: slot.index, function: { arguments: delta } });
  }

  #done(event: ToolCallDoneEvent): string {
    const slot = this.#calls.get(event.call_id) ?? this.#open(event.call_id, event.tool_call.name);
    const extra = extraContentOf(event.provider_data);
    const final = event.tool_call.arguments_json;
    if (slot.held) {
      // Arguments only in the done event (wire.md §7 item 10) are sent too.
      slot.heldArgs = final;
      return this.#release(slot, extra);
    }
    const rest = final.startsWith(slot.sent) ? final.slice(slot.sent.length) : '';
    if (rest === '' && !extra) return '';
    slot.sent += rest;
    return this.#fragment({
      index: slot.index,
      function: { arguments: rest },
      ...(extra ? { extra_content: extra } : {}),
    });
  }

  #release(slot: CallSlot, extra?: Readonly<Record<string, unknown>>): string {
    if (!slot.held) return '';
    slot.held = false;
    slot.sent = slot.heldArgs;
    return this.#fragment({
      index: slot.index,
      id: slot.id,
      type: 'function',
      function: { name: slot.name, arguments: slot.heldArgs },
      ...(extra ? { extra_content: extra } : {}),
    });
  }

  #releaseAll(): string {
    let out = '';
    for (const slot of this.#calls.values()) out += this.#release(slot);
    return out;
  }

  #fragment(fragment: Readonly<Record<string, unknown>>): string {
    return this.#chunk({ tool_calls: [fragment] });
  }
}
