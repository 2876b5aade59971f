import type { Attributes } from '@opentelemetry/api';
import type { UpstreamRequestRecord } from '../../core/provider.js';
import type { RequestState } from '../request-state.js';

/**
 * The GenAI semantic-convention provider name (`gen_ai.provider.name`, formerly `gen_ai.system`)
 * for a provider kind: Codex speaks for OpenAI, the `gemini` preset for Google's Gemini API; a
 * custom OpenAI-compatible host is named by its provider id.
 *
 * @example
 * genAiProviderName('codex', 'codex'); // 'openai'
 */
export function genAiProviderName(kind: string, id: string): string {
  if (kind === 'codex') return 'openai';
  if (kind === 'anthropic') return 'anthropic';
  // openai-compatible instances: the presets by their id, any other host by its own id.
  if (id === 'gemini') return 'gcp.gemini';
  return id;
}

function providerAttributes(state: RequestState): Attributes {
  const target = state.target;
  if (!target) return {};
  const name = genAiProviderName(target.provider.kind, target.provider.id);
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': name,
    'gen_ai.system': name,
    'gen_ai.request.model': target.model,
    'nodex.provider': target.provider.id,
  };
}

/** Usage, response model and finish reason, when the request got that far. */
function responseAttributes(state: RequestState, responseModel: string | undefined): Attributes {
  const usage = state.response?.usage ?? state.partialUsage ?? undefined;
  const model = state.response?.model || responseModel;
  return {
    ...(model ? { 'gen_ai.response.model': model } : {}),
    ...(state.response?.id ? { 'gen_ai.response.id': state.response.id } : {}),
    ...(state.response ? { 'gen_ai.response.finish_reasons': [state.response.finish_reason] } : {}),
    ...(usage
      ? { 'gen_ai.usage.input_tokens': usage.input_tokens, 'gen_ai.usage.output_tokens': usage.output_tokens }
      : {}),
  };
}

/**
 * The request span's attributes once the request is over: the HTTP status, the caller's key id,
 * and the GenAI attributes of the model call (provider, requested and answering model, usage).
 *
 * @example
 * span.set(requestEndAttributes(state, 200, 'gpt-5.5'));
 */
export function requestEndAttributes(
  state: RequestState,
  status: number,
  responseModel: string | undefined,
): Attributes {
  return {
    'http.response.status_code': status,
    ...(state.caller ? { 'nodex.key_id': state.caller.keyId } : {}),
    ...(state.decoded?.request.model ? { 'nodex.requested_model': state.decoded.request.model } : {}),
    ...providerAttributes(state),
    ...responseAttributes(state, responseModel),
  };
}

/** An upstream call span's attributes as it starts: provider, model, the host it goes to. */
export function upstreamStartAttributes(state: RequestState, record: UpstreamRequestRecord): Attributes {
  let server: Attributes = {};
  try {
    const url = new URL(record.url);
    server = {
      'server.address': url.hostname,
      'server.port': Number(url.port || (url.protocol === 'https:' ? 443 : 80)),
      'http.request.method': record.method,
    };
  } catch {
    // A provider without a URL (none today): no server attributes.
  }
  return { ...providerAttributes(state), ...server };
}

/** An upstream call span's attributes as it ends (the last attempt carries the outcome). */
export function upstreamEndAttributes(state: RequestState, responseModel: string | undefined): Attributes {
  const status = state.error ? state.error.status : 200;
  return { ...responseAttributes(state, responseModel), 'http.response.status_code': status };
}
