import type { Dispatcher } from 'undici';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext } from '../../core/provider.js';
import { readBodyText, sendUpstream } from '../http/send-upstream.js';
import type { SseBatchCursor } from '../http/upstream-sse.js';
import { chatHttpError } from './chat-errors.js';
import type { ChatRequestBody } from './chat-wire.js';
import { ChatStreamDecoder } from './decode-chat-stream.js';
import { type ChatSseItem, readChatSseCursor } from './read-chat-sse.js';

/** One `stream()` call, shared by its attempts. */
export interface ChatCall {
  readonly provider: string;
  readonly url: string;
  readonly body: ChatRequestBody;
  readonly headers: Readonly<Record<string, string>>;
  /** `headers` as logged: secrets replaced. */
  readonly loggedHeaders: Readonly<Record<string, string>>;
  /** Values never to show in an error (the key). */
  readonly secrets: readonly (string | undefined)[];
  readonly context: ProviderCallContext;
  readonly idleTimeoutMs?: number | undefined;
  readonly headersTimeoutMs?: number | undefined;
  readonly dispatcher?: Dispatcher | undefined;
}

/** A stream that has produced its first content event (or ended): safe to hand to the caller. */
export interface OpenChatStream {
  /** Events decoded while peeking, to be yielded first. */
  readonly held: readonly StreamEvent[];
  /** The rest of the body, per network chunk. */
  readonly sse: SseBatchCursor<ChatSseItem>;
  readonly decoder: ChatStreamDecoder;
}

/** Anything past `response_started` commits the stream to the caller. */
function committed(events: readonly StreamEvent[]): boolean {
  return events.some((event) => event.type !== 'response_started');
}

function hasContent(events: readonly StreamEvent[]): boolean {
  return events.some((e) => e.type !== 'response_started' && e.type !== 'usage' && e.type !== 'error');
}

/** Feeds one SSE item (or the end of the body) to the decoder. */
export function decodeItem(decoder: ChatStreamDecoder, next: IteratorResult<ChatSseItem>): StreamEvent[] {
  if (next.done) return decoder.end();
  return next.value.kind === 'done' ? decoder.done() : decoder.push(next.value.data);
}

/**
 * One attempt: sends the request, maps an HTTP error to a typed error, then peeks (DESIGN.md §3):
 * events are held until the first content event, and an error chunk before it is thrown, so
 * `withRetries` can retry it (a 200 that carries a rate limit, say).
 *
 * @example
 * const open = await withRetries(() => openChatStream(call), { policy, signal });
 * for (const event of open.held) yield event;
 */
export async function openChatStream(call: ChatCall): Promise<OpenChatStream> {
  const { signal, onUpstreamRequest, onWarning } = call.context;
  onUpstreamRequest?.({ url: call.url, method: 'POST', headers: call.loggedHeaders, body: call.body });
  const response = await sendUpstream({
    url: call.url,
    headers: call.headers,
    body: JSON.stringify(call.body),
    provider: call.provider,
    ...(signal ? { signal } : {}),
    ...(call.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: call.idleTimeoutMs }),
    ...(call.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: call.headersTimeoutMs }),
    ...(call.dispatcher ? { dispatcher: call.dispatcher } : {}),
  });
  if (response.status < 200 || response.status >= 300) {
    const text = await readBodyText(response.body);
    throw chatHttpError(response.status, text, response.headers, call.provider, call.secrets);
  }
  const decoder = new ChatStreamDecoder({
    provider: call.provider,
    model: call.body.model,
    secrets: call.secrets,
    ...(onWarning ? { onWarning } : {}),
  });
  const sse = readChatSseCursor(response, {
    provider: call.provider,
    ...(call.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: call.idleTimeoutMs }),
    ...(onWarning ? { onWarning } : {}),
    ...(call.context.onUpstreamEvent ? { onEvent: call.context.onUpstreamEvent } : {}),
    finished: () => decoder.finished,
  });
  const held: StreamEvent[] = [];
  try {
    for (;;) {
      const next = sse.shift() ?? (await sse.next());
      held.push(...decodeItem(decoder, next));
      if (decoder.failure && !hasContent(held)) throw decoder.failure;
      if (next.done || decoder.finished || committed(held)) return { held, sse, decoder };
    }
  } catch (error) {
    await sse.return();
    throw error;
  }
}
