import type { WarningSink } from '../../core/warnings.js';
import type { SseMessage } from '../../sse/parse-sse.js';
import { decodeSseJson } from '../../sse/sse-json.js';
import { transportError, type UpstreamResponse } from '../http/send-upstream.js';
import { SseBatchCursor, type SseReadState } from '../http/upstream-sse.js';

/** One item of a Chat Completions body: a JSON chunk, or the `[DONE]` marker. */
export type ChatSseItem = { readonly kind: 'chunk'; readonly data: unknown } | { readonly kind: 'done' };

export interface ReadChatSseOptions {
  readonly provider: string;
  readonly idleTimeoutMs?: number;
  readonly onWarning?: WarningSink;
  /** Sees each chunk as parsed (ProviderCallContext.onUpstreamEvent). */
  readonly onEvent?: (event: { readonly data: unknown }) => void;
  /** True once the decoder has finished (an error chunk): the rest of the body is drained. */
  readonly finished?: () => boolean;
}

/** The items of one network chunk's messages, decoded as they are taken; `[DONE]` is the last. */
function* chatItems(
  messages: readonly SseMessage[],
  options: ReadChatSseOptions,
  state: SseReadState,
): Generator<ChatSseItem, void, undefined> {
  try {
    for (const message of messages) {
      const decoded = decodeSseJson(message);
      if (decoded.kind === 'done') {
        state.complete = true;
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
    state.failed = true;
    throw transportError(error, options.provider, options.idleTimeoutMs);
  }
}

/**
 * `readChatSse` per network chunk, behind a cursor (`shift()` without an `await`, `next()` for the
 * next chunk, `return()` releases the body): what the provider's stream loop reads.
 *
 * @example
 * const sse = readChatSseCursor(response, { provider: 'gemini' });
 * const next = sse.shift() ?? (await sse.next());
 */
export function readChatSseCursor(
  response: UpstreamResponse,
  options: ReadChatSseOptions,
): SseBatchCursor<ChatSseItem> {
  return new SseBatchCursor(response, options, (messages, state) => chatItems(messages, options, state));
}

/**
 * Reads a Chat Completions SSE body (wire.md §6.1). Like `readSseJson`, but `[DONE]` is reported
 * rather than swallowed: the decoder must tell a finished stream from one cut off (a host that
 * never sends `finish_reason` still ends with `[DONE]`). Non-JSON data is skipped with a warning;
 * body failures (idle timeout, dropped connection) surface as typed NodexErrors. A reader that stops
 * after `[DONE]` (or once `finished()`) keeps the keep-alive connection; one that stops mid-stream
 * cancels the upstream call. Reads per network chunk underneath (`readChatSseCursor`).
 *
 * @example
 * for await (const item of readChatSse(response, { provider: 'gemini' })) if (item.kind === 'done') break;
 */
export async function* readChatSse(
  response: UpstreamResponse,
  options: ReadChatSseOptions,
): AsyncGenerator<ChatSseItem> {
  const sse = readChatSseCursor(response, options);
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
