import type { WarningSink } from '../../core/warnings.js';
import { parseSse } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { transportError, type UpstreamResponse } from '../http/send-upstream.js';
import { releaseBody, sseSource } from '../http/upstream-sse.js';

/** One item of a Chat Completions body: a JSON chunk, or the `[DONE]` marker. */
export type ChatSseItem = { readonly kind: 'chunk'; readonly data: unknown } | { readonly kind: 'done' };

/**
 * Reads a Chat Completions SSE body (wire.md §6.1). Like `readSseJson`, but `[DONE]` is reported
 * rather than swallowed: the decoder must tell a finished stream from one cut off (a host that
 * never sends `finish_reason` still ends with `[DONE]`). Non-JSON data is skipped with a warning;
 * body failures (idle timeout, dropped connection) surface as typed NodexErrors. A reader that stops
 * after `[DONE]` (or once `finished()`) keeps the keep-alive connection; one that stops mid-stream
 * cancels the upstream call.
 *
 * @example
 * for await (const item of readChatSse(response, { provider: 'gemini' })) if (item.kind === 'done') break;
 */
export async function* readChatSse(
  response: UpstreamResponse,
  options: {
    readonly provider: string;
    readonly idleTimeoutMs?: number;
    readonly onWarning?: WarningSink;
    /** Sees each chunk as parsed (ProviderCallContext.onUpstreamEvent). */
    readonly onEvent?: (event: { readonly data: unknown }) => void;
    /** True once the decoder has finished (an error chunk): the rest of the body is drained. */
    readonly finished?: () => boolean;
  },
): AsyncGenerator<ChatSseItem> {
  let complete = false;
  let failed = false;
  try {
    for await (const message of parseSse(sseSource(response.body))) {
      const decoded = decodeSseJson(message);
      if (decoded.kind === 'done') {
        complete = true;
        yield { kind: 'done' };
        return;
      }
      if (decoded.kind === 'invalid') {
        options.onWarning?.({
          feature: 'upstream.sse',
          details: `${options.provider}: skipped an SSE event that is not JSON (${decoded.reason})`,
        });
        continue;
      }
      options.onEvent?.({ data: decoded.value });
      yield { kind: 'chunk', data: decoded.value };
    }
  } catch (error) {
    failed = true;
    throw transportError(error, options.provider, options.idleTimeoutMs);
  } finally {
    releaseBody(response.body, !failed && (complete || options.finished?.() === true));
  }
}
