import type { ProviderData } from '../../core/provider-data.js';

/** The `provider_data` key this provider reads and writes (a provider kind, core/provider-data.ts). */
export const PROVIDER_DATA_KEY = 'openai-compatible';

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The `provider_data` of a tool call that carried `extra_content` (Gemini's thought signature,
 * wire.md §6.3): kept verbatim under `provider_data['openai-compatible'].extra_content`.
 *
 * @example
 * toolCallProviderData({ google: { thought_signature: 'sig' } });
 * // { 'openai-compatible': { extra_content: { google: { thought_signature: 'sig' } } } }
 */
export function toolCallProviderData(extraContent: Readonly<Record<string, unknown>>): ProviderData {
  return { [PROVIDER_DATA_KEY]: { extra_content: extraContent } };
}

/** The `extra_content` recorded on a call item by `toolCallProviderData`, if any. */
export function extraContentOf(
  providerData: ProviderData | undefined,
): Readonly<Record<string, unknown>> | undefined {
  const extra = providerData?.[PROVIDER_DATA_KEY]?.extra_content;
  return isRecord(extra) ? extra : undefined;
}

/** The thought signature inside `extra_content` (`google` on AI Studio, `vertex` on Vertex AI). */
export function thoughtSignatureOf(extraContent: Readonly<Record<string, unknown>>): string | undefined {
  for (const vendor of ['google', 'vertex']) {
    const value = extraContent[vendor];
    if (isRecord(value) && typeof value.thought_signature === 'string') return value.thought_signature;
  }
  return undefined;
}
