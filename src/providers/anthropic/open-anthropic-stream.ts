import type { Dispatcher } from 'undici';
import type { TokenSource } from '../../auth/token-source.js';
import { NodexError } from '../../core/errors.js';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext } from '../../core/provider.js';
import { readBodyText, sendUpstream, type UpstreamResponse } from '../http/send-upstream.js';
import { readSseJsonCursor, type SseBatchCursor, type SseJsonEvent } from '../http/upstream-sse.js';
import { anthropicHttpError } from './anthropic-errors.js';
import {
  type AnthropicCredential,
  type AnthropicHeaderSettings,
  anthropicHeaders,
  redactAnthropicHeaders,
} from './anthropic-headers.js';
import { parseAnthropicQuota } from './anthropic-quota.js';
import type { AnthropicToolIds, AnthropicToolNames } from './anthropic-tool-ids.js';
import type { AnthropicRequestBody } from './anthropic-wire.js';
import { AnthropicStreamDecoder } from './decode-anthropic-stream.js';

/** Where one request's credential comes from: the OAuth token source, or an API key. */
export type AnthropicCallAuth =
  | { readonly kind: 'oauth'; readonly tokenSource: TokenSource }
  | { readonly kind: 'api_key'; readonly apiKey: string };

/** One `stream()` call, shared by its attempts. */
export interface AnthropicCall {
  readonly provider: string;
  readonly url: string;
  readonly body: AnthropicRequestBody;
  readonly ids: AnthropicToolIds;
  readonly names: AnthropicToolNames;
  readonly auth: AnthropicCallAuth;
  readonly headers: AnthropicHeaderSettings;
  readonly context: ProviderCallContext;
  /** Set after the one refresh a 401 earns (DESIGN.md §4): a second 401 fails. */
  refreshed: boolean;
  readonly idleTimeoutMs?: number | undefined;
  readonly headersTimeoutMs?: number | undefined;
  readonly dispatcher?: Dispatcher | undefined;
}

/** A stream that has produced its first content event (or ended): safe to hand to the caller. */
export interface OpenAnthropicStream {
  readonly held: readonly StreamEvent[];
  /** The rest of the body, per network chunk. */
  readonly sse: SseBatchCursor<SseJsonEvent>;
  readonly decoder: AnthropicStreamDecoder;
}

/**
 * The credential for a request: the API key, or a current token from the OAuth source.
 *
 * @example
 * const credential = await anthropicCredential({ kind: 'api_key', apiKey }); // { kind: 'api_key', apiKey }
 */
export async function anthropicCredential(
  auth: AnthropicCallAuth,
  signal?: AbortSignal,
): Promise<AnthropicCredential> {
  if (auth.kind === 'api_key') return auth;
  return { kind: 'oauth', accessToken: (await auth.tokenSource.getToken(signal)).accessToken };
}

async function send(call: AnthropicCall): Promise<UpstreamResponse> {
  const { signal, onUpstreamRequest } = call.context;
  const payload = JSON.stringify(call.body);
  const { auth } = call;
  let credential = await anthropicCredential(auth, signal);
  for (;;) {
    const headers = anthropicHeaders(credential, call.headers);
    onUpstreamRequest?.({
      url: call.url,
      method: 'POST',
      headers: redactAnthropicHeaders(headers),
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
    if (response.status !== 401 || auth.kind !== 'oauth' || credential.kind !== 'oauth' || call.refreshed)
      return response;
    // One refresh and one retry for a rejected subscription token (DESIGN.md §4).
    call.refreshed = true;
    await readBodyText(response.body);
    const token = await auth.tokenSource.refreshAfterReject(credential.accessToken, signal);
    credential = { kind: 'oauth', accessToken: token.accessToken };
  }
}

/**
 * A failure before any content can still be retried: an `api_error` there is a server error
 * (retryable), not a broken stream.
 */
function beforeContent(error: NodexError): NodexError {
  if (error.code !== 'stream_error' || error.providerCode !== 'api_error') return error;
  return new NodexError('upstream_error', error.message, {
    provider: error.provider,
    providerCode: 'api_error',
  });
}

/** The peek ends at the first event past message_start's own (response_started and its usage). */
function committed(events: readonly StreamEvent[]): boolean {
  return events.some((event) => event.type !== 'response_started' && event.type !== 'usage');
}

function hasContent(events: readonly StreamEvent[]): boolean {
  return events.some((e) => e.type !== 'response_started' && e.type !== 'usage' && e.type !== 'error');
}

/**
 * One attempt: sends the request (refreshing an OAuth token once after a 401), maps an HTTP error
 * to a typed error, then peeks (DESIGN.md §3): `message_start` is held until the first content
 * event, and an `error` event before it (an overload after a 200) is thrown, so `withRetries` can
 * retry it.
 *
 * @example
 * const open = await withRetries(() => openAnthropicStream(call), { policy, signal });
 */
export async function openAnthropicStream(call: AnthropicCall): Promise<OpenAnthropicStream> {
  const response = await send(call);
  if (response.status < 200 || response.status >= 300) {
    const text = await readBodyText(response.body);
    throw anthropicHttpError(response.status, text, response.headers, call.provider, call.auth.kind);
  }
  const { onWarning } = call.context;
  const quota = parseAnthropicQuota(response.headers, call.provider);
  const decoder = new AnthropicStreamDecoder({
    provider: call.provider,
    model: call.body.model,
    ids: call.ids,
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
      if (decoder.failure && !hasContent(held)) throw beforeContent(decoder.failure);
      if (next.done || committed(held)) return { held, sse, decoder };
    }
  } catch (error) {
    await sse.return();
    throw error;
  }
}
