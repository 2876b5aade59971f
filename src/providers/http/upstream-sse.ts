import type { WarningSink } from '../../core/warnings.js';
import { parseSse } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { transportError, type UpstreamResponse } from './send-upstream.js';

export interface SseJsonEvent {
  /** The SSE `event:` name, when the upstream sends one. */
  readonly event?: string;
  readonly data: unknown;
}

/**
 * Reads an upstream SSE body as JSON events: parsed once at the edge, `[DONE]` ends it, data that
 * is not JSON is skipped with a warning (it never kills a live stream), and body failures (the idle
 * timeout, a dropped connection) surface as typed NodexErrors.
 */
export async function* readSseJson(
  response: UpstreamResponse,
  options: {
    readonly provider: string;
    readonly idleTimeoutMs?: number;
    readonly onWarning?: WarningSink;
    /** Sees each event as parsed (ProviderCallContext.onUpstreamEvent). */
    readonly onEvent?: (event: SseJsonEvent) => void;
  },
): AsyncGenerator<SseJsonEvent> {
  try {
    for await (const message of parseSse(response.body)) {
      const decoded = decodeSseJson(message);
      if (decoded.kind === 'done') return;
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
    throw transportError(error, options.provider, options.idleTimeoutMs);
  } finally {
    // Stop reading (and free the connection) when the consumer leaves early.
    if (!response.body.destroyed) response.body.destroy();
  }
}
