import { ResponseAccumulator } from '../../core/accumulate.js';
import { errorEvent, errorFromEvent, NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { assertNever } from '../../core/exhaustive.js';
import type { OutputItem } from '../../core/response.js';
import { formatSse, formatSseJson } from '../../sse/write-sse.js';
import type { EncodeContext, StreamEncoder } from '../client-protocol.js';
import { encodeResponsesFailure } from './encode-error.js';
import {
  encodeOutputItem,
  encodeResponsesBody,
  type ResponsesOutputItem,
  type ResponsesResponse,
  responsesResponseId,
} from './encode-response.js';
import { ReasoningWire } from './encode-stream-reasoning.js';

interface MessageState {
  readonly kind: 'message';
  readonly index: number;
  readonly id: string;
  /** `"item_id":…,"output_index":…,"content_index":0,"delta":` of its text delta frames. */
  readonly deltaHead: string;
}

const TEXT_DELTA = 'response.output_text.delta';

interface ReasoningState {
  readonly kind: 'reasoning';
  readonly index: number;
  readonly id: string;
  readonly wire: ReasoningWire;
}

interface CallState {
  readonly kind: 'call';
  readonly index: number;
  readonly id: string;
  args: string;
  done: boolean;
}

type ItemState = MessageState | ReasoningState | CallState;
type Frames = string[];

const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });

/**
 * Canonical v1 events → an OpenAI Responses SSE stream (wire.md §3.2, §6.2): `response.created`,
 * `response.in_progress`, then per output item `output_item.added` → its part and delta events →
 * `output_item.done` (the item Codex CLI treats as authoritative, wire.md §3.1), and one terminal
 * event: `response.completed`, `response.incomplete` or `response.failed`. Every event has a
 * `sequence_number` from 0.
 *
 * Output indexes and item ids follow the one reducer (ResponseAccumulator) and `encodeOutputItem`,
 * so the terminal event's `response` is `encodeResponsesBody` of the same events. One exception:
 * a reasoning item streamed before the upstream named it (Codex sends its `rs_` id only with the
 * done item) keeps the id announced in `output_item.added`, because clients key items by id.
 * Items close when the next item starts or at the end; tool calls stay open until their done event,
 * so parallel calls may interleave (keyed by `item_id`, wire.md §3 quirk 4).
 *
 * @example
 * const encoder = createResponsesStreamEncoder(context);
 * for await (const event of stream) socket.write(encoder.event(event));
 * socket.write(encoder.end());
 */
export class ResponsesStreamEncoder implements StreamEncoder {
  readonly #context: EncodeContext;
  readonly #acc = new ResponseAccumulator();
  readonly #ids: string[] = [];
  readonly #calls = new Map<string, CallState>();
  readonly #open = new Set<number>();
  #sequence = 0;
  #responseId = '';
  #started = false;
  #finished = false;
  #text: MessageState | undefined;
  #reasoning: ReasoningState | undefined;

  constructor(context: EncodeContext) {
    this.#context = context;
  }

