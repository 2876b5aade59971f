import type { Caller } from '../api-key-auth.js';
import type { RequestState } from '../request-state.js';
import { usageRecordOf } from '../usage-commit.js';

/**
 * One audit line (and the trace's `done` phase): who called what, with which outcome. Written
 * for every request on every route, refused ones included.
 */
export interface AuditLine {
  /** When the request arrived (ISO 8601). */
  readonly ts: string;
  readonly request_id: string;
  readonly method: string;
  /** The path as requested, without its query string. */
  readonly path: string;
  /** `responses`, `chat`, `messages` for model calls; else the route pattern (`/v1/models/:id`). */
  readonly route: string;
  readonly key_id?: string;
  readonly key_label?: string;
  readonly model?: string;
  readonly provider?: string;
  readonly account?: string;
  readonly status: number;
  readonly latency_ms: number;
  readonly ttft_ms?: number;
  readonly stream?: boolean;
  /** Names of the tools the model called, in order. */
  readonly tool_calls?: readonly string[];
  readonly input_tokens?: number;
  readonly cached_input_tokens?: number;
  readonly output_tokens?: number;
  readonly reasoning_tokens?: number;
  readonly estimated?: boolean;
  readonly error_code?: string;
}

/** Where the request came in, the same for both kinds of line. */
export interface RequestOrigin {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt: number;
  readonly toolCalls: readonly string[];
}

function callerFields(caller: Caller | undefined): Pick<AuditLine, 'key_id' | 'key_label'> {
  return caller ? { key_id: caller.keyId, key_label: caller.label } : {};
}

/**
 * The line of a model call that went through the pipeline, from the same usage record metering
 * commits (usage-commit.ts), plus the key label, tool calls and method and path.
 *
 * @example
 * audit.write(JSON.stringify(auditFromState(origin, state, 200)));
 */
/** The fields every audit line starts with: when, which request, which route, whose key. */
function lineStart(origin: RequestOrigin, route: string, caller: Caller | undefined) {
  return {
    ts: new Date(origin.startedAt).toISOString(),
    request_id: origin.id,
    method: origin.method,
    path: origin.path,
    route,
    ...callerFields(caller),
  };
}

export function auditFromState(origin: RequestOrigin, state: RequestState, status: number): AuditLine {
  const record = usageRecordOf(state);
  const base = lineStart(origin, state.route, state.caller);
  const tools = origin.toolCalls.length > 0 ? { tool_calls: origin.toolCalls } : {};
  if (!record) {
    const model = state.target?.model ?? state.decoded?.request.model;
    return {
      ...base,
      ...(model ? { model } : {}),
      ...(state.target ? { provider: state.target.provider.id } : {}),
      status,
      latency_ms: Math.round(performance.now() - state.started),
      ...tools,
      ...(state.error ? { error_code: state.error.code } : {}),
    };
  }
  return {
    ...base,
    model: record.model,
    provider: record.provider,
    ...(record.account ? { account: record.account } : {}),
    status,
    latency_ms: record.latency_ms,
    ...(record.ttft_ms === undefined ? {} : { ttft_ms: record.ttft_ms }),
    stream: record.stream,
    ...tools,
    input_tokens: record.input_tokens,
    cached_input_tokens: record.cached_input_tokens,
    output_tokens: record.output_tokens,
    reasoning_tokens: record.reasoning_tokens,
    ...(record.estimated ? { estimated: true } : {}),
    ...(record.error_code ? { error_code: record.error_code } : {}),
  };
}

/**
 * The line of any other request (`/v1/models`, `/health`, a 401 before the body was read, a 404):
 * its route pattern, status and latency, the caller when known, the error code when it failed.
 *
 * @example
 * auditFromHttp(origin, { route: '/v1/models', status: 200, latencyMs: 3, caller });
 */
export function auditFromHttp(
  origin: RequestOrigin,
  outcome: {
    readonly route: string;
    readonly status: number;
    readonly latencyMs: number;
    readonly caller?: Caller | undefined;
    readonly errorCode?: string | undefined;
  },
): AuditLine {
  return {
    ...lineStart(origin, outcome.route, outcome.caller),
    status: outcome.status,
    latency_ms: Math.round(outcome.latencyMs),
    ...(outcome.errorCode ? { error_code: outcome.errorCode } : {}),
  };
}
