import { NodexError } from '../../core/errors.js';
import { httpError, upstreamMessage } from '../http/http-error.js';
import { isRetryableStatus, retryAfterMs } from '../http/retry.js';
import { ErrorEnvelopeSchema } from './anthropic-stream-schemas.js';

type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The Anthropic error object: `{type, message}` (wire.md §5.2). */
export interface AnthropicErrorBody {
  readonly type?: string | null;
  readonly message?: string | null;
}

/** Which credential the failed request used: the explanations differ. */
export type AnthropicAuthMode = 'oauth' | 'api_key';

const SUBSCRIPTION_ONLY =
  'Claude subscription tokens only work for requests shaped like Claude Code’s (identity system block first, ' +
  'the claude-code and oauth betas); Anthropic refused this one. Use an API key (ANTHROPIC_API_KEY) for ' +
  'other request shapes';

function header(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseEnvelope(text: string): AnthropicErrorBody | undefined {
  try {
    const parsed = ErrorEnvelopeSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An in-stream `error` event's object → typed error (wire.md §5.1, §5.2): `overloaded_error` →
 * upstream_overloaded (retryable), `rate_limit_error` → upstream_rate_limited, others stream_error.
 *
 * @example
 * anthropicStreamError({ type: 'overloaded_error', message: 'Overloaded' }, 'anthropic').retryable; // true
 */
export function anthropicStreamError(body: AnthropicErrorBody, provider: string): NodexError {
  const type = body.type ?? undefined;
  const text = `${provider}: ${type ? `${type}: ` : ''}${body.message ?? 'the upstream reported a failure'}`;
  const base = { provider, ...(type ? { providerCode: type } : {}) };
  if (type === 'overloaded_error') return new NodexError('upstream_overloaded', text, base);
  if (type === 'rate_limit_error') return new NodexError('upstream_rate_limited', text, base);
  return new NodexError('stream_error', text, base);
}

/** Seconds-until-reset of the subscription window that rejected the request, from unified headers. */
function unifiedReset(headers: HeaderBag, nowMs: number): number | undefined {
  const resets = [
    'anthropic-ratelimit-unified-reset',
    'anthropic-ratelimit-unified-5h-reset',
    'anthropic-ratelimit-unified-7d-reset',
  ]
    .map((name) => Number.parseFloat(header(headers, name) ?? ''))
    .filter((value) => Number.isFinite(value) && value * 1000 > nowMs);
  return resets.length ? Math.min(...resets) * 1000 - nowMs : undefined;
}

/**
 * Maps a non-2xx Messages answer to a typed error (wire.md §4.4, §5.2, fixtures/anthropic-http-
 * errors.json): 529/`overloaded_error` → upstream_overloaded (retryable); 429 → upstream_rate_limited
 * with `retry-after`, or upstream_usage_limit when the subscription's unified window is `rejected`;
 * "prompt is too long" → context_length_exceeded; OAuth refusals ("only authorized for use with
 * Claude Code", "out of extra usage", the bare "Error", "OAuth authentication is currently not
 * supported") → a message that explains the subscription restriction; `x-should-retry` honoured.
 *
 * @example
 * anthropicHttpError(529, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', {}, 'anthropic', 'oauth').code; // 'upstream_overloaded'
 */
export function anthropicHttpError(
  status: number,
  text: string,
  headers: HeaderBag,
  provider: string,
  mode: AnthropicAuthMode,
  nowMs = Date.now(),
): NodexError {
  const body = parseEnvelope(text);
  const type = body?.type ?? undefined;
  const message = body?.message ?? upstreamMessage(text);
  const base = { provider, ...(type ? { providerCode: type } : {}) };
  const delay = retryAfterMs(headers, nowMs);
  const said = `${provider} answered ${status}: ${message}`;
  const retry = {
    retryable: isRetryableStatus(status, headers),
    ...(delay === undefined ? {} : { retryAfterMs: delay }),
  };
  if (status === 529 || type === 'overloaded_error')
    return new NodexError('upstream_overloaded', said, { ...base, ...retry });
  if (status === 429 || type === 'rate_limit_error') {
    if (header(headers, 'anthropic-ratelimit-unified-status') === 'rejected') {
      const reset = unifiedReset(headers, nowMs) ?? delay;
      return new NodexError(
        'upstream_usage_limit',
        `${said} (the Claude subscription's usage limit is reached)`,
        {
          ...base,
          retryable: reset !== undefined,
          ...(reset === undefined ? {} : { retryAfterMs: reset }),
        },
      );
    }
    return new NodexError('upstream_rate_limited', said, { ...base, ...retry });
  }
  if (/prompt is too long/i.test(message)) return new NodexError('context_length_exceeded', said, base);
  if (mode === 'oauth') {
    if (
      /only authorized for use with Claude Code|out of extra usage/i.test(message) ||
      (status === 400 && message === 'Error')
    )
      return new NodexError('upstream_bad_request', `${said}. ${SUBSCRIPTION_ONLY}`, base);
    if (/OAuth authentication is currently not supported/i.test(message))
      return new NodexError(
        'upstream_unauthorized',
        `${said} (the request reached Anthropic without the oauth-2025-04-20 beta: does a proxy strip anthropic-beta?)`,
        base,
      );
    if (/not allowed for this organization/i.test(message))
      return new NodexError(
        'upstream_unauthorized',
        `${said} (is the Claude subscription still active?)`,
        base,
      );
  }
  if (status === 404 && /^model:/i.test(message))
    return new NodexError('model_not_found', said, { ...base, param: 'model' });
  const fallback = httpError(status, text, headers, provider);
  return new NodexError(fallback.code, said, {
    ...base,
    retryable: fallback.retryable,
    ...(fallback.retryAfterMs === undefined ? {} : { retryAfterMs: fallback.retryAfterMs }),
  });
}
