import type { FastifyReply, FastifyRequest } from 'fastify';
import { ResponseAccumulator } from '../core/accumulate.js';
import { isErrorCode } from '../core/error-codes.js';
import { errorFromEvent, InvalidRequestError, NodexError, toNodexError } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';
import type { CanonicalRequest } from '../core/request.js';
import type { CanonicalResponse } from '../core/response.js';
import type { Warning } from '../core/warnings.js';
import type { ClientProtocol, DecodedClientRequest, EncodeContext } from '../protocols/client-protocol.js';
import type { Route } from '../routing/router.js';
import { authenticate, type Caller } from './api-key-auth.js';
import type { GatewayContext } from './gateway-context.js';
import { peekFirstContent } from './peek.js';
import { SseWriter } from './sse-writer.js';
import { warningsHeader } from './warnings-header.js';

/** Per-route hooks around the shared pipeline (the Responses route's session repair, say). */
export interface RouteHooks {
  /** After decoding and routing, before the provider call; may reject the request. */
  readonly prepare?: (
    request: CanonicalRequest,
    ctx: RequestState,
  ) => CanonicalRequest | Promise<CanonicalRequest>;
  /** After a complete (non-failed) response. */
  readonly completed?: (response: CanonicalResponse, ctx: RequestState) => void;
}

/** What the pipeline knows about one request as it goes. */
export interface RequestState {
  readonly id: string;
  readonly route: string;
  readonly started: number;
  readonly http: FastifyRequest;
  readonly warnings: Warning[];
  caller?: Caller;
  decoded?: DecodedClientRequest;
  target?: Route;
  firstContentAt?: number;
  status?: number;
  stream?: boolean;
  response?: CanonicalResponse;
  error?: NodexError;
}

/**
 * The one place that knows the order of a protocol request (DESIGN.md §2):
 * request-id (fastify genReqId) → body-limit (fastify bodyLimit) → api-key-auth → decode → route →
 * provider call (retries before the first byte) → peek → encode (stream or response) → log.
 * Errors before the first byte are answered in the protocol's own shape with the right status;
 * after it, they become the protocol's error event.
 */
export async function runPipeline(
  protocol: ClientProtocol,
  routeName: string,
  http: FastifyRequest,
  reply: FastifyReply,
  ctx: GatewayContext,
  hooks: RouteHooks = {},
): Promise<void> {
  const state: RequestState = {
    id: http.id,
    route: routeName,
    started: performance.now(),
    http,
    warnings: [],
  };
  const controller = new AbortController();
  const untrack = ctx.inflight.track(controller);
  // The client leaving (before the response ends) cancels the upstream (DESIGN.md §3).
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort('client_closed');
  });
  try {
    if (ctx.inflight.shuttingDown)
      throw new NodexError('provider_unavailable', 'the gateway is shutting down', { status: 503 });
    state.caller = authenticate(http.headers, ctx.auth);
    const decoded = decode(protocol, http.body, ctx, state);
    state.decoded = decoded;
    state.stream = decoded.stream;
    const target = await ctx.route(decoded.request.model);
    state.target = target;
    let request: CanonicalRequest = { ...decoded.request, model: target.model };
    if (hooks.prepare) request = await hooks.prepare(request, state);
    const encode: EncodeContext = {
      request,
      requestedModel: decoded.request.model,
      requestId: state.id,
      ...(decoded.extras ? { extras: decoded.extras } : {}),
    };
    const iterator = target.provider
      .stream(request, {
        signal: controller.signal,
        requestId: state.id,
        maxRetries: ctx.maxRetries,
        onWarning: (warning) => state.warnings.push(warning),
        ...providerKey(http),
      })
      [Symbol.asyncIterator]();
    const peeked = await peekFirstContent(iterator);
    state.firstContentAt = performance.now();
    if (decoded.stream)
      await sendStream(
        protocol,
        reply,
        ctx,
        state,
        encode,
        peeked.held,
        peeked.ended ? undefined : iterator,
        controller.signal,
        hooks,
      );
    else
      await sendResponse(
        protocol,
        reply,
        state,
        encode,
        peeked.held,
        peeked.ended ? undefined : iterator,
        controller.signal,
        hooks,
      );
  } catch (thrown) {
    const error = controller.signal.aborted ? abortError(controller.signal.reason) : toNodexError(thrown);
    state.error = error;
    if (!reply.raw.headersSent && !reply.sent) sendError(protocol, reply, state, error);
  } finally {
    untrack();
    settle(ctx, state);
  }
}

