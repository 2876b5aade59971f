import type { StreamEvent } from './events.js';
import { assertNever } from './exhaustive.js';
import type { FinishReason } from './finish-reason.js';
import type { ProviderData } from './provider-data.js';
import type { QuotaSnapshot } from './quota.js';
import type { FunctionCallItem, ReasoningItem } from './request.js';
import type { CanonicalResponse, OutputItem, ResponseError } from './response.js';
import type { TokenUsage } from './usage.js';

/** Thrown when a stream breaks the v1 event order (a provider bug, never user input). */
export class StreamOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamOrderError';
  }
}

type Slot =
  | { kind: 'message'; text: string }
  | { kind: 'reasoning'; summary: string[]; text: string; done?: ReasoningItem }
  | { kind: 'call'; callId: string; name: string; args: string; done?: FunctionCallItem };

/**
 * Folds v1 stream events into a response, one event at a time: the one reducer behind non-streaming
 * responses, metering and the SDK's `finalResponse()` (DESIGN.md §1). Asserts event order.
 *
 * @example
 * const acc = new ResponseAccumulator();
 * for await (const event of stream) acc.push(event);
 * const response = acc.result();
 */
export class ResponseAccumulator {
  #id = '';
  #model = '';
  #createdAt = 0;
  #started = false;
  #completed = false;
  #slots: Slot[] = [];
  #calls = new Map<string, Extract<Slot, { kind: 'call' }>>();
  #openText: Extract<Slot, { kind: 'message' }> | undefined;
  #openReasoning: Extract<Slot, { kind: 'reasoning' }> | undefined;
  #usage: TokenUsage | null = null;
  #finish: FinishReason | undefined;
  #finishRaw: string | undefined;
  #error: ResponseError | null = null;
  #providerData: ProviderData | undefined;
  #quota: QuotaSnapshot | undefined;

  /** Usage seen so far (metering reads it even when the stream is cut short). */
  get usage(): TokenUsage | null {
    return this.#usage;
  }

  get started(): boolean {
    return this.#started;
  }

  get finished(): boolean {
    return this.#completed || this.#error !== null;
  }

