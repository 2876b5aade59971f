import { z } from 'zod';
import type { ErrorCode } from '../../core/error-codes.js';
import { NodexError } from '../../core/errors.js';
import { httpError } from '../http/http-error.js';
import { retryAfterMs } from '../http/retry.js';
import { type ChatErrorBody, ChatErrorBodySchema } from './chat-stream-schemas.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

const RATE_LIMITED = new Set([
  'rate_limit_exceeded',
  'rate_limit_error',
  'resource_exhausted',
  'tokens',
  'requests',
]);
const USAGE_LIMIT = new Set(['insufficient_quota', 'billing_hard_limit_reached']);
const UNAUTHORIZED = new Set([
  'invalid_api_key',
  'authentication_error',
  'unauthenticated',
  'permission_denied',
  'api_key_invalid',
]);
const OVERLOADED = new Set([
  'server_is_overloaded',
  'overloaded_error',
  'service_unavailable_error',
  'unavailable',
]);
const CONTEXT = /context[_ ]length|maximum context|context window|input token count.*exceeds/i;

/**
 * Removes secrets from upstream text before it reaches an error: the key itself, and anything
 * shaped like an OpenAI (`sk-…`) or Google (`AIza…`) key or a bearer token, masked or not (OpenAI's
 * 401 echoes `sk-proj-****abcd`).
 *
 * @example
 * redactSecrets('Incorrect API key provided: sk-abc***xyz.', []); // 'Incorrect API key provided: [redacted].'
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  return out
    .replace(/\bsk-[\w*.-]+/g, '[redacted]')
    .replace(/\bAIza[\w-]{10,}/g, '[redacted]')
    .replace(/\bBearer\s+\S+/gi, 'Bearer [redacted]');
}

/** Google's `RetryInfo.retryDelay` (`"17s"`) inside `details`, in milliseconds. */
function retryDelayMs(body: ChatErrorBody): number | undefined {
  for (const detail of body.details ?? []) {
    const delay = (detail as { retryDelay?: unknown } | null)?.retryDelay;
    const match = typeof delay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(delay) : null;
    if (match) return Number.parseFloat(match[1] ?? '0') * 1000;
  }
  const said = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s)\b/i.exec(body.message ?? '');
  if (!said) return undefined;
  const value = Number.parseFloat(said[1] ?? '0');
  return said[2]?.toLowerCase() === 'ms' ? value : value * 1000;
}

function reasons(body: ChatErrorBody): string[] {
  const out = [body.code, body.type, body.status].filter((v): v is string => typeof v === 'string');
  for (const detail of body.details ?? []) {
    const reason = (detail as { reason?: unknown } | null)?.reason;
    if (typeof reason === 'string') out.push(reason);
  }
  return out.map((value) => value.toLowerCase());
}

/**
 * The typed error for an error object whose code nodex recognises (OpenAI `code`/`type`, Google
 * `status` and `details[].reason`), else undefined.
 *
 * @example
 * recognizeChatError({ code: 'insufficient_quota', message: 'Quota' }, 'openai')?.code; // 'upstream_usage_limit'
 */
export function recognizeChatError(
  body: ChatErrorBody,
  provider: string,
  headers: HeaderBag = {},
  status?: number,
): NodexError | undefined {
  const ids = reasons(body);
  const where = status === undefined ? provider : `${provider} answered ${status}`;
  const message = `${where}: ${body.message ?? ids[0] ?? 'unknown error'}`;
  const providerCode = typeof body.code === 'string' ? body.code : (body.status ?? body.type ?? undefined);
  const base = { provider, ...(providerCode ? { providerCode } : {}) };
  const has = (set: ReadonlySet<string>) => ids.some((id) => set.has(id));
  if (ids.includes('context_length_exceeded') || CONTEXT.test(body.message ?? '')) {
    return new NodexError('context_length_exceeded', message, base);
  }
  if (has(USAGE_LIMIT)) return new NodexError('upstream_usage_limit', message, base);
  if (has(RATE_LIMITED)) {
    const delay = retryAfterMs(headers) ?? retryDelayMs(body);
    return new NodexError('upstream_rate_limited', message, {
      ...base,
      ...(delay === undefined ? {} : { retryAfterMs: delay }),
    });
  }
  if (has(UNAUTHORIZED)) return new NodexError('upstream_unauthorized', message, base);
  if (has(OVERLOADED)) return new NodexError('upstream_overloaded', message, base);
  return undefined;
}

const Envelope = z.union([
  z.looseObject({ error: ChatErrorBodySchema }).transform((body) => body.error),
  z
    .array(z.looseObject({ error: ChatErrorBodySchema }))
    .min(1)
    .transform((list) => list[0]?.error),
  z.looseObject({ error: z.string() }).transform((body) => ({ message: body.error })),
]);

/**
 * Reads an error body: `{"error":{…}}` (OpenAI, wire.md §6.1), Google's `[{"error":{…}}]`, or
 * `{"error":"text"}`. Undefined when it is none of these.
 *
 * @example
 * parseChatErrorBody('[{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}]')?.status; // 'RESOURCE_EXHAUSTED'
 */
export function parseChatErrorBody(text: string): ChatErrorBody | undefined {
  try {
    const parsed = Envelope.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps a non-2xx answer to a typed error: a recognised code first (quota, rate limit with
 * `retry-after` or Google's `retryDelay`, bad key, overload, context length), else by status
 * (401/403 upstream_unauthorized, 429 upstream_rate_limited, 503 upstream_overloaded, 5xx
 * retryable, other 4xx upstream_bad_request), with the host's message, secrets removed.
 *
 * @example
 * chatHttpError(401, '{"error":{"message":"Incorrect API key provided: sk-x***y."}}', {}, 'openai', []).code;
 * // 'upstream_unauthorized'
 */
export function chatHttpError(
  status: number,
  text: string,
  headers: HeaderBag,
  provider: string,
  secrets: readonly (string | undefined)[],
): NodexError {
  const clean = redactSecrets(text, secrets);
  const body = parseChatErrorBody(clean);
  const recognized = body ? recognizeChatError(body, provider, headers, status) : undefined;
  return recognized ?? httpError(status, body ? JSON.stringify({ error: body }) : clean, headers, provider);
}

/**
 * An in-stream `{"error":{…}}` chunk as a typed error: recognised codes, else `fallback`.
 *
 * @example
 * chatStreamError({ message: 'boom', type: 'server_error' }, 'gemini').code; // 'stream_error'
 */
export function chatStreamError(
  body: ChatErrorBody,
  provider: string,
  secrets: readonly (string | undefined)[] = [],
  fallback: ErrorCode = 'stream_error',
): NodexError {
  const clean: ChatErrorBody = body.message
    ? { ...body, message: redactSecrets(body.message, secrets) }
    : body;
  const recognized = recognizeChatError(clean, provider);
  if (recognized) return recognized;
  const label = typeof clean.code === 'string' ? clean.code : (clean.type ?? clean.status ?? undefined);
  return new NodexError(
    fallback,
    `${provider}: ${label ? `${label}: ` : ''}${clean.message ?? 'the upstream reported an error'}`,
    { provider, ...(label ? { providerCode: label } : {}) },
  );
}
