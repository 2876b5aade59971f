import type { WarningSink } from '../../core/warnings.js';
import { parseSse } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { transportError, type UpstreamResponse } from '../http/send-upstream.js';

/** One item of a Chat Completions body: a JSON chunk, or the `[DONE]` marker. */
export type ChatSseItem = { readonly kind: 'chunk'; readonly data: unknown } | { readonly kind: 'done' };

/**
 * Reads a Chat Completions SSE body (wire.md §6.1). Like `readSseJson`, but `[DONE]` is reported
 * rather than swallowed: the decoder must tell a finished stream from one cut off (a host that
 * never sends `finish_reason` still ends with `[DONE]`). Non-JSON data is skipped with a warning;
 * body failures (idle timeout, dropped connection) surface as typed NodexErrors.
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
  },
): AsyncGenerator<ChatSseItem> {
  try {
    for await (const message of parseSse(response.body)) {
      const decoded = decodeSseJson(message);
      if (decoded.kind === 'done') {
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
    throw transportError(error, options.provider, options.idleTimeoutMs);
  } finally {
    if (!response.body.destroyed) response.body.destroy();
  }
}
