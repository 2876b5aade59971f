import type { WarningSink } from '../../core/warnings.js';
import { parseSseChunks, type SseMessage } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { transportError, type UpstreamResponse } from './send-upstream.js';

export interface SseJsonEvent {
  /** The SSE `event:` name, when the upstream sends one. */
  readonly event?: string;
  readonly data: unknown;
}

/** Bytes read past the end of a finished response before the connection is given up anyway. */
const DRAIN_LIMIT = 64 * 1024;

const ignore = (): void => {};

/**
 * The SSE source of an upstream body: an iterator that leaves the body alone when the reader stops
 * early, so `releaseBody` decides between keeping the connection and cancelling the call.
 */
export function sseSource(body: UpstreamResponse['body']): AsyncIterable<Uint8Array> {
  return { [Symbol.asyncIterator]: () => body.iterator({ destroyOnReturn: false }) };
}

/**
 * Lets go of an upstream body once its reader is done. A body that ended (or failed) needs nothing.
 * A `complete` response (its terminal event or `[DONE]` was read) has at most its chunked
 * terminator left: that is read and dropped, so the keep-alive connection goes back to the pool
 * without an `AbortError`. Anything else (a caller that left mid-stream) is destroyed, which
 * cancels the upstream call at once.
 */
export function releaseBody(body: UpstreamResponse['body'], complete: boolean): void {
  if (body.destroyed || body.readableEnded) return;
  if (!complete) {
    body.destroy();
    return;
  }
  let left = DRAIN_LIMIT;
  body.on('error', ignore);
  body.on('data', (chunk: Uint8Array) => {
    left -= chunk.length;
    if (left < 0) body.destroy();
  });
  body.resume();
}

/** What a batched reader shares with the per-chunk item generators it hands out. */
export interface SseReadState {
  /** The end marker (`[DONE]`) was read. */
  complete: boolean;
  /** Reading failed: the body is cancelled rather than drained. */
  failed: boolean;
}

/**
 * The items of an upstream body, one batch per network chunk, read without an `await` per item:
 * `shift()` takes the next item of the current chunk synchronously, `next()` waits for the next
 * chunk (one `await` on the SSE parser, nothing in between). `items` turns a chunk's messages into
 * its items and sets `state.complete` at the end marker (nothing after it is read) or
 * `state.failed`. Body failures surface as typed NodexErrors. At the end of the body, on a failure
 * or on `return()` (a reader that stops early), the body is released: kept when complete (or
 * `finished()`), cancelled otherwise.
 */
export class SseBatchCursor<Item> {
  readonly #response: UpstreamResponse;
  readonly #options: Pick<ReadSseJsonOptions, 'provider' | 'idleTimeoutMs' | 'finished'>;
  readonly #items: (messages: readonly SseMessage[], state: SseReadState) => Iterable<Item>;
  readonly #chunks: AsyncGenerator<SseMessage[]>;
  readonly #state: SseReadState = { complete: false, failed: false };
  #current: Iterator<Item> | undefined;
  #released = false;

  constructor(
    response: UpstreamResponse,
    options: Pick<ReadSseJsonOptions, 'provider' | 'idleTimeoutMs' | 'finished'>,
    items: (messages: readonly SseMessage[], state: SseReadState) => Iterable<Item>,
  ) {
    this.#response = response;
    this.#options = options;
    this.#items = items;
    this.#chunks = parseSseChunks(sseSource(response.body));
  }

