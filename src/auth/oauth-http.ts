import { type Dispatcher, errors, request } from 'undici';
import { NodexError } from '../core/errors.js';

/** The answer of an OAuth endpoint: status and body (JSON when it parses). */
export interface OAuthHttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** The body parsed as JSON, or undefined. */
  readonly json: unknown;
}

export interface OAuthHttpOptions {
  readonly signal?: AbortSignal;
  /** undici dispatcher (tests, proxies); the global one by default. */
  readonly dispatcher?: Dispatcher;
  /** Whole-request limit; OAuth calls are small (Codex uses 10 s for revoke). */
  readonly timeoutMs?: number;
  /** Named in error messages (`codex login`). */
  readonly what: string;
  /** Extra request headers: a product User-Agent (Claude's token endpoint refuses generic ones, wire.md §4.2). */
  readonly headers?: Readonly<Record<string, string>>;
}

export type OAuthBody = { readonly form: Readonly<Record<string, string>> } | { readonly json: unknown };

const BODY_LIMIT = 256 * 1024;

/**
 * Maps a transport failure to a NodexError. The auth layer sits below `providers`, so it cannot use
 * providers/http/send-upstream.ts; this mirrors its mapping for the few OAuth calls. Messages name
 * the host only: OAuth URLs carry no secrets, but query strings might one day.
 */
function transportError(
  error: unknown,
  url: string,
  what: string,
  signals: { readonly caller?: AbortSignal; readonly timeout: AbortSignal },
): NodexError {
  if (NodexError.isInstance(error)) return error;
  if (signals.caller?.aborted) return new NodexError('aborted', `${what} was cancelled`, { cause: error });
  const host = new URL(url).host;
  const timedOut =
    signals.timeout.aborted ||
    error instanceof errors.HeadersTimeoutError ||
    error instanceof errors.BodyTimeoutError;
  if (timedOut)
    return new NodexError('upstream_timeout', `${what}: ${host} did not answer in time`, { cause: error });
  const code = (error as { code?: string }).code;
  return new NodexError('upstream_connection', `${what}: cannot reach ${host}${code ? ` (${code})` : ''}`, {
    cause: error,
  });
}

/**
 * Sends one request to an OAuth endpoint and reads the (small) answer. No retries: a failed login
 * step is shown to the user, and a failed refresh surfaces as a retryable error to the caller's
 * retry wrapper.
 *
 * @example
 * const res = await oauthRequest('POST', tokenUrl, { json: { grant_type: 'refresh_token', … } }, { what: 'codex refresh' });
 */
export async function oauthRequest(
  method: 'GET' | 'POST',
  url: string,
  body: OAuthBody | undefined,
  options: OAuthHttpOptions,
): Promise<OAuthHttpResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 30_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  let payload: string | undefined;
  if (body && 'form' in body) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    payload = new URLSearchParams(body.form).toString();
  } else if (body) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body.json);
  }
  try {
    const response = await request(url, {
      method,
      headers,
      ...(payload === undefined ? {} : { body: payload }),
      signal,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      if (size < BODY_LIMIT) chunks.push(buffer.subarray(0, BODY_LIMIT - size));
      size += buffer.length;
    }
    const text = Buffer.concat(chunks).toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.statusCode, headers: response.headers, text, json };
  } catch (error) {
    throw transportError(error, url, options.what, {
      ...(options.signal ? { caller: options.signal } : {}),
      timeout,
    });
  }
}
