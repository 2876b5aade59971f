import type { NodexError } from '../../core/errors.js';
import type { ReasoningDeltaEvent, StreamEvent } from '../../core/events.js';
import { assertNever } from '../../core/exhaustive.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { TokenUsage } from '../../core/usage.js';
import type { EncodeContext, StreamEncoder } from '../client-protocol.js';
import { anthropicMessageId } from './anthropic-ids.js';
import { anthropicErrorBody } from './encode-error.js';
import { anthropicStopReason, anthropicUsage, thinkingText } from './encode-response.js';
import {
  closeSegment,
  flushSegment,
  frame,
  openSegment,
  type ReasoningSegment,
  reasoningSegment,
  type Segment,
  segmentReady,
  type TextSegment,
  type ToolSegment,
  textSegment,
  toolSegment,
} from './stream-segments.js';

function addReasoning(seg: ReasoningSegment, event: ReasoningDeltaEvent): void {
  if (event.kind === 'text') seg.text += event.delta;
  else {
    // Summary parts as accumulate() keeps them; a new part starts a blank line apart.
    const index = event.summary_index ?? Math.max(0, seg.summary.length - 1);
    if (index >= seg.summary.length && seg.summary.length > 0) seg.display += '\n\n';
    while (seg.summary.length <= index) seg.summary.push('');
    seg.summary[index] += event.delta;
  }
  seg.display += event.delta;
}

/**
 * Canonical v1 events → Messages SSE (wire.md §5), for `POST /v1/messages` with `stream: true`:
 * `message_start` (sent with the first content, carrying the usage known by then: an Anthropic
 * upstream's input tokens, zero for upstreams that report usage at the end), then one content block per text
 * run (streamed live), per reasoning item (thinking streamed live, closed by one `signature_delta`;
 * or redacted_thinking) and per tool call (tool_use + its complete arguments as one
 * `input_json_delta`), then `message_delta` (stop reason, usage) and, from `end()`, `message_stop`.
 *
 * Strictly one open block, indexes 0, 1, 2…, each started block stopped (wire.md §5.1; Claude Code
 * rejects anything else). Interleaved parallel calls (Codex, Gemini) come out one after the other in
 * the order they started (wire.md §7.4); a tool_use block is written when its call is done, because
 * its id carries provider data that only `tool_call_done` brings (Gemini's thought signature) and
 * Claude Code runs tools after the message anyway; its arguments are never lost (§7.10). Whatever
 * arrives while a tool call is pending waits in order behind it. Block boundaries follow
 * `accumulate()`, so the SDK's `finalMessage()` equals `encodeAnthropicResponse`.
 *
 * @example
 * const encoder = new AnthropicStreamEncoder(context);
 * for await (const event of stream) socket.write(encoder.event(event));
 * socket.write(encoder.end());
 */
export class AnthropicStreamEncoder implements StreamEncoder {
  readonly #context: EncodeContext;
  readonly #queue: Segment[] = [];
  readonly #tools = new Map<string, ToolSegment>();
  #openText: TextSegment | undefined;
  #openReasoning: ReasoningSegment | undefined;
  #index = 0;
  #usage: TokenUsage | null = null;
  #responseId = '';
  #started = false;
  #finished = false;
  #closed = false;

  constructor(context: EncodeContext) {
    this.#context = context;
  }

