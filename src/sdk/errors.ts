import type { ErrorCode } from '../core/error-codes.js';
import { NodexError, type NodexErrorOptions, toNodexError } from '../core/errors.js';

/**
 * A request the SDK could not complete: the oauth-codex field names (`statusCode`, `providerCode`,
 * `userMessage`, `retryable`, `requestId`, `rawError`) over a NodexError (`code`, `status`, …).
 *
 * @example
 * try { await client.responses.create({ model, input }); }
 * catch (e) { if (e instanceof SDKRequestError && e.statusCode === 429) … }
 */
export class SDKRequestError extends NodexError {
  constructor(code: ErrorCode, message: string, options: NodexErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SDKRequestError';
  }

  get statusCode(): number {
    return this.status;
  }

  get userMessage(): string {
    return this.message;
  }

  get rawError(): unknown {
    return this.cause;
  }

  override toString(): string {
    return [`HTTP ${this.status}`, this.providerCode ?? this.code, this.message].filter(Boolean).join(': ');
  }

  /** Wraps anything thrown during a request, keeping its code, status and retry advice. */
  static from(error: unknown, requestId?: string): SDKRequestError {
    if (error instanceof SDKRequestError) return error;
    const cause = toNodexError(error);
    return new SDKRequestError(cause.code, cause.message, {
      status: cause.status,
      retryable: cause.retryable,
      ...(cause.provider ? { provider: cause.provider } : {}),
      ...((requestId ?? cause.requestId) ? { requestId: requestId ?? cause.requestId } : {}),
      ...(cause.param ? { param: cause.param } : {}),
      ...(cause.retryAfterMs === undefined ? {} : { retryAfterMs: cause.retryAfterMs }),
      ...(cause.providerCode ? { providerCode: cause.providerCode } : {}),
      cause: error,
    });
  }
}

/** A parameter failed validation and `validationMode` is `error` (or it can never pass). */
export class ParameterValidationError extends NodexError {
  constructor(
    message: string,
    readonly issueCode: string,
    param?: string,
  ) {
    super(
      issueCode === 'unsupported_parameter' ? 'unsupported_parameter' : 'invalid_request',
      message,
      param ? { param } : {},
    );
    this.name = 'ParameterValidationError';
  }
}

/** The token store could not be read (a malformed or unreadable credentials file). */
export class TokenStoreReadError extends NodexError {
  constructor(message: string, cause?: unknown) {
    super('credentials_missing', message, { cause });
    this.name = 'TokenStoreReadError';
  }
}

/** The token store could not be written. */
export class TokenStoreWriteError extends NodexError {
  constructor(message: string, cause?: unknown) {
    super('internal_error', message, { cause });
    this.name = 'TokenStoreWriteError';
  }
}

/** The token store could not be deleted. */
export class TokenStoreDeleteError extends NodexError {
  constructor(message: string, cause?: unknown) {
    super('internal_error', message, { cause });
    this.name = 'TokenStoreDeleteError';
  }
}