function decode(
  protocol: ClientProtocol,
  body: unknown,
  ctx: GatewayContext,
  state: RequestState,
): DecodedClientRequest {
  return protocol.decodeRequest(body, {
    defaultModel: ctx.defaultModel,
    onIssue: (issue) => {
      // A fatal issue is the caller's mistake (400 naming the parameter); the rest are dropped and reported.
      if (issue.fatal) throw new InvalidRequestError(issue.message, { param: issue.param });
      state.warnings.push({ feature: issue.param, details: `${issue.code}: ${issue.message}` });
    },
    onWarning: (warning) => state.warnings.push(warning),
  });
}

function providerKey(http: FastifyRequest): { providerKey?: string } {
  const value = http.headers['x-provider-key'];
  const key = Array.isArray(value) ? value[0] : value;
  return key ? { providerKey: key } : {};
}

function abortError(reason: unknown): NodexError {
  return reason === 'shutdown'
    ? new NodexError('provider_unavailable', 'the gateway is shutting down', { status: 503 })
    : new NodexError('aborted', 'the client closed the connection');
}

function sendError(
  protocol: ClientProtocol,
  reply: FastifyReply,
  state: RequestState,
  error: NodexError,
): void {
  const encoded = protocol.encodeError(error, { requestId: state.id });
  state.status = encoded.status;
  const header = warningsHeader(state.warnings);
  if (header) reply.header('x-nodex-warnings', header);
  reply
    .status(encoded.status)
    .headers(encoded.headers ?? {})
    .send(encoded.body);
}

async function sendResponse(
  protocol: ClientProtocol,
  reply: FastifyReply,
  state: RequestState,
  encode: EncodeContext,
  held: readonly StreamEvent[],
  rest: AsyncIterator<StreamEvent> | undefined,
  signal: AbortSignal,
  hooks: RouteHooks,
): Promise<void> {
  const accumulator = new ResponseAccumulator();
  for (const event of held) accumulator.push(event);
  while (rest) {
    const next = await rest.next();
    if (next.done) break;
    accumulator.push(next.value);
  }
  if (signal.aborted) throw abortError(signal.reason);
  const response = accumulator.result();
  state.response = response;
  if (response.error) {
    const { code, message, status, retryable } = response.error;
    throw new NodexError(isErrorCode(code) ? code : 'stream_error', message, { status, retryable });
  }
  hooks.completed?.(response, state);
  state.status = 200;
  const header = warningsHeader(state.warnings);
  if (header) reply.header('x-nodex-warnings', header);
  reply.status(200).send(protocol.encodeResponse(response, encode));
}

