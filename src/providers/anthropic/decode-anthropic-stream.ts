import type { z } from 'zod';
import { errorEvent, NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { QuotaSnapshot } from '../../core/quota.js';
import { makeUsage, type TokenUsage } from '../../core/usage.js';
import type { WarningSink } from '../../core/warnings.js';
import { isObject, type JsonObject, nullishString } from '../http/json-shape.js';
import { closeBlock, type OpenBlock, openToolBlock } from './anthropic-blocks.js';
import { anthropicStreamError } from './anthropic-errors.js';
import {
  type AnthropicUsage,
  BlockDeltaSchema,
  BlockStartSchema,
  BlockStopSchema,
  ErrorEnvelopeSchema,
  MessageDeltaSchema,
  MessageStartSchema,
} from './anthropic-stream-schemas.js';
import { AnthropicToolIds, AnthropicToolNames } from './anthropic-tool-ids.js';

type BlockStart = z.output<typeof BlockStartSchema>;
type BlockDelta = z.output<typeof BlockDeltaSchema>;
/** What `BlockDeltaSchema` accepts, without zod (the hot path: one per text or argument delta). */
export function blockDelta(data: JsonObject): BlockDelta | undefined {
  const delta = data.delta;
  return Number.isSafeInteger(data.index) &&
    isObject(delta) &&
    typeof delta.type === 'string' &&
    nullishString(delta.text) &&
    nullishString(delta.thinking) &&
    nullishString(delta.signature) &&
    nullishString(delta.partial_json)
    ? (data as BlockDelta)
    : undefined;
}

type UsageKey = 'input_tokens' | 'output_tokens' | 'cache_creation_input_tokens' | 'cache_read_input_tokens';

export interface AnthropicDecoderOptions {
  readonly provider?: string;
  /** The requested model, used when `message_start` names none. */
  readonly model?: string;
  /** From the response headers (`anthropic-ratelimit-unified-*`), attached to `response_started`. */
  readonly quota?: QuotaSnapshot;
  /** Call ids and tool names renamed in the request, mapped back here. */
  readonly ids?: AnthropicToolIds;
  readonly names?: AnthropicToolNames;
  readonly onWarning?: WarningSink;
}

/**
 * Anthropic stop reasons → the unified finish reason (wire.md §5.1); the raw word is kept beside it.
 *
 * @example
 * anthropicFinishReason('max_tokens'); // 'length'
 */
export function anthropicFinishReason(stopReason: string): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default: // end_turn, stop_sequence, pause_turn
      return 'stop';
  }
}

/**
 * Decodes Messages SSE payloads (wire.md §5) into v1 stream events, one payload at a time: text,
 * thinking (+ signature) and redacted thinking, tool_use with `input_json_delta` (the empty first
 * piece skipped), cumulative usage (input = input + cache reads + cache writes), stop reasons, the
 * in-stream `error` event, `ping`. A stream cut off without `content_block_stop` (max_tokens mid
 * tool call) still closes its open block when `message_delta`/`message_stop` or the end arrive.
 * Unknown event types are skipped with one warning each.
 *
 * @example
 * const decoder = new AnthropicStreamDecoder({ model: 'claude-sonnet-4-5' });
 * for (const data of payloads) events.push(...decoder.push(data));
 * events.push(...decoder.end());
 */
export class AnthropicStreamDecoder {
  readonly #provider: string;
  readonly #model: string;
  readonly #quota: QuotaSnapshot | undefined;
  readonly #ids: AnthropicToolIds;
  readonly #names: AnthropicToolNames;
  readonly #warn: WarningSink;
  readonly #warned = new Set<string>();
  readonly #blocks = new Map<number, OpenBlock>();
  #usage: AnthropicUsage = {};
  #stopReason: string | undefined;
  #started = false;
  #finished = false;
  #failure: NodexError | undefined;

  constructor(options: AnthropicDecoderOptions = {}) {
    this.#provider = options.provider ?? 'anthropic';
    this.#model = options.model ?? '';
    this.#quota = options.quota;
    this.#ids = options.ids ?? new AnthropicToolIds();
    this.#names = options.names ?? new AnthropicToolNames();
    this.#warn = options.onWarning ?? (() => {});
  }

