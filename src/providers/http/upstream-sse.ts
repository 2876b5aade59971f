import type { WarningSink } from '../../core/warnings.js';
import { parseSse } from '../../sse/parse-sse.js';
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

/**
 * Reads an upstream SSE body as JSON events: parsed once at the edge, `[DONE]` ends it, data that
 * is not JSON is skipped with a warning (it never kills a live stream), and body failures (the idle
 * timeout, a dropped connection) surface as typed NodexErrors. When the reader stops early, the
 * connection is kept if the response is complete (`[DONE]`, or `finished()` says the decoder has
 * its terminal event) and cancelled otherwise.
 */
export async function* readSseJson(
  response: UpstreamResponse,
  options: {
    readonly provider: string;
    readonly idleTimeoutMs?: number;
    readonly onWarning?: WarningSink;
    /** Sees each event as parsed (ProviderCallContext.onUpstreamEvent). */
    readonly onEvent?: (event: SseJsonEvent) => void;
    /** True once the consumer has the response's terminal event: the rest of the body is drained. */
    readonly finished?: () => boolean;
  },
): AsyncGenerator<SseJsonEvent> {
  let complete = false;
  let failed = false;
  try {
    for await (const message of parseSse(sseSource(response.body))) {
      const decoded = decodeSseJson(message);
      if (decoded.kind === 'done') {
        complete = true;
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
    failed = true;
    throw transportError(error, options.provider, options.idleTimeoutMs);
  } finally {
    releaseBody(response.body, !failed && (complete || options.finished?.() === true));
  }
}