async function sendStream(
  protocol: ClientProtocol,
  reply: FastifyReply,
  ctx: GatewayContext,
  state: RequestState,
  encode: EncodeContext,
  held: readonly StreamEvent[],
  rest: AsyncIterator<StreamEvent> | undefined,
  signal: AbortSignal,
  hooks: RouteHooks,
): Promise<void> {
  const encoder = protocol.createStreamEncoder(encode);
  const accumulator = new ResponseAccumulator();
  const headers: Record<string, string> = {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': state.id,
    'x-accel-buffering': 'no',
  };
  const header = warningsHeader(state.warnings);
  if (header) headers['x-nodex-warnings'] = header;
  reply.hijack();
  reply.raw.writeHead(200, headers);
  state.status = 200;
  const writer = new SseWriter(reply.raw, ctx.keepaliveMs);
  ctx.metrics.activeStreams.inc();
  try {
    for (const event of held) {
      accumulator.push(event);
      await writer.write(encoder.event(event));
    }
    let failure: NodexError | undefined;
    while (rest && !writer.closed) {
      const next = await rest.next();
      if (next.done) break;
      accumulator.push(next.value);
      if (next.value.type === 'error') {
        // After the first byte an upstream failure is the protocol's error event, and the end.
        failure = errorFromEvent(next.value);
        break;
      }
      await writer.write(encoder.event(next.value));
    }
    if (writer.closed || signal.aborted) {
      await rest?.return?.();
      if (signal.reason === 'shutdown' && !writer.closed) writer.end(encoder.error(abortError('shutdown')));
      state.error = abortError(signal.reason ?? 'client_closed');
      return;
    }
    const response = accumulator.result();
    state.response = response;
    if (failure || response.error) {
      // An upstream error event, or a provider that ended without a terminal event.
      state.error =
        failure ?? new NodexError('stream_error', response.error?.message ?? 'the stream ended early');
      writer.end(encoder.error(state.error));
      return;
    }
    hooks.completed?.(response, state);
    writer.end(encoder.end());
  } catch (thrown) {
    const error = signal.aborted ? abortError(signal.reason) : toNodexError(thrown);
    state.error = error;
    state.response = accumulator.result();
    writer.end(encoder.error(error));
  } finally {
    ctx.metrics.activeStreams.dec();
  }
}

/** The last step: one access-log line and the metrics, whatever happened. */
function settle(ctx: GatewayContext, state: RequestState): void {
  const seconds = (performance.now() - state.started) / 1000;
  const provider = state.target?.provider.id ?? 'none';
  const model = state.target?.model ?? state.decoded?.request.model ?? 'unknown';
  const status = state.status ?? (state.error?.code === 'aborted' ? 499 : (state.error?.status ?? 500));
  const usage = state.response?.usage ?? null;
  ctx.metrics.requests.inc({ route: state.route, model, provider, status: String(status) });
  ctx.metrics.duration.observe({ route: state.route, provider }, seconds);
  if (state.firstContentAt)
    ctx.metrics.ttft.observe({ route: state.route, provider }, (state.firstContentAt - state.started) / 1000);
  if (usage) {
    ctx.metrics.tokens.inc({ provider, model, kind: 'input' }, usage.input_tokens);
    ctx.metrics.tokens.inc({ provider, model, kind: 'output' }, usage.output_tokens);
    if (usage.cached_tokens) ctx.metrics.tokens.inc({ provider, model, kind: 'cached' }, usage.cached_tokens);
    if (usage.reasoning_tokens)
      ctx.metrics.tokens.inc({ provider, model, kind: 'reasoning' }, usage.reasoning_tokens);
  }
  if (state.error?.code.startsWith('upstream_') || state.error?.code === 'stream_error')
    ctx.metrics.upstreamErrors.inc({ provider, code: state.error.code });
  for (const warning of state.warnings) ctx.metrics.warnings.inc({ feature: warning.feature });
  ctx.log.info(
    {
      request_id: state.id,
      route: state.route,
      key_id: state.caller?.keyId,
      model,
      provider,
      status,
      stream: state.stream ?? false,
      duration_ms: Math.round(seconds * 1000),
      ...(state.firstContentAt ? { ttft_ms: Math.round(state.firstContentAt - state.started) } : {}),
      ...(usage ? { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens } : {}),
      ...(state.warnings.length > 0 ? { warnings: state.warnings.length } : {}),
      ...(state.error ? { error_code: state.error.code, error: state.error.message } : {}),
    },
    'request',
  );
}
