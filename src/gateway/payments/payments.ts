import type { ErrorCode } from '../../core/error-codes.js';
import { NodexError } from '../../core/errors.js';
import { openaiErrorBody } from '../../protocols/openai-error.js';
import { type ChallengePurpose, type MeterAnswer, TokenMeterClient } from './token-meter.js';

/**
 * The payment decisions the gateway makes (research/seeds-spec.md §A.8), as answers to send:
 * a 402 L402 challenge for a caller without a key or without balance, the redemption of an
 * `Authorization: L402 <macaroon>:<preimage>` header, and `/v1/pricing`. nodex holds no payment
 * secret: the token-meter issues and checks challenges, then credits keys through the admin API.
 */

/**
 * What to answer. `body` is JSON, sent with `content-type: application/json`. When nodex made the
 * body itself (the meter sent none, sent text, or could not be reached), `error` carries it too, so a
 * route may render it in its own protocol's shape instead — keeping `headers` (`www-authenticate`).
 */
export interface PaymentAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly error?: NodexError;
}

/** The `payments` config section (config/schema.ts PaymentsSchema). */
export interface PaymentsSettings {
  readonly enabled: boolean;
  readonly token_meter_url?: string | undefined;
  /** Milliseconds. */
  readonly timeout: number;
}

const JSON_TYPE = { 'content-type': 'application/json' } as const;
const MESSAGE_LIMIT = 500;

/**
 * The token-meter client when payments are on — `enabled` and a non-blank `token_meter_url` — else
 * undefined. Throws `config_invalid` for a URL that is neither http(s):// nor unix://.
 *
 * @example
 * const meter = createTokenMeter(config.payments); // undefined by default
 */
export function createTokenMeter(settings: PaymentsSettings): TokenMeterClient | undefined {
  const url = settings.token_meter_url?.trim() ?? '';
  if (!settings.enabled || url === '') return undefined;
  return new TokenMeterClient({ url, timeoutMs: settings.timeout });
}

/**
 * Whether an Authorization header presents an L402 credential (scheme `L402`, any case), which
 * the gateway redeems instead of running the model call.
 *
 * @example
 * isL402('L402 AgEL…:9f86d0…'); // true
 * isL402('Bearer nk-abc-xyz'); // false
 */
export function isL402(authorization: string | undefined): boolean {
  return authorization !== undefined && /^l402(?:\s|$)/i.test(authorization.trim());
}

function madeAnswer(error: NodexError, headers: Readonly<Record<string, string>> = {}): PaymentAnswer {
  return {
    status: error.status,
    headers: { ...headers, ...JSON_TYPE },
    body: openaiErrorBody(error.message, error.code),
    error,
  };
}

/** Removes the caller's credential from a text nodex will put in an error message. */
function redact(text: string, authHeader: string): string {
  let out = text;
  for (const part of authHeader.split(/[\s:]+/)) {
    if (part.length >= 8) out = out.split(part).join('[redacted]');
  }
  return out;
}

/** The error code nodex gives a meter's refusal, by its status. */
function refusalCode(status: number): ErrorCode {
  if (status === 401) return 'authentication_required';
  if (status === 409) return 'conflict';
  if (status === 400) return 'invalid_request';
  if (status >= 500) return 'upstream_error';
  return 'payment_required';
}

