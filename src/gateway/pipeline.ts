import type { FastifyReply, FastifyRequest } from 'fastify';
import { InvalidRequestError, NodexError, toNodexError } from '../core/errors.js';
import type { CanonicalRequest } from '../core/request.js';
import type { ClientProtocol, DecodedClientRequest, EncodeContext } from '../protocols/client-protocol.js';
import { logRequest } from './access-log.js';
import type { GatewayContext } from './gateway-context.js';
import { observationOf } from './observe/gateway-observer.js';
import { paymentChallenge } from './payments/payments.js';
import { peekFirstContent } from './peek.js';
import { awaitsPayment, callerOf } from './request-caller.js';
import { guardRequest, sendPaymentAnswer } from './request-guard.js';
import type { RequestState, RouteHooks } from './request-state.js';
import { abortError, type Exchange, sendError, sendResponse, sendStream } from './respond.js';
import { commitUsage } from './usage-commit.js';

export type { RequestState, RouteHooks } from './request-state.js';

/**
 * The one place that knows the order of a protocol request (DESIGN.md §2):
 * request-id (fastify genReqId) → api-key-auth (onRequest hook, before the body is read) →
 * body-limit (fastify bodyLimit) → rate limit (rpm) → decode → route → policy (allowed model,
 * balance or payment challenge, tpm and quota reservation) → provider call (retries before the
 * first byte) → peek → encode (stream or response; usage committed before the last bytes) → log.
 * Errors before the first byte are answered in the protocol's own shape with the right status;
 * after it, they become the protocol's error event. When traces, the audit log or telemetry are
 * on (observe/), each step is also reported to the request's observation.
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
    startedAt: Date.now(),
    http,
    warnings: [],
    limitHeaders: {},
  };
  // Traces, audit, telemetry: undefined (and free) unless configured.
  const seen = observationOf(http);
  seen?.attach(state);
  const controller = new AbortController();
  const untrack = ctx.inflight.track(controller);
  // The client leaving (before the response ends) cancels the upstream (DESIGN.md §3).
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort('client_closed');
  });
  try {
    if (ctx.inflight.shuttingDown)
      throw new NodexError('provider_unavailable', 'the gateway is shutting down', { status: 503 });
    const caller = callerOf(http);
    state.caller = caller;
    if (caller)
      Object.assign(state.limitHeaders, (await ctx.services.limiter.admitRequest(caller)).headers());
    const decoded = decode(protocol, http.body, ctx, state);
    state.decoded = decoded;
    state.stream = decoded.stream;
    if (!caller) {
      if (!awaitsPayment(http) || !ctx.services.payments)
        throw new NodexError('authentication_required', 'missing API key');
      // No key, payments on: a challenge to buy one, for this model.
      const answer = await paymentChallenge(ctx.services.payments, {
        purpose: 'issue_key',
        keyId: '',
        model: decoded.request.model,
      });
      sendPaymentAnswer(protocol, reply, state, answer);
      return;
    }
    const target = await ctx.route(decoded.request.model);
    state.target = target;
    let request: CanonicalRequest = { ...decoded.request, model: target.model };
    if (!(await guardRequest(ctx, state, protocol, reply, request))) return;
    if (hooks.prepare) request = await hooks.prepare(request, state);
    const encode: EncodeContext = {
      request,
      requestedModel: decoded.request.model,
      requestId: state.id,
      ...(decoded.extras ? { extras: decoded.extras } : {}),
    };
    seen?.canonical(request, target.provider.id);
    const upstream = target.provider
      .stream(request, {
        signal: controller.signal,
        requestId: state.id,
        maxRetries: ctx.maxRetries,
        onWarning: (warning) => state.warnings.push(warning),
        ...providerKey(http),
        ...seen?.callContext(),
      })
      [Symbol.asyncIterator]();
    const iterator = seen ? seen.tapEvents(upstream) : upstream;
    const peeked = await peekFirstContent(iterator);
    state.firstContentAt = performance.now();
    const exchange: Exchange = {
      protocol: seen ? seen.tapProtocol(protocol) : protocol,
      reply,
      ctx,
      state,
      encode,
      signal: controller.signal,
      hooks,
    };
    const rest = peeked.ended ? undefined : iterator;
    if (decoded.stream) await sendStream(exchange, peeked.held, rest);
    else await sendResponse(exchange, peeked.held, rest);
  } catch (thrown) {
    const error = controller.signal.aborted ? abortError(controller.signal.reason) : toNodexError(thrown);
    state.error = error;
    if (!reply.raw.headersSent && !reply.sent) sendError(protocol, reply, state, error);
  } finally {
    untrack();
    void commitUsage(ctx, state);
    logRequest(ctx, state);
    seen?.finishState(state);
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
