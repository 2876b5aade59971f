import type { FastifyReply, FastifyRequest } from 'fastify';
import { NodexError } from '../core/errors.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { GatewayContext } from './gateway-context.js';
import type { Caller } from './key-auth.js';
import { isL402, redeemL402 } from './payments/payments.js';

const callers = new WeakMap<FastifyRequest, Caller>();
/** Requests without a key let through because payments can sell them one (issue_key challenge). */
const unpaid = new WeakSet<FastifyRequest>();

/** The caller the onRequest hook authenticated. */
export function callerOf(req: FastifyRequest): Caller | undefined {
  return callers.get(req);
}

/** Whether the request came without a key while payments are on: it gets an issue_key challenge. */
export function awaitsPayment(req: FastifyRequest): boolean {
  return unpaid.has(req);
}

function hasNoKey(req: FastifyRequest): boolean {
  return !req.headers.authorization && !req.headers['x-api-key'] && !req.headers['api-key'];
}

/**
 * The key check of a protocol route, run before the body is read (so an unknown caller cannot make
 * the gateway receive and parse a large body). With payments on, an L402 credential is redeemed
 * at the token-meter here and its answer relayed; a request with no key at all is let through to
 * get a payment challenge once its model is known.
 */
export async function authenticateRequest(
  req: FastifyRequest,
  reply: FastifyReply,
  protocol: ClientProtocol,
  ctx: GatewayContext,
): Promise<FastifyReply | undefined> {
  const payments = ctx.services.payments;
  const authorization = req.headers.authorization;
  if (payments && isL402(authorization)) {
    const answer = await redeemL402(payments, authorization ?? '');
    ctx.log.info({ request_id: req.id, status: answer.status, payment: 'redeem' }, 'request');
    if (answer.error) {
      const encoded = protocol.encodeError(answer.error, { requestId: req.id });
      return reply.status(answer.status).headers(answer.headers).send(encoded.body);
    }
    return reply.status(answer.status).headers(answer.headers).send(answer.body);
  }
  if (payments && hasNoKey(req) && !ctx.services.auth.allowsAnyKey) {
    unpaid.add(req);
    return undefined;
  }
  try {
    callers.set(req, await ctx.services.auth.authenticate(req.headers));
    return undefined;
  } catch (error) {
    const code = NodexError.isInstance(error) ? error.code : 'internal_error';
    ctx.log.info(
      { request_id: req.id, route: req.routeOptions.url, status: 401, error_code: code },
      'request',
    );
    throw error;
  }
}
