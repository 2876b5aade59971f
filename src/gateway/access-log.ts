import type { GatewayContext } from './gateway-context.js';
import type { RequestState } from './request-state.js';

/** The last step: one access-log line and the metrics, whatever happened. */
export function logRequest(ctx: GatewayContext, state: RequestState): void {
  const seconds = (performance.now() - state.started) / 1000;
  const provider = state.target?.provider.id ?? 'none';
  const model = state.target?.model ?? state.decoded?.request.model ?? 'unknown';
  const status = state.status ?? (state.error?.code === 'aborted' ? 499 : (state.error?.status ?? 500));
  const usage = state.response?.usage ?? state.partialUsage ?? null;
  ctx.metrics.requests.inc({ route: state.route, model, provider, status: String(status) });
  ctx.metrics.duration.observe({ route: state.route, provider }, seconds);
  if (state.firstContentAt)
    ctx.metrics.ttft.observe({ route: state.route, provider }, (state.firstContentAt - state.started) / 1000);
  if (usage) {
    ctx.metrics.tokens.inc({ provider, model, kind: 'input' }, usage.input_tokens);
    ctx.metrics.tokens.inc({ provider, model, kind: 'output' }, usage.output_tokens);
    if (usage.cached_tokens) ctx.metrics.tokens.inc({ provider, model, kind: 'cached' }, usage.cached_tokens);
    if (usage.reasoning_tokens)
      ctx.metrics.tokens.inc({ provider, model, kind: 'reasoning' }, usage.reasoning_tokens);
  }
  if (state.error?.code.startsWith('upstream_') || state.error?.code === 'stream_error')
    ctx.metrics.upstreamErrors.inc({ provider, code: state.error.code });
  for (const warning of state.warnings) ctx.metrics.warnings.inc({ feature: warning.feature });
  ctx.log.info(
    {
      request_id: state.id,
      route: state.route,
      key_id: state.caller?.keyId,
      model,
      provider,
      status,
      stream: state.stream ?? false,
      duration_ms: Math.round(seconds * 1000),
      ...(state.firstContentAt ? { ttft_ms: Math.round(state.firstContentAt - state.started) } : {}),
      ...(usage ? { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens } : {}),
      ...(state.warnings.length > 0 ? { warnings: state.warnings.length } : {}),
      ...(state.error ? { error_code: state.error.code, error: state.error.message } : {}),
    },
    'request',
  );
}