  event(event: StreamEvent): string {
    if (this.#closed || this.#finished) return '';
    if (event.type === 'error') return this.#error(event.code, event.error);
    // message_start waits for the first content, so it can carry the usage known by then (the
    // input tokens an Anthropic upstream reports at its own message_start; Claude Code reads them).
    if (event.type === 'response_started') {
      this.#responseId = event.response_id;
      return '';
    }
    if (event.type === 'usage') {
      this.#usage = event.usage;
      return '';
    }
    const out = this.#start(this.#responseId);
    switch (event.type) {
      case 'response_completed':
        return out + this.#finish(event.finish_reason, event.finish_reason_raw);
      case 'text_delta':
        this.#closeReasoning();
        this.#openText ??= this.#push(textSegment());
        this.#openText.text += event.delta;
        break;
      case 'reasoning_delta':
        this.#closeText();
        this.#openReasoning ??= this.#push(reasoningSegment());
        addReasoning(this.#openReasoning, event);
        break;
      case 'reasoning_done': {
        this.#closeText();
        const seg = this.#openReasoning ?? this.#push(reasoningSegment());
        this.#openReasoning = undefined;
        seg.item = event.item;
        if (seg.display === '') seg.display = thinkingText(event.item);
        seg.done = true;
        break;
      }
      case 'tool_call_started':
        this.#closeText();
        this.#closeReasoning();
        if (!this.#tools.has(event.call_id)) this.#tool(event.call_id, event.name);
        break;
      case 'tool_call_arguments_delta': {
        const seg = this.#tools.get(event.call_id);
        if (seg && !seg.done) seg.args += event.delta;
        break;
      }
      case 'tool_call_done': {
        this.#closeText();
        this.#closeReasoning();
        const seg = this.#tools.get(event.call_id) ?? this.#tool(event.call_id, event.tool_call.name);
        // The done event's text is authoritative (some backends send arguments only there: §7.10).
        if (event.tool_call.arguments_json !== '') seg.args = event.tool_call.arguments_json;
        if (event.provider_data) seg.providerData = event.provider_data;
        seg.done = true;
        break;
      }
      default:
        assertNever(event, 'stream event');
    }
    return out + this.#pump();
  }

  end(): string {
    if (this.#closed) return '';
    const out = this.#finished ? '' : this.#start(this.#responseId) + this.#finish('stop');
    this.#closed = true;
    return `${out}${frame({ type: 'message_stop' })}`;
  }

  error(error: NodexError): string {
    return this.#closed ? '' : this.#error(error.code, error.message);
  }

  /** `event: error` ends the stream where it is, open block and all, as Anthropic does (wire.md §5.1). */
  #error(code: string, message: string): string {
    this.#closed = true;
    return frame(anthropicErrorBody(code, message, this.#context.requestId));
  }

  #start(responseId: string): string {
    if (this.#started) return '';
    this.#started = true;
    const message = {
      id: anthropicMessageId(responseId, this.#context.requestId),
      type: 'message',
      role: 'assistant',
      model: this.#context.requestedModel,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: anthropicUsage(this.#usage),
    };
    return frame({ type: 'message_start', message });
  }

  /** Closes every block (a call cut off keeps the arguments it has), then `message_delta` (§7.10). */
  #finish(finish: FinishReason, raw?: string): string {
    this.#closeText();
    this.#closeReasoning();
    for (const seg of this.#tools.values()) seg.done = true;
    const out = this.#pump();
    this.#finished = true;
    const stopReason = anthropicStopReason(finish, raw, this.#tools.size > 0);
    return `${out}${frame({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: anthropicUsage(this.#usage),
    })}`;
  }

  #push<T extends Segment>(seg: T): T {
    this.#queue.push(seg);
    return seg;
  }

  #tool(callId: string, name: string): ToolSegment {
    const seg = this.#push(toolSegment(callId, name));
    this.#tools.set(callId, seg);
    return seg;
  }

  #closeText(): void {
    if (this.#openText) this.#openText.done = true;
    this.#openText = undefined;
  }

  #closeReasoning(): void {
    if (this.#openReasoning) this.#openReasoning.done = true;
    this.#openReasoning = undefined;
  }

  /** Writes what the head block has, closes it when done, and moves on to the next. */
  #pump(): string {
    let out = '';
    for (let seg = this.#queue[0]; seg; seg = this.#queue[0]) {
      if (!seg.opened) {
        if (seg.kind === 'text' && seg.text === '' && seg.done) {
          this.#queue.shift(); // an empty text run: no block at all
          continue;
        }
        if (!segmentReady(seg)) break;
        out += openSegment(seg, this.#index);
      }
      out += flushSegment(seg, this.#index);
      if (!seg.done) break;
      out += closeSegment(seg, this.#index++);
      this.#queue.shift();
    }
    return out;
  }
}