/** A meter's `{error:{message}}` refusal (not a challenge: those carry an invoice). */
function refusalMessage(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || 'invoice' in body) return undefined;
  const error = (body as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const message = (error as { message?: unknown }).message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * Relays a meter answer: a challenge or a credit as is; a refusal (`{error:{message}}`), an empty
 * or a text body becomes an error nodex makes, so each route answers in its own protocol's shape.
 */
function relay(answer: MeterAnswer, authHeader: string): PaymentAnswer {
  const kept: Record<string, string> = {};
  const challenge = answer.headers['www-authenticate'];
  if (challenge !== undefined) kept['www-authenticate'] = challenge;
  const { status, body } = answer;
  const refusal = status >= 400 ? refusalMessage(body) : undefined;
  if (refusal !== undefined) {
    const message = redact(refusal, authHeader).slice(0, MESSAGE_LIMIT);
    return madeAnswer(new NodexError(refusalCode(status), message, { status }), kept);
  }
  if (body !== undefined && typeof body !== 'string')
    return { status, headers: { ...kept, ...JSON_TYPE }, body };
  if (status < 400) {
    return madeAnswer(
      new NodexError('upstream_protocol', 'token-meter sent an answer that is not JSON'),
      kept,
    );
  }
  const message =
    body === undefined || body.trim() === ''
      ? 'payment required'
      : redact(body, authHeader).slice(0, MESSAGE_LIMIT);
  return madeAnswer(new NodexError('payment_required', message, { status }), kept);
}

function unreachable(error: unknown): PaymentAnswer {
  const message = NodexError.isInstance(error) ? error.message : 'token-meter call failed';
  return madeAnswer(new NodexError('payment_required', message, { status: 402, provider: 'token-meter' }));
}

/**
 * The 402 L402 challenge for a caller without a key (`issue_key`, keyId `''`) or a key without
 * balance (`topup`), obtained from the meter and relayed: its status, `WWW-Authenticate` header and
 * JSON body. An unreachable meter still gives 402, with the transport error as message.
 *
 * @example
 * const answer = await paymentChallenge(meter, { purpose: 'topup', keyId: 'k1', model: 'gpt-5', authHeader });
 * reply.status(answer.status).headers(answer.headers).send(answer.body);
 */
export async function paymentChallenge(
  client: TokenMeterClient,
  input: {
    readonly purpose: ChallengePurpose;
    readonly keyId: string;
    readonly model: string;
    readonly authHeader?: string | undefined;
  },
): Promise<PaymentAnswer> {
  try {
    const answer = await client.challenge({
      purpose: input.purpose,
      key_id: input.keyId,
      model: input.model,
      auth_header: input.authHeader ?? '',
    });
    return relay(answer, input.authHeader ?? '');
  } catch (error) {
    return unreachable(error);
  }
}

/**
 * Redeems an `Authorization: L402 <macaroon>:<preimage>` header at the meter and relays its answer
 * (200 `{ key_id, api_key?, tokens }` once paid). The model call is not run: the caller retries with
 * `Authorization: Bearer <api_key>`. An unreachable meter gives 402.
 *
 * @example
 * if (isL402(request.headers.authorization)) return send(await redeemL402(meter, request.headers.authorization));
 */
export async function redeemL402(client: TokenMeterClient, authHeader: string): Promise<PaymentAnswer> {
  try {
    return relay(await client.redeem(authHeader), authHeader);
  } catch (error) {
    return unreachable(error);
  }
}

/**
 * The `GET /v1/pricing` answer: 200 `{status:'disabled'}` without payments, 200
 * `{status:'unavailable'}` when the meter cannot be reached or sends no JSON, else the meter's
 * status and JSON body.
 *
 * @example
 * const answer = await pricingAnswer(createTokenMeter(config.payments));
 * reply.status(answer.status).headers(answer.headers).send(answer.body);
 */
export async function pricingAnswer(client: TokenMeterClient | undefined): Promise<PaymentAnswer> {
  if (client === undefined) {
    return { status: 200, headers: JSON_TYPE, body: { status: 'disabled', message: 'payments not enabled' } };
  }
  let answer: { readonly status: number; readonly body: unknown };
  try {
    answer = await client.pricing();
  } catch {
    return {
      status: 200,
      headers: JSON_TYPE,
      body: { status: 'unavailable', message: 'token-meter not running' },
    };
  }
  if (answer.body === undefined || typeof answer.body === 'string') {
    return {
      status: 200,
      headers: JSON_TYPE,
      body: { status: 'unavailable', message: 'token-meter sent a pricing answer that is not JSON' },
    };
  }
  return { status: answer.status, headers: JSON_TYPE, body: answer.body };
}
