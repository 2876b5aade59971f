import { z } from 'zod';
import type { ErrorCode } from '../../core/error-codes.js';
import { NodexError } from '../../core/errors.js';
import { httpError, upstreamMessage } from '../http/http-error.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The error object Codex sends in HTTP bodies, `error` events and `response.failed` (wire.md §2.4, §3.1). */
export const CodexErrorBodySchema = z.looseObject({
  type: z.string().nullish(),
  code: z.string().nullish(),
  message: z.string().nullish(),
  param: z.string().nullish(),
  plan_type: z.string().nullish(),
  resets_at: z.number().nullish(),
  resets_in_seconds: z.number().nullish(),
});

export type CodexErrorBody = z.infer<typeof CodexErrorBodySchema>;

const USAGE_LIMIT = new Set(['usage_limit_reached', 'usage_not_included', 'insufficient_quota']);
const RATE_LIMIT = new Set(['rate_limit_exceeded', 'rate_limit_error']);
const OVERLOADED = new Set([
  'server_is_overloaded',
  'service_unavailable_error',
  'overloaded_error',
  'slow_down',
]);

function ids(body: CodexErrorBody): string[] {
  return [body.code, body.type]
    .filter((id): id is string => typeof id === 'string')
    .map((id) => id.toLowerCase());
}

/**
 * "Please try again in 11.054s" / "in 250ms" (codex-rs `try_parse_retry_after`).
 *
 * @example
 * tryAgainInMs('Please try again in 11.054s.'); // 11054
 */
export function tryAgainInMs(message: string): number | undefined {
  const match = /try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|secs|seconds?)\b/i.exec(message);
  if (!match) return undefined;
  const value = Number.parseFloat(match[1] ?? '');
  return match[2]?.toLowerCase() === 'ms' ? value : value * 1000;
}

/**
 * The wait until a usage limit resets: `resets_at` when it lies in the future, else
 * `resets_in_seconds` (CPA `parseCodexRetryAfter`, wire.md §2.4).
 *
 * @example
 * usageLimitRetryAfterMs({ resets_in_seconds: 60 }); // 60000
 */
export function usageLimitRetryAfterMs(body: CodexErrorBody, nowMs = Date.now()): number | undefined {
  if (typeof body.resets_at === 'number' && body.resets_at * 1000 > nowMs)
    return body.resets_at * 1000 - nowMs;
  if (typeof body.resets_in_seconds === 'number' && body.resets_in_seconds >= 0)
    return body.resets_in_seconds * 1000;
  return undefined;
}

function usageLimitError(body: CodexErrorBody, provider: string, nowMs: number): NodexError {
  const retryAfterMs = usageLimitRetryAfterMs(body, nowMs);
  const details: string[] = [];
  if (body.plan_type) details.push(`plan ${body.plan_type}`);
  // Said from the body alone (not the clock), so the message is the same wherever it is read.
  if (typeof body.resets_at === 'number')
    details.push(`resets at ${new Date(body.resets_at * 1000).toISOString()}`);
  else if (typeof body.resets_in_seconds === 'number') details.push(`resets in ${body.resets_in_seconds} s`);
  const text = body.message ?? 'the usage limit has been reached';
  return new NodexError(
    'upstream_usage_limit',
    `${provider}: ${text}${details.length ? ` (${details.join('; ')})` : ''}`,
    {
      provider,
      providerCode: body.code ?? body.type ?? 'usage_limit_reached',
      // Retrying helps only after the reset; withRetries gives up when that is beyond its max wait.
      retryable: retryAfterMs !== undefined,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    },
  );
}

/**
 * The typed error for a Codex error object whose code or message nodex recognises, else undefined:
 * context window, usage limits (plan and reset), rate limits ("try again in N s", "model at
 * capacity"), overload. Codex's own mapping is codex-rs `api_bridge.rs` / `process_sse` (wire.md §3.1).
 *
 * @example
 * recognizeCodexError({ code: 'context_length_exceeded' }, 'codex')?.code; // 'context_length_exceeded'
 */
export function recognizeCodexError(
  body: CodexErrorBody,
  provider: string,
  nowMs = Date.now(),
): NodexError | undefined {
  const known = ids(body);
  const message = body.message ?? known[0] ?? 'unknown error';
  const providerCode = body.code ?? body.type ?? undefined;
  const base = { provider, ...(providerCode ? { providerCode } : {}) };
  if (known.includes('context_length_exceeded')) {
    return new NodexError('context_length_exceeded', `${provider}: ${message}`, base);
  }
  if (known.some((id) => USAGE_LIMIT.has(id))) return usageLimitError(body, provider, nowMs);
  if (known.some((id) => RATE_LIMIT.has(id)) || /at capacity/i.test(message)) {
    const delay = tryAgainInMs(message);
    return new NodexError('upstream_rate_limited', `${provider}: ${message}`, {
      ...base,
      ...(delay === undefined ? {} : { retryAfterMs: delay }),
    });
  }
  if (known.some((id) => OVERLOADED.has(id))) {
    return new NodexError('upstream_overloaded', `${provider}: ${message}`, base);
  }
  return undefined;
}

/**
 * An in-stream failure (`error` event, `response.failed`): recognised codes, else `fallback`.
 *
 * @example
 * codexStreamError({ code: 'server_error', message: 'oops' }, 'codex').message; // 'codex: server_error: oops'
 */
export function codexStreamError(
  body: CodexErrorBody,
  provider: string,
  fallback: ErrorCode = 'stream_error',
  nowMs = Date.now(),
): NodexError {
  const recognized = recognizeCodexError(body, provider, nowMs);
  if (recognized) return recognized;
  const label = body.code ?? body.type;
  const message = body.message ?? 'the upstream reported a failure';
  return new NodexError(fallback, `${provider}: ${label ? `${label}: ` : ''}${message}`, {
    provider,
    ...(label ? { providerCode: label } : {}),
  });
}

function errorObject(text: string): CodexErrorBody | undefined {
  try {
    const parsed = z.looseObject({ error: CodexErrorBodySchema }).safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Maps a non-2xx Codex answer to a typed error (wire.md §2.4): `{"detail":…}` 400s become
 * upstream_bad_request with the detail, 401 upstream_unauthorized, 429 `usage_limit_reached`
 * upstream_usage_limit (plan, reset, retryAfterMs), other 429s and "model at capacity"
 * upstream_rate_limited, usage-limit 404s are read as 429 (OCA `mapUsageLimit404`), 5xx retryable.
 *
 * @example
 * codexHttpError(400, '{"detail":"Store must be set to false"}', {}, 'codex').code; // 'upstream_bad_request'
 */
export function codexHttpError(
  status: number,
  text: string,
  headers: HeaderBag,
  provider: string,
  nowMs = Date.now(),
): NodexError {
  const usageLimit404 = status === 404 && /usage.?limit/i.test(text);
  const effective = usageLimit404 ? 429 : status;
  const body = errorObject(text);
  const recognized = body ? recognizeCodexError(body, provider, nowMs) : undefined;
  if (recognized) return recognized;
  if (usageLimit404) return usageLimitError(body ?? { message: upstreamMessage(text) }, provider, nowMs);
  if (/at capacity/i.test(text)) {
    return new NodexError(
      'upstream_rate_limited',
      `${provider} answered ${status}: ${upstreamMessage(text)}`,
      {
        provider,
      },
    );
  }
  return httpError(effective, text, headers, provider);
}
