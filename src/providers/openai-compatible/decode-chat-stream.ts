import { errorEvent, NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import { streamEvent } from '../../core/events.js';
import type { FinishReason } from '../../core/finish-reason.js';
import { makeUsage, type TokenUsage } from '../../core/usage.js';
import type { WarningSink } from '../../core/warnings.js';
import {
  isObject,
  type JsonObject,
  nullishCounts,
  nullishInt,
  nullishNumber,
  nullishString,
} from '../http/json-shape.js';
import { chatStreamError, parseChatErrorBody } from './chat-errors.js';
import { type ChatChoice, type ChatChunk, ChatChunkSchema, type ChatUsage } from './chat-stream-schemas.js';
import { ChatToolCalls } from './chat-tool-calls.js';

export interface ChatDecoderOptions {
  /** Provider instance id, for messages. */
  readonly provider?: string;
  /** The requested model, used until a chunk names one. */
  readonly model?: string;
  /** Secrets to keep out of in-stream error messages. */
  readonly secrets?: readonly (string | undefined)[];
  readonly onWarning?: WarningSink;
}

/** Index of the deprecated `delta.function_call` (one call, no id): never a real `tool_calls` index. */
const LEGACY_FUNCTION_CALL = -1;

/** `FunctionFragmentSchema` */
function functionOk(value: unknown): boolean {
  return value == null || (isObject(value) && nullishString(value.name) && nullishString(value.arguments));
}

/** `ToolCallFragmentSchema`; a fragment with `extra_content` is left to zod. */
function fragmentOk(value: unknown): boolean {
  return (
    isObject(value) &&
    nullishInt(value.index) &&
    nullishString(value.id) &&
    nullishString(value.type) &&
    functionOk(value.function) &&
    value.extra_content == null
  );
}

/** `ChoiceSchema` with its `DeltaSchema`. */
function choiceOk(value: unknown): boolean {
  if (!isObject(value) || !nullishInt(value.index) || !nullishString(value.finish_reason)) return false;
  const delta = value.delta;
  if (delta == null) return true;
  if (!isObject(delta)) return false;
  if (
    !nullishString(delta.content) ||
    !nullishString(delta.refusal) ||
    !nullishString(delta.reasoning_content)
  )
    return false;
  if (!functionOk(delta.function_call)) return false;
  const calls = delta.tool_calls;
  if (calls == null) return true;
  if (!Array.isArray(calls)) return false;
  for (const call of calls) if (!fragmentOk(call)) return false;
  return true;
}

/**
 * What `ChatChunkSchema` accepts, for chunks without an `error` (the hot path: one per delta),
 * checked in place; anything else goes to zod, which reports malformed chunks as before.
 */
export function quickChunk(data: JsonObject): ChatChunk | undefined {
  if (!nullishString(data.id) || !nullishString(data.model) || !nullishNumber(data.created)) return undefined;
  if (data.error != null) return undefined;
  const usage = data.usage;
  if (usage != null) {
    if (!nullishCounts(usage, ['prompt_tokens', 'completion_tokens', 'total_tokens'])) return undefined;
    const u = usage as JsonObject;
    if (!nullishCounts(u.prompt_tokens_details, ['cached_tokens'])) return undefined;
    if (!nullishCounts(u.completion_tokens_details, ['reasoning_tokens'])) return undefined;
  }
  const choices = data.choices;
  if (choices != null) {
    if (!Array.isArray(choices)) return undefined;
    for (const choice of choices) if (!choiceOk(choice)) return undefined;
  }
  return data as ChatChunk;
}

/**
 * The unified finish reason. Tool calls win over `stop` (Gemini answers `stop` with calls; wire.md
 * §7.10); `function_call` is the deprecated form of `tool_calls`; a few hosts pass native words on.
 *
 * @example
 * unifiedFinishReason('length', false); // 'length'
 */
export function unifiedFinishReason(raw: string | undefined, hasCalls: boolean): FinishReason {
  switch (raw?.toLowerCase()) {
    case 'length':
    case 'max_tokens':
      return 'length';
    case 'content_filter':
    case 'safety':
    case 'recitation':
      return 'content_filter';
    default:
      return hasCalls ? 'tool_calls' : 'stop';
  }
}

function usageOf(u: ChatUsage): TokenUsage {
  return makeUsage({
    input_tokens: u.prompt_tokens ?? undefined,
    output_tokens: u.completion_tokens ?? undefined,
    total_tokens: u.total_tokens ?? undefined,
    cached_tokens: u.prompt_tokens_details?.cached_tokens ?? undefined,
    reasoning_tokens: u.completion_tokens_details?.reasoning_tokens ?? undefined,
  });
}

/**
 * Decodes Chat Completions stream chunks (wire.md §6.1, §6.3) into v1 events, one chunk at a time.
 * Text and refusal deltas become `text_delta` (a refusal's finish reason is whatever the host
 * says); `reasoning_content` becomes raw reasoning; tool calls are assembled by `ChatToolCalls`
 * and all end at the first `finish_reason` (a second one adds nothing). Usage is kept until the
 * end (hosts send it after the finish chunk, or on it), then `usage` and `response_completed` go
 * out at `[DONE]` — or when the body ends after a finish_reason. A body that ends with neither
 * yields a `stream_error`, unless it carried content and usage (a host that omits both markers).
 * An in-stream `{"error":{…}}` ends the stream with an `error` event; unknown chunk shapes are
 * skipped with one warning.
 *
 * @example
 * const decoder = new ChatStreamDecoder({ provider: 'gemini' });
 * for (const chunk of chunks) events.push(...decoder.push(chunk));
 * events.push(...decoder.done());
 */
export class ChatStreamDecoder {
  readonly #provider: string;
  readonly #model: string;
  readonly #secrets: readonly (string | undefined)[];
  readonly #warn: WarningSink;
  readonly #warned = new Set<string>();
  readonly #calls: ChatToolCalls;
  #started = false;
  #finished = false;
  #failure: NodexError | undefined;
  #finish: string | undefined;
  #finishSeen = false;
  #usage: TokenUsage | undefined;
  #content = false;
  #reasoning: string | undefined;

  constructor(options: ChatDecoderOptions = {}) {
    this.#provider = options.provider ?? 'openai-compatible';
    this.#model = options.model ?? '';
    this.#secrets = options.secrets ?? [];
    this.#warn = options.onWarning ?? (() => {});
    this.#calls = new ChatToolCalls((key, details) => this.#warnOnce(key, `${this.#provider}: ${details}`));
  }

  /** True after `response_completed` or an `error` event. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The failure reported in the stream, if any (the provider throws it when nothing was sent yet). */
  get failure(): NodexError | undefined {
    return this.#failure;
  }

  push(data: unknown): StreamEvent[] {
    if (this.#finished) return [];
    const out: StreamEvent[] = [];
    if (Array.isArray(data)) {
      // Google's error envelope is a one-element array (wire.md §6.3).
      const body = parseChatErrorBody(JSON.stringify(data));
      if (body) this.#fail(out, chatStreamError(body, this.#provider, this.#secrets));
      else this.#warnOnce('array', `${this.#provider}: skipped a chunk that is a JSON array`);
      return out;
    }
    let chunk = isObject(data) ? quickChunk(data) : undefined;
    if (chunk === undefined) {
      const parsed = ChatChunkSchema.safeParse(data);
      if (!parsed.success) {
        this.#warnOnce('invalid', `${this.#provider}: skipped a malformed chunk`);
        return out;
      }
      chunk = parsed.data;
    }
    if (chunk.error) {
      this.#fail(out, chatStreamError(chunk.error, this.#provider, this.#secrets));
      return out;
    }
    if (!chunk.choices && !chunk.usage) {
      this.#warnOnce('unknown', `${this.#provider}: skipped a chunk with neither choices nor usage`);
      return out;
    }
    this.#start(out, chunk);
    for (const choice of chunk.choices ?? []) this.#choice(out, choice);
    if (chunk.usage) this.#usage = usageOf(chunk.usage);
    return out;
  }

  /** `data: [DONE]` arrived: the response is complete. */
  done(): StreamEvent[] {
    if (this.#finished) return [];
    const out: StreamEvent[] = [];
    this.#complete(out);
    return out;
  }

  /** The body ended without `[DONE]`. */
  end(): StreamEvent[] {
    if (this.#finished) return [];
    const out: StreamEvent[] = [];
    if (this.#finishSeen) this.#complete(out);
    else if (this.#content && this.#usage) {
      this.#warnOnce('no-finish', `${this.#provider}: the stream ended without finish_reason or [DONE]`);
      this.#complete(out);
    } else {
      const message = `${this.#provider}: stream closed before finish_reason`;
      this.#fail(out, new NodexError('stream_error', message, { provider: this.#provider }));
    }
    return out;
  }

  #choice(out: StreamEvent[], choice: ChatChoice): void {
    if ((choice.index ?? 0) !== 0) {
      this.#warnOnce('choices', `${this.#provider}: only the first choice is decoded (n > 1)`);
      return;
    }
    const delta = choice.delta ?? {};
    const reasoning = delta.reasoning_content ?? (typeof delta.reasoning === 'string' ? delta.reasoning : '');
    if (reasoning) {
      this.#content = true;
      this.#reasoning = (this.#reasoning ?? '') + reasoning;
      out.push(streamEvent('reasoning_delta', { delta: reasoning, kind: 'text' }));
    }
    for (const text of [delta.content, delta.refusal]) {
      if (!text) continue;
      this.#closeReasoning(out);
      this.#content = true;
      out.push(streamEvent('text_delta', { delta: text }));
    }
    const fragments = [
      ...(delta.tool_calls ?? []),
      ...(delta.function_call ? [{ index: LEGACY_FUNCTION_CALL, function: delta.function_call }] : []),
    ];
    for (const fragment of fragments) {
      this.#closeReasoning(out);
      this.#content = true;
      out.push(...this.#calls.fragment(fragment));
    }
    if (choice.finish_reason && !this.#finishSeen) {
      // The last fragment may share the chunk with finish_reason: it was handled above.
      this.#finishSeen = true;
      this.#finish = choice.finish_reason;
      this.#closeReasoning(out);
      out.push(...this.#calls.flush());
    }
  }

  #start(out: StreamEvent[], chunk: ChatChunk): void {
    if (this.#started) return;
    this.#started = true;
    out.push(
      streamEvent('response_started', {
        response_id: chunk.id ?? '',
        model: chunk.model ?? this.#model,
        ...(typeof chunk.created === 'number' ? { created_at: chunk.created } : {}),
      }),
    );
  }

  #closeReasoning(out: StreamEvent[]): void {
    if (this.#reasoning === undefined) return;
    out.push(
      streamEvent('reasoning_done', { item: { type: 'reasoning', summary: [], text: this.#reasoning } }),
    );
    this.#reasoning = undefined;
  }

  #complete(out: StreamEvent[]): void {
    this.#start(out, {});
    this.#closeReasoning(out);
    // A host that never sends finish_reason still gets its calls (seeds-spec §C.1 item 25).
    out.push(...this.#calls.flush());
    if (!this.#finishSeen) this.#warnOnce('no-finish', `${this.#provider}: the stream had no finish_reason`);
    if (this.#usage) out.push(streamEvent('usage', { usage: this.#usage }));
    out.push(
      streamEvent('response_completed', {
        finish_reason: unifiedFinishReason(this.#finish, this.#calls.count > 0),
        ...(this.#finish === undefined ? {} : { finish_reason_raw: this.#finish }),
      }),
    );
    this.#finished = true;
  }

  #fail(out: StreamEvent[], error: NodexError): void {
    // Usage seen so far is still metered.
    if (this.#usage && this.#started) out.push(streamEvent('usage', { usage: this.#usage }));
    this.#failure = error;
    this.#finished = true;
    out.push(errorEvent(error));
  }

  #warnOnce(key: string, details: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#warn({ feature: 'upstream.event', details });
  }
}
