import type { FastifyReply } from 'fastify';
import { NodexError } from '../core/errors.js';
import type { CanonicalRequest } from '../core/request.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { GatewayContext } from './gateway-context.js';
import type { Caller } from './key-auth.js';
import { modelAllowed } from './limits/limiter.js';
import { type PaymentAnswer, paymentChallenge } from './payments/payments.js';
import type { RequestState } from './request-state.js';

/** A rough, deliberately high input estimate: the request body's bytes / 4 (JSON syntax counts too). */
export function estimateInputTokens(state: RequestState): number {
  const length = Number(state.http.headers['content-length']);
  const bytes = Number.isFinite(length) && length > 0 ? length : JSON.stringify(state.http.body ?? '').length;
  return Math.ceil(bytes / 4);
}

/** Sends a token-meter answer: the meter's own body, or nodex's error in the protocol's shape. */
export function sendPaymentAnswer(
  protocol: ClientProtocol,
  reply: FastifyReply,
  state: RequestState,
  answer: PaymentAnswer,
): void {
  state.status = answer.status;
  const body = answer.error ? protocol.encodeError(answer.error, { requestId: state.id }).body : answer.body;
  reply.status(answer.status).headers(answer.headers).send(body);
}

function checkModel(caller: Caller, requested: string, resolved: string): void {
  // An alias the policy names is as good as the model it stands for.
  if (modelAllowed(caller.policy, resolved) || modelAllowed(caller.policy, requested)) return;
  throw new NodexError('permission_denied', `this key may not use model "${requested}"`, { param: 'model' });
}

/**
 * What a key's policy demands once the model is known: the model is allowed (403), the key has
 * tokens left when it keeps a balance (402, with an L402 top-up challenge when payments are on),
 * and its tpm and quota can hold the request's estimate (429). Returns false when a payment
 * challenge was sent instead.
 */
export async function guardRequest(
  ctx: GatewayContext,
  state: RequestState,
  protocol: ClientProtocol,
  reply: FastifyReply,
  request: CanonicalRequest,
): Promise<boolean> {
  const caller = state.caller;
  if (!caller) return true;
  checkModel(caller, state.decoded?.request.model ?? request.model, request.model);
  const balance = caller.record?.token_balance;
  if (balance !== undefined && balance <= 0) {
    const payments = ctx.services.payments;
    if (!payments)
      throw new NodexError(
        'payment_required',
        'this key has no tokens left: add some with `nodex keys add-tokens`',
      );
    // The key id identifies the account to top up; its secret is not the meter's business.
    const answer = await paymentChallenge(payments, {
      purpose: 'topup',
      keyId: caller.keyId,
      model: request.model,
    });
    sendPaymentAnswer(protocol, reply, state, answer);
    return false;
  }
  const { tpm, quota } = caller.policy;
  if (tpm !== undefined || quota !== undefined) {
    const estimate = estimateInputTokens(state) + (request.max_output_tokens ?? ctx.reserveOutputTokens);
    state.reservation = await ctx.services.limiter.reserveTokens(caller, estimate);
    Object.assign(state.limitHeaders, state.reservation.headers());
  }
  return true;
}