  /** The next item of the current chunk; undefined once the chunk is used up (then call `next()`). */
  shift(): IteratorResult<Item> | undefined {
    if (this.#current === undefined) return undefined;
    const item = this.#current.next();
    if (!item.done) return item;
    this.#current = undefined;
    return undefined;
  }

  /** Waits for the next chunk with an item and returns its first item, or the end of the body. */
  async next(): Promise<IteratorResult<Item, undefined>> {
    for (;;) {
      const item = this.shift();
      if (item) return item;
      if (this.#released) return { done: true, value: undefined };
      if (this.#state.complete || this.#state.failed) {
        await this.return();
        return { done: true, value: undefined };
      }
      let chunk: IteratorResult<SseMessage[]>;
      try {
        chunk = await this.#chunks.next();
      } catch (error) {
        this.#state.failed = true;
        this.#release();
        throw transportError(error, this.#options.provider, this.#options.idleTimeoutMs);
      }
      if (chunk.done) {
        this.#release();
        return { done: true, value: undefined };
      }
      this.#current = this.#items(chunk.value, this.#state)[Symbol.iterator]();
    }
  }

  /** Stops reading: the body is released (kept when complete, cancelled otherwise). */
  async return(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    current?.return?.();
    if (this.#released) return;
    try {
      await this.#chunks.return(undefined);
    } finally {
      this.#release();
    }
  }

  #release(): void {
    if (this.#released) return;
    this.#released = true;
    const { complete, failed } = this.#state;
    releaseBody(this.#response.body, !failed && (complete || this.#options.finished?.() === true));
  }
}

/**
 * The JSON events of one chunk's messages, decoded as they are taken (so `onEvent`, warnings and
 * `[DONE]` happen in stream order, and nothing past a reader that stopped is decoded).
 */
function* jsonEvents(
  messages: readonly SseMessage[],
  options: ReadSseJsonOptions,
  state: SseReadState,
): Generator<SseJsonEvent, void, undefined> {
  try {
    for (const message of messages) {
      const decoded = decodeSseJson(message);
      if (decoded.kind === 'done') {
        state.complete = true;
        return;
      }
      if (decoded.kind === 'invalid') {
        options.onWarning?.({
          feature: 'upstream.sse',
          details: `${options.provider}: skipped an SSE event that is not JSON (${decoded.reason})`,
        });
        continue;
      }
      const event: SseJsonEvent =
        decoded.event === undefined ? { data: decoded.value } : { event: decoded.event, data: decoded.value };
      options.onEvent?.(event);
      yield event;
    }
  } catch (error) {
    state.failed = true;
    throw transportError(error, options.provider, options.idleTimeoutMs);
  }
}

export interface ReadSseJsonOptions {
  readonly provider: string;
  readonly idleTimeoutMs?: number;
  readonly onWarning?: WarningSink;
  /** Sees each event as parsed (ProviderCallContext.onUpstreamEvent). */
  readonly onEvent?: (event: SseJsonEvent) => void;
  /** True once the consumer has the response's terminal event: the rest of the body is drained. */
  readonly finished?: () => boolean;
}

/**
 * `readSseJson` per network chunk, behind a cursor: the providers' stream loops take events with
 * `shift()` and pay an `await` only when a chunk is used up.
 *
 * @example
 * const sse = readSseJsonCursor(response, { provider: 'codex', finished: () => decoder.finished });
 * const next = sse.shift() ?? (await sse.next());
 */
export function readSseJsonCursor(
  response: UpstreamResponse,
  options: ReadSseJsonOptions,
): SseBatchCursor<SseJsonEvent> {
  return new SseBatchCursor(response, options, (messages, state) => jsonEvents(messages, options, state));
}

/**
 * Reads an upstream SSE body as JSON events: parsed once at the edge, `[DONE]` ends it, data that
 * is not JSON is skipped with a warning (it never kills a live stream), and body failures (the idle
 * timeout, a dropped connection) surface as typed NodexErrors. When the reader stops early, the
 * connection is kept if the response is complete (`[DONE]`, or `finished()` says the decoder has
 * its terminal event) and cancelled otherwise. Reads per network chunk underneath
 * (`readSseJsonCursor` skips this per-event generator).
 */
export async function* readSseJson(
  response: UpstreamResponse,
  options: ReadSseJsonOptions,
): AsyncGenerator<SseJsonEvent> {
  const sse = readSseJsonCursor(response, options);
  try {
    for (;;) {
      const next = sse.shift() ?? (await sse.next());
      if (next.done) return;
      yield next.value;
    }
  } finally {
    await sse.return();
  }
}
