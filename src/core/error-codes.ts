/**
 * Every stable error code nodex produces, with its default HTTP status, whether a retry can help,
 * and the `type` word each wire protocol uses for it. docs/errors.md lists the same table; a test
 * fails when the two drift.
 */
export interface ErrorCodeInfo {
  readonly status: number;
  readonly retryable: boolean;
  /** OpenAI error `type` (Responses and Chat Completions). */
  readonly openaiType: string;
  /** Anthropic error `type`. */
  readonly anthropicType: string;
  readonly summary: string;
}

function info(
  status: number,
  retryable: boolean,
  openaiType: string,
  anthropicType: string,
  summary: string,
): ErrorCodeInfo {
  return { status, retryable, openaiType, anthropicType, summary };
}

export const ERROR_CODES = {
  invalid_request: info(
    400,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The request is malformed or a field has a wrong value.',
  ),
  invalid_json: info(
    400,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The request body is not valid JSON.',
  ),
  unsupported_parameter: info(
    400,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'A parameter is not supported for this model or provider (validation mode `error`).',
  ),
  context_length_exceeded: info(
    400,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The input is longer than the model accepts.',
  ),
  not_supported: info(
    400,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The operation is not available on this provider.',
  ),
  authentication_required: info(
    401,
    false,
    'invalid_request_error',
    'authentication_error',
    'No API key was sent, or it is invalid, expired or revoked.',
  ),
  credentials_missing: info(
    401,
    false,
    'authentication_error',
    'authentication_error',
    'The provider has no credentials: log in or set the key variable.',
  ),
  credentials_expired: info(
    401,
    false,
    'authentication_error',
    'authentication_error',
    'The provider credentials expired and could not be refreshed: log in again.',
  ),
  payment_required: info(
    402,
    false,
    'insufficient_quota',
    'billing_error',
    'The key has no balance left; a payment challenge follows.',
  ),
  permission_denied: info(
    403,
    false,
    'permission_error',
    'permission_error',
    'The key may not use this model or operation.',
  ),
  not_found: info(404, false, 'invalid_request_error', 'not_found_error', 'The resource does not exist.'),
  model_not_found: info(
    404,
    false,
    'invalid_request_error',
    'not_found_error',
    'No provider serves this model.',
  ),
  conflict: info(
    409,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The id or key already exists.',
  ),
  unsupported_media_type: info(
    415,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The request body is not JSON (Content-Type must be application/json).',
  ),
  request_too_large: info(
    413,
    false,
    'invalid_request_error',
    'request_too_large',
    'The request body is larger than the configured limit.',
  ),
  rate_limited: info(
    429,
    true,
    'rate_limit_error',
    'rate_limit_error',
    'The key exceeded its requests or tokens per minute.',
  ),
  quota_exceeded: info(
    429,
    false,
    'insufficient_quota',
    'rate_limit_error',
    'The key used up its token quota for the current window.',
  ),
  tool_loop_limit: info(
    400,
    false,
    'invalid_request_error',
    'invalid_request_error',
    'The tool loop reached its turn limit without a final answer.',
  ),
  aborted: info(499, false, 'api_error', 'api_error', 'The caller cancelled the request.'),
  internal_error: info(
    500,
    false,
    'api_error',
    'api_error',
    'A bug in nodex; the message and request id help to report it.',
  ),
  config_invalid: info(
    500,
    false,
    'api_error',
    'api_error',
    'The configuration file or environment has an invalid value.',
  ),
  limits_unavailable: info(
    503,
    true,
    'api_error',
    'api_error',
    'The rate-limit or usage store cannot be reached; limited keys are refused until it is back.',
  ),
  store_unavailable: info(
    503,
    true,
    'api_error',
    'api_error',
    'The key and usage database (PostgreSQL) cannot be reached or did not answer in time.',
  ),
  upstream_error: info(502, true, 'api_error', 'api_error', 'The upstream answered with a server error.'),
  upstream_bad_request: info(
    502,
    false,
    'api_error',
    'api_error',
    'The upstream rejected the request nodex built (4xx); the message carries its reason.',
  ),
  upstream_unauthorized: info(
    502,
    false,
    'api_error',
    'api_error',
    'The upstream rejected the provider credentials.',
  ),
  upstream_connection: info(
    502,
    true,
    'api_error',
    'api_error',
    'The upstream could not be reached or dropped the connection.',
  ),
  upstream_protocol: info(
    502,
    false,
    'api_error',
    'api_error',
    'The upstream sent something nodex cannot decode.',
  ),
  stream_error: info(502, false, 'api_error', 'api_error', 'The upstream stream failed after it started.'),
  provider_unavailable: info(
    503,
    false,
    'api_error',
    'api_error',
    'The provider is not configured or could not start (a missing key variable, say).',
  ),
  upstream_rate_limited: info(
    429,
    true,
    'rate_limit_error',
    'rate_limit_error',
    'The upstream account is rate limited; retry after the given delay.',
  ),
  upstream_usage_limit: info(
    429,
    false,
    'insufficient_quota',
    'rate_limit_error',
    'The upstream subscription reached its usage limit until a reset time.',
  ),
  upstream_overloaded: info(529, true, 'api_error', 'overloaded_error', 'The upstream is overloaded.'),
  upstream_timeout: info(
    504,
    true,
    'api_error',
    'timeout_error',
    'The upstream did not answer, or stalled, within the timeout.',
  ),
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