  event(event: StreamEvent): string {
    if (this.#finished) return '';
    // The reducer asserts the event order first (a StreamOrderError leaves this encoder untouched).
    this.#acc.push(event);
    const out: Frames = [];
    if (!this.#started) this.#start(out);
    switch (event.type) {
      case 'response_started':
      case 'usage':
        break;
      case 'text_delta': {
        this.#closeReasoning(out);
        const message = this.#text ?? this.#openMessage(out);
        if (event.delta !== '') {
          // The hot path: what #frame gives for {...at, content_index: 0, delta, logprobs: []}.
          const json = `{"type":"${TEXT_DELTA}","sequence_number":${this.#sequence++},${message.deltaHead}${JSON.stringify(event.delta)},"logprobs":[]}`;
          out.push(formatSseJson(json, TEXT_DELTA));
        }
        break;
      }
      case 'reasoning_delta':
        this.#closeText(out);
        out.push(...(this.#reasoning ?? this.#openReasoning(out)).wire.delta(event));
        break;
      case 'reasoning_done':
        this.#closeText(out);
        if (!this.#reasoning) this.#openReasoning(out, event.item);
        this.#closeReasoning(out);
        break;
      case 'tool_call_started':
        this.#closeText(out);
        this.#closeReasoning(out);
        this.#openCall(out, event.call_id, event.name);
        break;
      case 'tool_call_arguments_delta': {
        const call = this.#calls.get(event.call_id);
        if (!call || call.done || event.delta === '') break;
        call.args += event.delta;
        out.push(
          this.#frame('response.function_call_arguments.delta', { ...this.#at(call), delta: event.delta }),
        );
        break;
      }
      case 'tool_call_done': {
        this.#closeText(out);
        this.#closeReasoning(out);
        const call =
          this.#calls.get(event.call_id) ?? this.#openCall(out, event.call_id, event.tool_call.name);
        this.#closeCall(out, call);
        break;
      }
      case 'response_completed':
        this.#complete(out);
        break;
      case 'error':
        this.#fail(out, errorFromEvent(event));
        break;
      default:
        assertNever(event, 'stream event');
    }
    return out.join('');
  }

  /**
   * Nothing after a terminal event: a Responses stream ends with it (no `[DONE]`). A stream that
   * ended without one gets `response.failed` (stream_error), so no client waits for a completion.
   */
  end(): string {
    if (this.#finished) return '';
    return this.error(new NodexError('stream_error', 'the stream ended before response_completed'));
  }

  /** `response.failed` (after `response.created` if nothing was sent yet); open items stay open. */
  error(error: NodexError): string {
    if (this.#finished) return '';
    this.#acc.push(errorEvent(error));
    const out: Frames = [];
    if (!this.#started) this.#start(out);
    this.#fail(out, error);
    return out.join('');
  }

  readonly #frame = (type: string, payload: Record<string, unknown>): string =>
    formatSse({ type, sequence_number: this.#sequence++, ...payload }, type);

  #at(item: ItemState): { item_id: string; output_index: number } {
    return { item_id: item.id, output_index: item.index };
  }

  #start(out: Frames): void {
    this.#started = true;
    const snapshot = this.#acc.result();
    this.#responseId = responsesResponseId(snapshot, this.#context.requestId);
    const body = encodeResponsesBody(
      { ...snapshot, status: 'completed', output: [], output_text: '', usage: null, error: null },
      this.#context,
    );
    const response = JSON.stringify({ ...body, status: 'in_progress', incomplete_details: null });
    // The same snapshot twice: serialised once (what #frame gives for `{ response }`).
    for (const type of ['response.created', 'response.in_progress']) {
      const json = `{"type":"${type}","sequence_number":${this.#sequence++},"response":${response}}`;
      out.push(formatSseJson(json, type));
    }
  }

  /** Announces the next output item with the id `encodeOutputItem` gives it at this index. */
  #announce(out: Frames, item: OutputItem, wire: Record<string, unknown>): { index: number; id: string } {
    const index = this.#ids.length;
    const id = String(encodeOutputItem(item, this.#responseId, index).id);
    this.#ids.push(id);
    this.#open.add(index);
    out.push(this.#frame('response.output_item.added', { output_index: index, item: { id, ...wire } }));
    return { index, id };
  }

  /** The item as the final response renders it, under the id the stream announced. */
  #finalItem(index: number): ResponsesOutputItem {
    const item = this.#acc.result().output[index];
    if (!item) throw new Error(`responses encoder: no output item at index ${index}`);
    const encoded = encodeOutputItem(item, this.#responseId, index);
    const id = this.#ids[index];
    return id === undefined || encoded.id === id ? encoded : { ...encoded, id };
  }

  #itemDone(out: Frames, index: number, item: ResponsesOutputItem): void {
    this.#open.delete(index);
    out.push(this.#frame('response.output_item.done', { output_index: index, item }));
  }

  #openMessage(out: Frames): MessageState {
    const empty: OutputItem = { type: 'message', role: 'assistant', content: [] };
    const wire = { type: 'message', status: 'in_progress', role: 'assistant', content: [] };
    const { index, id } = this.#announce(out, empty, wire);
    const deltaHead = `"item_id":${JSON.stringify(id)},"output_index":${index},"content_index":0,"delta":`;
    const message: MessageState = { kind: 'message', index, id, deltaHead };
    out.push(
      this.#frame('response.content_part.added', {
        ...this.#at(message),
        content_index: 0,
        part: textPart(''),
      }),
    );
    this.#text = message;
    return message;
  }

  #closeText(out: Frames): void {
    const message = this.#text;
    if (!message) return;
    this.#text = undefined;
    const item = this.#finalItem(message.index);
    const parts = (item.content ?? []) as readonly { text?: string }[];
    const text = parts[0]?.text ?? '';
    const at = { ...this.#at(message), content_index: 0 };
    out.push(
      this.#frame('response.output_text.done', { ...at, text, logprobs: [] }),
      this.#frame('response.content_part.done', { ...at, part: textPart(text) }),
    );
    this.#itemDone(out, message.index, item);
  }

  #openReasoning(out: Frames, item?: OutputItem): ReasoningState {
    const empty: OutputItem = { type: 'reasoning', summary: [] };
    const { index, id } = this.#announce(out, item ?? empty, { type: 'reasoning', summary: [] });
    const reasoning: ReasoningState = {
      kind: 'reasoning',
      index,
      id,
      wire: new ReasoningWire(id, index, this.#frame),
    };
    this.#reasoning = reasoning;
    return reasoning;
  }

  #closeReasoning(out: Frames): void {
    const reasoning = this.#reasoning;
    if (!reasoning) return;
    this.#reasoning = undefined;
    const item = this.#finalItem(reasoning.index);
    out.push(...reasoning.wire.close(item));
    this.#itemDone(out, reasoning.index, item);
  }

  #openCall(out: Frames, callId: string, name: string): CallState {
    const item: OutputItem = { type: 'function_call', call_id: callId, name, arguments: '' };
    const wire = { type: 'function_call', status: 'in_progress', call_id: callId, name, arguments: '' };
    const call: CallState = { kind: 'call', ...this.#announce(out, item, wire), args: '', done: false };
    this.#calls.set(callId, call);
    return call;
  }

  #closeCall(out: Frames, call: CallState): void {
    if (call.done) return;
    call.done = true;
    const item = this.#finalItem(call.index);
    const args = String(item.arguments ?? '');
    // Arguments that came only with the done event are still streamed once (wire.md §3 quirk 5).
    if (call.args === '' && args !== '') {
      out.push(this.#frame('response.function_call_arguments.delta', { ...this.#at(call), delta: args }));
    }
    out.push(
      this.#frame('response.function_call_arguments.done', {
        ...this.#at(call),
        name: item.name,
        arguments: args,
      }),
    );
    this.#itemDone(out, call.index, item);
  }

  /** `response_completed`: closes every open item in output order, then the terminal event. */
  #complete(out: Frames): void {
    const open: ItemState[] = [...this.#calls.values()].filter((call) => !call.done);
    if (this.#text) open.push(this.#text);
    if (this.#reasoning) open.push(this.#reasoning);
    for (const item of open.sort((a, b) => a.index - b.index)) {
      if (item.kind === 'message') this.#closeText(out);
      else if (item.kind === 'reasoning') this.#closeReasoning(out);
      else this.#closeCall(out, item);
    }
    const response = this.#finalResponse();
    const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    out.push(this.#frame(type, { response }));
    this.#finished = true;
  }

  /**
   * `response.failed` with `response.error {code, message}` worded for Codex CLI (encode-error.ts).
   * Open items get no `output_item.done`: Codex would act on a half-streamed tool call.
   */
  #fail(out: Frames, error: NodexError): void {
    const body = this.#finalResponse();
    const output = body.output.map((item, index) =>
      this.#open.has(index) && 'status' in item ? { ...item, status: 'incomplete' } : item,
    );
    const response = { ...body, output, error: encodeResponsesFailure(error) };
    out.push(this.#frame('response.failed', { response }));
    this.#finished = true;
  }

  #finalResponse(): ResponsesResponse {
    const body = encodeResponsesBody(this.#acc.result(), this.#context);
    const output = body.output.map((item, index) => {
      const id = this.#ids[index];
      return id === undefined || item.id === id ? item : { ...item, id };
    });
    return { ...body, output };
  }
}

/**
 * Creates the Responses stream encoder for one response.
 *
 * @example
 * const encoder = createResponsesStreamEncoder({ request, requestedModel: 'gpt-5.5', requestId: 'req_1' });
 */
export function createResponsesStreamEncoder(context: EncodeContext): StreamEncoder {
  return new ResponsesStreamEncoder(context);
}