  push(event: StreamEvent): void {
    if (this.#completed) throw new StreamOrderError(`got ${event.type} after response_completed`);
    if (!this.#started && event.type !== 'response_started' && event.type !== 'error') {
      throw new StreamOrderError(`got ${event.type} before response_started`);
    }
    switch (event.type) {
      case 'response_started':
        if (this.#started) throw new StreamOrderError('got a second response_started');
        this.#started = true;
        this.#id = event.response_id;
        this.#model = event.model;
        this.#createdAt = event.created_at ?? Math.floor(Date.now() / 1000);
        this.#quota = event.quota;
        return;
      case 'text_delta':
        this.#openReasoning = undefined;
        if (!this.#openText) {
          this.#openText = { kind: 'message', text: '' };
          this.#slots.push(this.#openText);
        }
        this.#openText.text += event.delta;
        return;
      case 'reasoning_delta': {
        this.#openText = undefined;
        if (!this.#openReasoning) {
          this.#openReasoning = { kind: 'reasoning', summary: [], text: '' };
          this.#slots.push(this.#openReasoning);
        }
        const slot = this.#openReasoning;
        if (event.kind === 'text') slot.text += event.delta;
        else {
          const index = event.summary_index ?? Math.max(0, slot.summary.length - 1);
          while (slot.summary.length <= index) slot.summary.push('');
          slot.summary[index] += event.delta;
        }
        return;
      }
      case 'reasoning_done':
        this.#openText = undefined;
        if (this.#openReasoning) this.#openReasoning.done = event.item;
        else this.#slots.push({ kind: 'reasoning', summary: [], text: '', done: event.item });
        this.#openReasoning = undefined;
        return;
      case 'tool_call_started': {
        this.#openText = undefined;
        this.#openReasoning = undefined;
        if (this.#calls.has(event.call_id))
          throw new StreamOrderError(`tool call ${event.call_id} started twice`);
        const slot: Extract<Slot, { kind: 'call' }> = {
          kind: 'call',
          callId: event.call_id,
          name: event.name,
          args: '',
        };
        this.#calls.set(event.call_id, slot);
        this.#slots.push(slot);
        return;
      }
      case 'tool_call_arguments_delta': {
        const slot = this.#calls.get(event.call_id);
        if (!slot)
          throw new StreamOrderError(`arguments for tool call ${event.call_id} before tool_call_started`);
        slot.args += event.delta;
        return;
      }
      case 'tool_call_done': {
        this.#openText = undefined;
        this.#openReasoning = undefined;
        let slot = this.#calls.get(event.call_id);
        if (!slot) {
          slot = { kind: 'call', callId: event.call_id, name: event.tool_call.name, args: '' };
          this.#calls.set(event.call_id, slot);
          this.#slots.push(slot);
        }
        slot.done = {
          type: 'function_call',
          call_id: event.call_id,
          name: event.tool_call.name,
          arguments: event.tool_call.arguments_json,
          ...(event.provider_data ? { provider_data: event.provider_data } : {}),
        };
        return;
      }
      case 'usage':
        this.#usage = event.usage;
        return;
      case 'response_completed':
        this.#completed = true;
        this.#finish = event.finish_reason;
        this.#finishRaw = event.finish_reason_raw;
        this.#providerData = event.provider_data;
        return;
      case 'error':
        this.#error = {
          code: event.code,
          message: event.error,
          status: event.status,
          retryable: event.retryable,
        };
        if (!this.#id && event.response_id) this.#id = event.response_id;
        return;
      default:
        assertNever(event, 'stream event');
    }
  }

  /** The response as accumulated so far; a stream that ended early yields a `failed` response. */
  result(): CanonicalResponse {
    const output: OutputItem[] = [];
    let text = '';
    for (const slot of this.#slots) {
      if (slot.kind === 'message') {
        text += slot.text;
        output.push({ type: 'message', role: 'assistant', content: [{ type: 'text', text: slot.text }] });
      } else if (slot.kind === 'reasoning') {
        output.push(slot.done ?? reasoningFromDeltas(slot.summary, slot.text));
      } else {
        output.push(
          slot.done ?? { type: 'function_call', call_id: slot.callId, name: slot.name, arguments: slot.args },
        );
      }
    }
    let error = this.#error;
    if (!this.#completed && !error) {
      error = {
        code: 'stream_error',
        message: 'the stream ended before response_completed',
        status: 502,
        retryable: false,
      };
    }
    const hasCalls = output.some((item) => item.type === 'function_call');
    let finish: FinishReason = error ? 'error' : (this.#finish ?? 'stop');
    if (finish === 'stop' && hasCalls) finish = 'tool_calls';
    const status = error
      ? 'failed'
      : finish === 'length' || finish === 'content_filter'
        ? 'incomplete'
        : 'completed';
    return {
      id: this.#id,
      model: this.#model,
      created_at: this.#createdAt,
      status,
      output,
      output_text: text,
      usage: this.#usage,
      finish_reason: finish,
      ...(this.#finishRaw === undefined ? {} : { finish_reason_raw: this.#finishRaw }),
      error,
      ...(this.#providerData ? { provider_data: this.#providerData } : {}),
      ...(this.#quota ? { quota: this.#quota } : {}),
    };
  }
}

function reasoningFromDeltas(summary: string[], text: string): ReasoningItem {
  return { type: 'reasoning', summary, ...(text ? { text } : {}) };
}

/**
 * Builds the non-streaming response from a complete event sequence.
 *
 * @example
 * const response = accumulate(events);
 * response.output_text;
 */
export function accumulate(events: Iterable<StreamEvent>): CanonicalResponse {
  const acc = new ResponseAccumulator();
  for (const event of events) acc.push(event);
  return acc.result();
}

/** Like `accumulate`, over an async stream. */
export async function accumulateStream(events: AsyncIterable<StreamEvent>): Promise<CanonicalResponse> {
  const acc = new ResponseAccumulator();
  for await (const event of events) acc.push(event);
  return acc.result();
}
