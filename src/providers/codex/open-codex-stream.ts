import type { Dispatcher } from 'undici';
import type { TokenSource } from '../../auth/token-source.js';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext } from '../../core/provider.js';
import { readBodyText, sendUpstream, type UpstreamResponse } from '../http/send-upstream.js';
import { readSseJsonCursor, type SseBatchCursor, type SseJsonEvent } from '../http/upstream-sse.js';
import { codexHttpError } from './codex-errors.js';
import { type CodexHeaderSettings, codexHeaders, redactCodexHeaders } from './codex-headers.js';
import type { CodexNames } from './codex-names.js';
import { parseCodexQuota } from './codex-quota.js';
import type { CodexRequestBody } from './codex-wire.js';
import { CodexStreamDecoder } from './decode-codex-stream.js';

/** One `stream()` call, shared by its attempts. */
export interface CodexCall {
  readonly provider: string;
  readonly url: string;
  readonly body: CodexRequestBody;
  readonly names: CodexNames;
  readonly headers: CodexHeaderSettings;
  readonly tokenSource: TokenSource;
  readonly context: ProviderCallContext;
  /** Set after the one refresh a 401 earns (DESIGN.md §4): a second 401 fails. */
  refreshed: boolean;
  readonly idleTimeoutMs?: number | undefined;
  readonly headersTimeoutMs?: number | undefined;
  readonly dispatcher?: Dispatcher | undefined;
}

/** A stream that has produced its first content event (or ended): safe to hand to the caller. */
export interface OpenCodexStream {
  /** Events decoded while peeking, to be yielded first. */
  readonly held: readonly StreamEvent[];
  /** The rest of the body, per network chunk. */
  readonly sse: SseBatchCursor<SseJsonEvent>;
  readonly decoder: CodexStreamDecoder;
}

async function send(call: CodexCall): Promise<UpstreamResponse> {
  const { signal, onUpstreamRequest } = call.context;
  const payload = JSON.stringify(call.body);
  let token = await call.tokenSource.getToken(signal);
  for (;;) {
    const headers = codexHeaders(token, call.headers, {
      ...(call.body.prompt_cache_key ? { sessionId: call.body.prompt_cache_key } : {}),
    });
    onUpstreamRequest?.({
      url: call.url,
      method: 'POST',
      headers: redactCodexHeaders(headers),
      body: call.body,
    });
    const response = await sendUpstream({
      url: call.url,
      headers,
      body: payload,
      provider: call.provider,
      ...(signal ? { signal } : {}),
      ...(call.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: call.idleTimeoutMs }),
      ...(call.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: call.headersTimeoutMs }),
      ...(call.dispatcher ? { dispatcher: call.dispatcher } : {}),
    });
    if (response.status !== 401 || call.refreshed) return response;
    call.refreshed = true;
    await readBodyText(response.body);
    token = await call.tokenSource.refreshAfterReject(token.accessToken, signal);
  }
}

/** Anything past `response_started` commits the stream to the caller. */
function committed(events: readonly StreamEvent[]): boolean {
  return events.some((event) => event.type !== 'response_started');
}

/** Text, reasoning or a tool call: once one is out, a later failure can no longer be retried. */
function hasContent(events: readonly StreamEvent[]): boolean {
  return events.some((e) => e.type !== 'response_started' && e.type !== 'usage' && e.type !== 'error');
}

/**
 * One attempt: sends the request (refreshing the token once after a 401), maps an HTTP error to a
 * typed error, then peeks (wire.md §3 quirk 3, DESIGN.md §3): `response.created` / `in_progress`
 * are held until the first content event, and a failure reported before it (`error`,
 * `response.failed`, an overload after a 200) is thrown, so `withRetries` can retry it.
 *
 * @example
 * const open = await withRetries(() => openCodexStream(call), { policy, signal });
 * for (const event of open.held) yield event;
 */
export async function openCodexStream(call: CodexCall): Promise<OpenCodexStream> {
  const response = await send(call);
  if (response.status < 200 || response.status >= 300) {
    const text = await readBodyText(response.body);
    throw codexHttpError(response.status, text, response.headers, call.provider);
  }
  const { onWarning } = call.context;
  const quota = parseCodexQuota(response.headers, call.provider);
  const decoder = new CodexStreamDecoder({
    provider: call.provider,
    model: call.body.model,
    names: call.names,
    ...(quota ? { quota } : {}),
    ...(onWarning ? { onWarning } : {}),
  });
  const sse = readSseJsonCursor(response, {
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
      held.push(...(next.done ? decoder.end() : decoder.push(next.value.data)));
      if (decoder.failure && !hasContent(held)) throw decoder.failure;
      if (next.done || committed(held)) return { held, sse, decoder };
    }
  } catch (error) {
    await sse.return();
    throw error;
  }
}
