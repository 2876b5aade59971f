import type { UsageRecord } from '../store/usage-store.js';
import type { GatewayContext } from './gateway-context.js';
import { estimateInputTokens } from './request-guard.js';
import type { RequestState } from './request-state.js';

function statusOf(state: RequestState): number {
  return state.status ?? (state.error?.code === 'aborted' ? 499 : (state.error?.status ?? 500));
}

/** The request's usage record: the upstream's figures, else (a stream cut short) nodex's own count. */
export function usageRecordOf(state: RequestState): UsageRecord | undefined {
  const caller = state.caller;
  if (!caller) return undefined;
  const usage = state.response?.usage ?? state.partialUsage ?? null;
  // Content reached the caller but the upstream never said what it cost: count it ourselves.
  const estimate = !usage && state.firstContentAt !== undefined;
  const ttft =
    state.firstContentAt === undefined ? undefined : Math.round(state.firstContentAt - state.started);
  return {
    request_id: state.id,
    ts: state.startedAt,
    key_id: caller.keyId,
    route: state.route,
    model: state.target?.model ?? state.decoded?.request.model ?? 'unknown',
    provider: state.target?.provider.id ?? 'none',
    account: '',
    status: statusOf(state),
    ...(state.error ? { error_code: state.error.code } : {}),
    stream: state.stream ?? false,
    input_tokens: usage?.input_tokens ?? (estimate ? estimateInputTokens(state) : 0),
    cached_input_tokens: usage?.cached_tokens ?? 0,
    output_tokens: usage?.output_tokens ?? (estimate ? Math.ceil((state.outputChars ?? 0) / 4) : 0),
    reasoning_tokens: usage?.reasoning_tokens ?? 0,
    estimated: estimate,
    latency_ms: Math.round(performance.now() - state.started),
    ...(ttft === undefined ? {} : { ttft_ms: ttft }),
  };
}

/**
 * Meters the request once: settles its token reservation with the real usage, queues the usage
 * record and resolves when it is committed (the pipeline awaits this before the last bytes of an
 * answer, so a complete answer's usage is on disk first), then drops the reservation's quota hold.
 * A request that never reached the upstream gives its reservation back. Never rejects: a metering
 * failure is logged, not turned into a failed answer.
 */
export function commitUsage(ctx: GatewayContext, state: RequestState): Promise<void> {
  state.committed ??= (async () => {
    const record = usageRecordOf(state);
    const reservation = state.reservation;
    try {
      if (!record) return;
      const reached = state.firstContentAt !== undefined || state.response !== undefined;
      if (reservation && !reached) await reservation.release();
      else await reservation?.settle(record.input_tokens + record.output_tokens);
      await ctx.services.meter.record(record);
      await reservation?.committed();
    } catch (error) {
      ctx.log.error(
        { request_id: state.id, error: error instanceof Error ? error.message : String(error) },
        'usage record not written',
      );
    }
  })();
  return state.committed;
}
