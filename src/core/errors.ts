import { ERROR_CODES, type ErrorCode, isErrorCode } from './error-codes.js';
import type { ErrorEvent } from './events.js';
import { streamEvent } from './events.js';

const BRAND = Symbol.for('nodex.error');

export interface NodexErrorOptions {
  readonly status?: number;
  readonly retryable?: boolean;
  readonly provider?: string;
  readonly requestId?: string;
  /** The request field at fault, when there is one (OpenAI `param`). */
  readonly param?: string;
  /** How long to wait before retrying, from `retry-after` / `retry-after-ms` or a reset time. */
  readonly retryAfterMs?: number;
  /** The upstream's own error code, when it gave one (`usage_limit_reached`, …). */
  readonly providerCode?: string;
  readonly cause?: unknown;
}

/**
 * The one error type nodex throws: a stable `code` (docs/errors.md), an HTTP `status`, whether a
 * retry can help, and where it came from. Each client protocol renders it in its own wire shape.
 *
 * @example
 * throw new NodexError('model_not_found', 'model "gpt-9" is not served by any provider', { param: 'model' });
 */
export class NodexError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly status: number;
  readonly retryable: boolean;
  readonly provider?: string;
  readonly requestId?: string;
  readonly param?: string;
  readonly retryAfterMs?: number;
  readonly providerCode?: string;

  constructor(code: ErrorCode, message: string, options: NodexErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const defaults = ERROR_CODES[code];
    this.name = 'NodexError';
    this.code = code;
    this.status = options.status ?? defaults.status;
    this.retryable = options.retryable ?? defaults.retryable;
    if (options.provider !== undefined) this.provider = options.provider;
    if (options.requestId !== undefined) this.requestId = options.requestId;
    if (options.param !== undefined) this.param = options.param;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
    if (options.providerCode !== undefined) this.providerCode = options.providerCode;
  }

  /** True for any NodexError, even one from a second copy of the package. */
  static isInstance(value: unknown): value is NodexError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }
}

/** A request that cannot be served as sent (400). */
export class InvalidRequestError extends NodexError {
  constructor(message: string, options: NodexErrorOptions = {}) {
    super('invalid_request', message, options);
    this.name = 'InvalidRequestError';
  }
}

/** An operation the provider does not offer (Codex has no files API, say). */
export class NotSupportedError extends NodexError {
  constructor(message: string, options: NodexErrorOptions = {}) {
    super('not_supported', message, options);
    this.name = 'NotSupportedError';
  }
}

/** Wraps anything thrown into a NodexError, keeping NodexErrors as they are. */
export function toNodexError(error: unknown): NodexError {
  if (NodexError.isInstance(error)) return error;
  if (error instanceof Error && error.name === 'AbortError') {
    return new NodexError('aborted', 'the request was cancelled', { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new NodexError('internal_error', message, { cause: error });
}

/** The v1 `error` stream event for an error. */
export function errorEvent(error: NodexError, responseId?: string): ErrorEvent {
  return streamEvent('error', {
    error: error.message,
    code: error.code,
    status: error.status,
    retryable: error.retryable,
    ...(responseId === undefined ? {} : { response_id: responseId }),
  });
}

/** Rebuilds a NodexError from an `error` stream event (the SDK throws this from `finalResponse()`). */
export function errorFromEvent(event: ErrorEvent): NodexError {
  const code: ErrorCode = isErrorCode(event.code) ? event.code : 'stream_error';
  return new NodexError(code, event.error, { status: event.status, retryable: event.retryable });
}
