import { type Dispatcher, errors, request } from 'undici';
import { NodexError } from '../../core/errors.js';
import { upstreamAgent } from './upstream-agent.js';

export interface UpstreamRequest {
  readonly url: string;
  readonly method?: 'GET' | 'POST' | 'DELETE';
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly signal?: AbortSignal;
  /** Time allowed until the response headers arrive (a stall before the stream). */
  readonly headersTimeoutMs?: number;
  /** Longest silence allowed between body chunks (the stream idle timeout). */
  readonly idleTimeoutMs?: number;
  /** For error messages and metrics. */
  readonly provider: string;
  readonly dispatcher?: Dispatcher;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as a Node stream of bytes; consume it or call `dump()`. */
  readonly body: Dispatcher.ResponseData['body'];
}

/** Maps undici and socket failures to typed errors: timeouts and connection losses are retryable. */
export function transportError(error: unknown, provider: string, idleTimeoutMs?: number): NodexError {
  if (NodexError.isInstance(error)) return error;
  if (error instanceof errors.HeadersTimeoutError) {
    return new NodexError('upstream_timeout', `${provider}: no response headers in time`, {
      provider,
      cause: error,
    });
  }
  if (error instanceof errors.BodyTimeoutError) {
    const after = idleTimeoutMs === undefined ? '' : ` for ${idleTimeoutMs} ms`;
    return new NodexError('upstream_timeout', `${provider}: the stream stalled (no data${after})`, {
      provider,
      cause: error,
      retryable: false,
    });
  }
  if (
    error instanceof Error &&
    (error.name === 'AbortError' || error instanceof errors.RequestAbortedError)
  ) {
    return new NodexError('aborted', 'the request was cancelled', { provider, cause: error });
  }
  const code = (error as { code?: string }).code ?? '';
  const message = error instanceof Error ? error.message : String(error);
  return new NodexError(
    'upstream_connection',
    `${provider}: cannot reach the upstream (${code || message})`,
    { provider, cause: error },
  );
}

/**
 * Sends one request over the shared keep-alive agent. Resolves once the status and headers arrive;
 * transport failures reject with typed, retryable errors. No retry here: see `withRetries`.
 */
export async function sendUpstream(req: UpstreamRequest): Promise<UpstreamResponse> {
  try {
    const response = await request(req.url, {
      method: req.method ?? 'POST',
      headers: req.headers,
      ...(req.body === undefined ? {} : { body: req.body }),
      ...(req.signal ? { signal: req.signal } : {}),
      dispatcher: req.dispatcher ?? upstreamAgent,
      headersTimeout: req.headersTimeoutMs ?? 60_000,
      bodyTimeout: req.idleTimeoutMs ?? 300_000,
    });
    return { status: response.statusCode, headers: response.headers, body: response.body };
  } catch (error) {
    throw transportError(error, req.provider);
  }
}

/** Reads a (small) response body as text, up to `limit` bytes; the rest is discarded. */
export async function readBodyText(body: UpstreamResponse['body'], limit = 256 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      const buffer = chunk as Buffer;
      if (size < limit) chunks.push(buffer.subarray(0, limit - size));
      size += buffer.length;
    }
  } catch {
    // A body cut short still tells us what arrived.
  }
  return Buffer.concat(chunks).toString('utf8');
}