  /** True after `message_stop`, an `error` event, or `end()`. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The failure reported in the stream, if any (the provider throws it when nothing was sent yet). */
  get failure(): NodexError | undefined {
    return this.#failure;
  }

  push(data: unknown): StreamEvent[] {
    if (this.#finished) return [];
    const type = isObject(data) ? data.type : undefined;
    if (typeof type !== 'string') {
      this.#warnOnce('(no type)', `${this.#provider}: skipped an event without a type`);
      return [];
    }
    const out: StreamEvent[] = [];
    switch (type) {
      case 'message_start':
        this.#parse(MessageStartSchema, data, type, (e) => {
          this.#usage = { ...e.message.usage };
          this.#start(out, e.message.id ?? '', e.message.model ?? undefined);
          // Usage so far (the input is known now): a stream cut short is still metered from it.
          out.push(streamEvent('usage', { usage: this.#currentUsage() }));
        });
        break;
      case 'content_block_start':
        this.#parse(BlockStartSchema, data, type, (e) => this.#open(out, e.index, e.content_block));
        break;
      case 'content_block_delta':
        this.#parse(BlockDeltaSchema, data, type, (e) => this.#delta(out, e.index, e.delta), blockDelta);
        break;
      case 'content_block_stop':
        this.#parse(BlockStopSchema, data, type, (e) => {
          const block = this.#blocks.get(e.index);
          this.#blocks.delete(e.index);
          if (block) out.push(...closeBlock(block));
        });
        break;
      case 'message_delta':
        this.#parse(MessageDeltaSchema, data, type, (e) => {
          this.#ensureStarted(out);
          if (e.delta?.stop_reason) this.#stopReason = e.delta.stop_reason;
          this.#mergeUsage(e.usage ?? {});
          // Blocks still open here were cut off (max_tokens mid tool call): close them now.
          out.push(...this.#closeAll());
        });
        break;
      case 'message_stop':
        this.#complete(out);
        break;
      case 'ping':
        break;
      case 'error':
        this.#parse(ErrorEnvelopeSchema, data, type, (e) =>
          this.#fail(out, anthropicStreamError(e.error, this.#provider)),
        );
        break;
      default:
        this.#warnOnce(type, `${this.#provider}: skipped unknown event type "${type}"`);
    }
    return out;
  }

  /** The body ended: after a `message_delta` the response is complete; otherwise it is an error. */
  end(): StreamEvent[] {
    if (this.#finished) return [];
    const out: StreamEvent[] = [];
    if (this.#stopReason !== undefined) {
      this.#complete(out);
      return out;
    }
    const message = `${this.#provider}: stream closed before message_stop`;
    this.#fail(out, new NodexError('stream_error', message, { provider: this.#provider }));
    return out;
  }

  #open(out: StreamEvent[], index: number, block: BlockStart['content_block']): void {
    this.#ensureStarted(out);
    out.push(...this.#closeAll()); // blocks are strictly sequential (wire.md §5.1)
    switch (block.type) {
      case 'text':
        this.#blocks.set(index, { kind: 'text' });
        if (block.text) out.push(streamEvent('text_delta', { delta: block.text }));
        return;
      case 'thinking':
        this.#blocks.set(index, {
          kind: 'thinking',
          text: block.thinking ?? '',
          signature: block.signature ?? '',
        });
        if (block.thinking) out.push(streamEvent('reasoning_delta', { delta: block.thinking, kind: 'text' }));
        return;
      case 'redacted_thinking':
        this.#blocks.set(index, { kind: 'redacted', data: block.data ?? '' });
        return;
      case 'tool_use': {
        const { block: open, event } = openToolBlock(block, this.#ids, this.#names);
        this.#blocks.set(index, open);
        out.push(event);
        return;
      }
      default:
        this.#blocks.set(index, { kind: 'skip' });
        this.#warnOnce(`block:${block.type}`, `${this.#provider}: skipped a "${block.type}" content block`);
    }
  }

  #delta(out: StreamEvent[], index: number, delta: BlockDelta['delta']): void {
    const block = this.#blocks.get(index);
    if (!block) {
      this.#warnOnce(
        `orphan:${delta.type}`,
        `${this.#provider}: skipped a "${delta.type}" for no open block`,
      );
      return;
    }
    if (delta.type === 'text_delta' && block.kind === 'text') {
      if (delta.text) out.push(streamEvent('text_delta', { delta: delta.text }));
    } else if (delta.type === 'thinking_delta' && block.kind === 'thinking') {
      block.text += delta.thinking ?? '';
      if (delta.thinking) out.push(streamEvent('reasoning_delta', { delta: delta.thinking, kind: 'text' }));
    } else if (delta.type === 'signature_delta' && block.kind === 'thinking') {
      block.signature += delta.signature ?? '';
    } else if (delta.type === 'input_json_delta' && block.kind === 'tool') {
      // The first piece is often "" (wire.md §5.1): nothing to send.
      if (!delta.partial_json) return;
      block.args += delta.partial_json;
      out.push(streamEvent('tool_call_arguments_delta', { call_id: block.id, delta: delta.partial_json }));
    } else if (block.kind !== 'skip') {
      this.#warnOnce(`delta:${delta.type}`, `${this.#provider}: skipped a "${delta.type}" delta`);
    }
  }

  #closeAll(): StreamEvent[] {
    const out: StreamEvent[] = [];
    for (const block of this.#blocks.values()) {
      if (block.kind === 'tool')
        this.#warnOnce(
          'cut-tool',
          `${this.#provider}: a tool call was cut off before its end; its arguments may be incomplete`,
        );
      out.push(...closeBlock(block));
    }
    this.#blocks.clear();
    return out;
  }

  #complete(out: StreamEvent[]): void {
    this.#ensureStarted(out);
    out.push(...this.#closeAll());
    out.push(streamEvent('usage', { usage: this.#currentUsage() }));
    const raw = this.#stopReason ?? 'end_turn';
    out.push(
      streamEvent('response_completed', {
        finish_reason: anthropicFinishReason(raw),
        finish_reason_raw: raw,
      }),
    );
    this.#finished = true;
  }

  /** The usage reported so far, with cache reads and writes counted in the input (as every provider). */
  #currentUsage(): TokenUsage {
    const u = this.#usage;
    const cacheRead = u.cache_read_input_tokens ?? 0;
    const cacheWrite = u.cache_creation_input_tokens ?? 0;
    return makeUsage({
      input_tokens: (u.input_tokens ?? 0) + cacheRead + cacheWrite,
      output_tokens: u.output_tokens ?? 0,
      cached_tokens: cacheRead,
      cache_write_tokens: cacheWrite,
    });
  }

  /** message_delta usage is cumulative; newer responses repeat the input figures too (wire.md §5.1). */
  #mergeUsage(usage: AnthropicUsage): void {
    const pick = (key: UsageKey) => usage[key] ?? this.#usage[key];
    this.#usage = {
      input_tokens: pick('input_tokens'),
      output_tokens: pick('output_tokens'),
      cache_creation_input_tokens: pick('cache_creation_input_tokens'),
      cache_read_input_tokens: pick('cache_read_input_tokens'),
    };
  }

  #start(out: StreamEvent[], id: string, model?: string): void {
    if (this.#started) return;
    this.#started = true;
    out.push(
      streamEvent('response_started', {
        response_id: id,
        model: model ?? this.#model,
        ...(this.#quota ? { quota: this.#quota } : {}),
      }),
    );
  }

  #ensureStarted(out: StreamEvent[]): void {
    if (!this.#started) this.#start(out, '');
  }

  /** Checks `data` with `quick` when given (the hot events), else (or when it says no) with zod. */
  #parse<T>(
    schema: { safeParse(data: unknown): { success: true; data: T } | { success: false } },
    data: unknown,
    type: string,
    handle: (event: T) => void,
    quick?: (data: JsonObject) => T | undefined,
  ): void {
    // `push` has checked that data is an object with a `type`.
    const fast = quick?.(data as JsonObject);
    if (fast !== undefined) {
      handle(fast);
      return;
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) handle(parsed.data);
    else this.#warnOnce(`invalid:${type}`, `${this.#provider}: skipped a malformed "${type}" event`);
  }

  readonly #warnOnce = (key: string, details: string): void => {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn({ feature: 'upstream.event', details });
  };

  #fail(out: StreamEvent[], error: NodexError): void {
    this.#failure = error;
    this.#finished = true;
    out.push(errorEvent(error));
  }
}
