import type { z } from 'zod';
import { errorEvent, NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import type { FinishReason } from '../../core/finish-reason.js';
import type { QuotaSnapshot } from '../../core/quota.js';
import { makeUsage } from '../../core/usage.js';
import type { WarningSink } from '../../core/warnings.js';
import {
  isObject,
  type JsonObject,
  nullishCounts,
  nullishNumber,
  nullishString,
} from '../http/json-shape.js';
import { codexStreamError } from './codex-errors.js';
import { CodexNames } from './codex-names.js';
import { CodexOutputItems } from './codex-output-items.js';
import {
  ArgumentsDoneEventSchema,
  type CodexResponse,
  CustomInputDoneEventSchema,
  DeltaEventSchema,
  ErrorEventSchema,
  OutputItemEventSchema,
  ResponseEventSchema,
} from './codex-stream-schemas.js';

type DeltaEvent = z.output<typeof DeltaEventSchema>;
type ResponseEvent = z.output<typeof ResponseEventSchema>;

/** What `DeltaEventSchema` accepts, without zod (the hot path: one per text or argument delta). */
export function deltaEvent(data: JsonObject): DeltaEvent | undefined {
  return typeof data.delta === 'string' && nullishString(data.item_id) && nullishNumber(data.summary_index)
    ? (data as DeltaEvent)
    : undefined;
}

/**
 * What `ResponseEventSchema` accepts, for the common shapes (no `error`): large `created` and
 * `completed` events are read in place instead of copied. Anything else goes to zod.
 */
export function responseEvent(data: JsonObject): ResponseEvent | undefined {
  const response = data.response;
  if (!isObject(response)) return undefined;
  if (!nullishString(response.id) || !nullishString(response.model) || !nullishNumber(response.created_at))
    return undefined;
  if (response.output != null && !Array.isArray(response.output)) return undefined;
  if (response.error != null) return undefined;
  const details = response.incomplete_details;
  if (details != null && !(isObject(details) && nullishString(details.reason))) return undefined;
  const usage = response.usage;
  if (usage != null) {
    if (!nullishCounts(usage, ['input_tokens', 'output_tokens', 'total_tokens'])) return undefined;
    const u = usage as JsonObject;
    if (!nullishCounts(u.input_tokens_details, ['cached_tokens', 'cache_write_tokens'])) return undefined;
    if (!nullishCounts(u.output_tokens_details, ['reasoning_tokens'])) return undefined;
  }
  return data as ResponseEvent;
}

export interface CodexDecoderOptions {
  /** Provider instance id, for messages and the quota snapshot. */
  readonly provider?: string;
  /** The requested model, used when `response.created` does not name one. */
  readonly model?: string;
  /** The names shortened in the request, mapped back here. */
  readonly names?: CodexNames;
  /** From the response headers (`x-codex-*`), attached to `response_started`. */
  readonly quota?: QuotaSnapshot;
  readonly onWarning?: WarningSink;
}

/** Events that carry nothing the canonical stream needs (their content also arrives elsewhere). */
const QUIET = new Set([
  'response.in_progress',
  'response.queued',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.done',
  'response.output_text.annotation.added',
  'response.refusal.done',
  'response.reasoning_summary_part.added',
  'response.reasoning_summary_part.done',
  'response.reasoning_summary_text.done',
  'response.reasoning_text.done',
  'codex.rate_limits',
]);
/** Progress events of items nodex does not represent (the item itself is warned about once). */
const QUIET_PREFIXES = [
  'response.web_search_call.',
  'response.image_generation_call.',
  'response.file_search_call.',
];

/**
 * Decodes Codex SSE payloads (wire.md §3) into v1 stream events, one payload at a time. Handles the
 * backend's quirks: empty `response.completed.output` (output rebuilt from done items), text only
 * in done items, interleaved and late-named tool calls, both `error` shapes, and a stream that ends
 * without a terminal event. Unknown event types are skipped with one warning per type.
 *
 * @example
 * const decoder = new CodexStreamDecoder({ model: 'gpt-5.5' });
 * for (const data of payloads) events.push(...decoder.push(data));
 * events.push(...decoder.end());
 */
export class CodexStreamDecoder {
  readonly #provider: string;
  readonly #model: string;
  readonly #quota: QuotaSnapshot | undefined;
  readonly #warn: WarningSink;
  readonly #items: CodexOutputItems;
  readonly #warned = new Set<string>();
  #started = false;
  #finished = false;
  #failure: NodexError | undefined;

  constructor(options: CodexDecoderOptions = {}) {
    this.#provider = options.provider ?? 'codex';
    this.#model = options.model ?? '';
    this.#quota = options.quota;
    this.#warn = options.onWarning ?? (() => {});
    this.#items = new CodexOutputItems(options.names ?? new CodexNames(), this.#warn, this.#warnOnce);
  }

  /** True after a terminal event (completed, incomplete, failed, error) or `end()`. */
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
      this.#warnOnce('(no type)', 'codex: skipped an event without a type');
      return [];
    }
    const event = data as JsonObject;
    const out: StreamEvent[] = [];
    switch (type) {
      case 'response.created':
        this.#parse(ResponseEventSchema, event, type, (e) => this.#start(out, e.response), responseEvent);
        break;
      case 'response.output_item.added':
      case 'response.output_item.done':
        this.#parse(OutputItemEventSchema, event, type, (e) => {
          this.#ensureStarted(out);
          const index = e.output_index ?? undefined;
          if (type === 'response.output_item.added') out.push(...this.#items.added(e.item, index));
          else out.push(...this.#items.done(e.item, index));
        });
        break;
      case 'response.output_text.delta':
      case 'response.refusal.delta':
        this.#parse(
          DeltaEventSchema,
          event,
          type,
          (e) => {
            this.#ensureStarted(out);
            this.#items.textSeen(e.item_id ?? '');
            out.push(streamEvent('text_delta', { delta: e.delta }));
          },
          deltaEvent,
        );
        break;
      case 'response.reasoning_summary_text.delta':
      case 'response.reasoning_text.delta':
        this.#parse(
          DeltaEventSchema,
          event,
          type,
          (e) => {
            this.#ensureStarted(out);
            const summary = type === 'response.reasoning_summary_text.delta';
            out.push(
              streamEvent('reasoning_delta', {
                delta: e.delta,
                kind: summary ? 'summary' : 'text',
                ...(summary ? { summary_index: e.summary_index ?? 0 } : {}),
              }),
            );
          },
          deltaEvent,
        );
        break;
      case 'response.function_call_arguments.delta':
      case 'response.custom_tool_call_input.delta':
        this.#parse(
          DeltaEventSchema,
          event,
          type,
          (e) => {
            this.#ensureStarted(out);
            out.push(...this.#items.calls.delta(e.item_id ?? '', e.delta));
          },
          deltaEvent,
        );
        break;
      case 'response.function_call_arguments.done':
        this.#parse(ArgumentsDoneEventSchema, event, type, (e) => {
          this.#ensureStarted(out);
          out.push(...this.#items.calls.done(e.item_id, { name: e.name, text: e.arguments }));
        });
        break;
      case 'response.custom_tool_call_input.done':
        this.#parse(CustomInputDoneEventSchema, event, type, (e) => {
          this.#ensureStarted(out);
          out.push(...this.#items.calls.done(e.item_id, { text: e.input, custom: true }));
        });
        break;
      case 'response.completed':
      case 'response.done':
      case 'response.incomplete':
        this.#parse(
          ResponseEventSchema,
          event,
          type,
          (e) => this.#complete(out, e.response, type),
          responseEvent,
        );
        break;
      case 'response.failed':
        this.#parse(ResponseEventSchema, event, type, (e) => {
          this.#pushUsage(out, e.response);
          this.#fail(
            out,
            codexStreamError(e.response.error ?? {}, this.#provider),
            e.response.id ?? undefined,
          );
        });
        break;
      case 'error':
        this.#parse(ErrorEventSchema, event, type, (e) => {
          // Flat shape: its `type` is the event's own ("error"), not an error type.
          this.#fail(out, codexStreamError(e.error ?? { ...e, type: null }, this.#provider));
        });
        break;
      default:
        if (!QUIET.has(type) && !QUIET_PREFIXES.some((prefix) => type.startsWith(prefix))) {
          this.#warnOnce(type, `codex: skipped unknown event type "${type}"`);
        }
    }
    return out;
  }

  /** The SSE body ended: a stream without a terminal event is an error (wire.md §3.1). */
  end(): StreamEvent[] {
    if (this.#finished) return [];
    const out: StreamEvent[] = [];
    const error = new NodexError(
      'stream_error',
      `${this.#provider}: stream closed before response.completed`,
      {
        provider: this.#provider,
      },
    );
    this.#fail(out, error);
    return out;
  }

  /** Checks `data` with `quick` when given (the hot events), else (or when it says no) with zod. */
  #parse<T>(
    schema: { safeParse(data: unknown): { success: true; data: T } | { success: false } },
    data: JsonObject,
    type: string,
    handle: (event: T) => void,
    quick?: (data: JsonObject) => T | undefined,
  ): void {
    const fast = quick?.(data);
    if (fast !== undefined) {
      handle(fast);
      return;
    }
    const parsed = schema.safeParse(data);
    if (parsed.success) handle(parsed.data);
    else this.#warnOnce(`invalid:${type}`, `codex: skipped a malformed "${type}" event`);
  }

  readonly #warnOnce = (key: string, details: string): void => {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn({ feature: 'upstream.event', details });
  };

  #start(out: StreamEvent[], response: Pick<CodexResponse, 'id' | 'model' | 'created_at'>): void {
    if (this.#started) return;
    this.#started = true;
    out.push(
      streamEvent('response_started', {
        response_id: response.id ?? '',
        model: response.model ?? this.#model,
        ...(typeof response.created_at === 'number' ? { created_at: response.created_at } : {}),
        ...(this.#quota ? { quota: this.#quota } : {}),
      }),
    );
  }

  #ensureStarted(out: StreamEvent[]): void {
    if (!this.#started) this.#start(out, { id: '' });
  }

  #complete(out: StreamEvent[], response: CodexResponse, type: string): void {
    this.#start(out, response);
    // `completed.output` may be [] (wire.md §3 quirk 1): items already seen are skipped, so only
    // what never arrived as a done item is rebuilt from it.
    (response.output ?? []).forEach((item, index) => {
      out.push(...this.#items.fromCompleted(item, index));
    });
    out.push(...this.#items.calls.flush());
    this.#pushUsage(out, response);
    let finish: FinishReason = this.#items.calls.count > 0 ? 'tool_calls' : 'stop';
    let raw = 'completed';
    if (type === 'response.incomplete') {
      raw = response.incomplete_details?.reason ?? 'incomplete';
      finish = raw === 'content_filter' ? 'content_filter' : 'length';
    }
    out.push(streamEvent('response_completed', { finish_reason: finish, finish_reason_raw: raw }));
    this.#finished = true;
  }

  #pushUsage(out: StreamEvent[], response: CodexResponse): void {
    const usage = response.usage;
    if (!usage || !this.#started) return;
    out.push(
      streamEvent('usage', {
        usage: makeUsage({
          input_tokens: usage.input_tokens ?? undefined,
          output_tokens: usage.output_tokens ?? undefined,
          total_tokens: usage.total_tokens ?? undefined,
          cached_tokens: usage.input_tokens_details?.cached_tokens ?? undefined,
          cache_write_tokens: usage.input_tokens_details?.cache_write_tokens ?? undefined,
          reasoning_tokens: usage.output_tokens_details?.reasoning_tokens ?? undefined,
        }),
      }),
    );
  }

  #fail(out: StreamEvent[], error: NodexError, responseId?: string): void {
    this.#failure = error;
    this.#finished = true;
    out.push(errorEvent(error, responseId || undefined));
  }
}
