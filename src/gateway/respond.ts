import type { FastifyReply } from 'fastify';
import { ResponseAccumulator } from '../core/accumulate.js';
import { isErrorCode } from '../core/error-codes.js';
import { errorFromEvent, NodexError, toNodexError } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';
import type { ClientProtocol, EncodeContext } from '../protocols/client-protocol.js';
import type { GatewayContext } from './gateway-context.js';
import { LimitDeniedError, limitHeaders } from './limits/limiter.js';
import type { RequestState, RouteHooks } from './request-state.js';
import { SseWriter } from './sse-writer.js';
import { commitUsage } from './usage-commit.js';
import { warningsHeader } from './warnings-header.js';

/** One request's exchange with its caller, as the answer is written. */
export interface Exchange {
  readonly protocol: ClientProtocol;
  readonly reply: FastifyReply;
  readonly ctx: GatewayContext;
  readonly state: RequestState;
  readonly encode: EncodeContext;
  readonly signal: AbortSignal;
  readonly hooks: RouteHooks;
}

export function abortError(reason: unknown): NodexError {
  return reason === 'shutdown'
    ? new NodexError('provider_unavailable', 'the gateway is shutting down', { status: 503 })
    : new NodexError('aborted', 'the client closed the connection');
}

/** Output characters an event carries, for estimating the usage of a stream cut short. */
function outputChars(event: StreamEvent): number {
  switch (event.type) {
    case 'text_delta':
    case 'reasoning_delta':
    case 'tool_call_arguments_delta':
      return event.delta.length;
    default:
      return 0;
  }
}

function answerHeaders(state: RequestState): Record<string, string> {
  const warnings = warningsHeader(state.warnings);
  return { ...state.limitHeaders, ...(warnings ? { 'x-nodex-warnings': warnings } : {}) };
}

/** An error answer before the first byte, in the protocol's shape, with rate-limit headers. */
export function sendError(
  protocol: ClientProtocol,
  reply: FastifyReply,
  state: RequestState,
  error: NodexError,
): void {
  const encoded = protocol.encodeError(error, { requestId: state.id });
  state.status = encoded.status;
  reply
    .status(encoded.status)
    .headers(answerHeaders(state))
    .headers(error instanceof LimitDeniedError ? limitHeaders(error) : {})
    .headers(encoded.headers ?? {})
    .send(encoded.body);
}

/** A non-stream answer: the whole response, sent once its usage is committed. */
export async function sendResponse(
  x: Exchange,
  held: readonly StreamEvent[],
  rest: AsyncIterator<StreamEvent> | undefined,
): Promise<void> {
  const { state } = x;
  const accumulator = new ResponseAccumulator();
  for (const event of held) accumulator.push(event);
  while (rest) {
    const next = await rest.next();
    if (next.done) break;
    accumulator.push(next.value);
  }
  if (x.signal.aborted) {
    state.partialUsage = accumulator.usage;
    throw abortError(x.signal.reason);
  }
  const response = accumulator.result();
  state.response = response;
  if (response.error) {
    const { code, message, status, retryable } = response.error;
    throw new NodexError(isErrorCode(code) ? code : 'stream_error', message, { status, retryable });
  }
  x.hooks.completed?.(response, state);
  state.status = 200;
  await commitUsage(x.ctx, state);
  x.reply.status(200).headers(answerHeaders(state)).send(x.protocol.encodeResponse(response, x.encode));
}

/**
 * A stream: headers now, then each event encoded straight to the socket. A failure after the
 * first byte is the protocol's error event and the end; the usage is committed before the last
 * frame (success or error) goes out.
 */
export async function sendStream(
  x: Exchange,
  held: readonly StreamEvent[],
  rest: AsyncIterator<StreamEvent> | undefined,
): Promise<void> {
  const { state, ctx, reply, signal } = x;
  const encoder = x.protocol.createStreamEncoder(x.encode);
  const accumulator = new ResponseAccumulator();
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-request-id': state.id,
    'x-accel-buffering': 'no',
    ...answerHeaders(state),
  });
  state.status = 200;
  const writer = new SseWriter(reply.raw, ctx.keepaliveMs);
  let chars = 0;
  const push = (event: StreamEvent) => {
    accumulator.push(event);
    chars += outputChars(event);
  };
  ctx.metrics.activeStreams.inc();
  try {
    for (const event of held) {
      push(event);
      await writer.write(encoder.event(event));
    }
    let failure: NodexError | undefined;
    while (rest && !writer.closed) {
      const next = await rest.next();
      if (next.done) break;
      push(next.value);
      if (next.value.type === 'error') {
        // After the first byte an upstream failure is the protocol's error event, and the end.
        failure = errorFromEvent(next.value);
        break;
      }
      await writer.write(encoder.event(next.value));
    }
    state.outputChars = chars;
    if (writer.closed || signal.aborted) {
      await rest?.return?.();
      state.partialUsage = accumulator.usage;
      state.error = abortError(signal.reason ?? 'client_closed');
      await commitUsage(ctx, state);
      if (signal.reason === 'shutdown' && !writer.closed) writer.end(encoder.error(state.error));
      return;
    }
    const response = accumulator.result();
    state.response = response;
    if (failure || response.error) {
      // An upstream error event, or a provider that ended without a terminal event.
      state.error =
        failure ?? new NodexError('stream_error', response.error?.message ?? 'the stream ended early');
      await commitUsage(ctx, state);
      writer.end(encoder.error(state.error));
      return;
    }
    x.hooks.completed?.(response, state);
    await commitUsage(ctx, state);
    writer.end(encoder.end());
  } catch (thrown) {
    const error = signal.aborted ? abortError(signal.reason) : toNodexError(thrown);
    state.error = error;
    state.outputChars = chars;
    state.partialUsage = accumulator.usage;
    await commitUsage(ctx, state);
    writer.end(encoder.error(error));
  } finally {
    ctx.metrics.activeStreams.dec();
  }
}
