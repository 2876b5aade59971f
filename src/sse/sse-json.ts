import type { SseMessage } from './parse-sse.js';

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

export type SseJson =
  | { readonly kind: 'json'; readonly value: unknown; readonly event?: string }
  | { readonly kind: 'done' }
  | { readonly kind: 'invalid'; readonly data: string; readonly reason: string };

/**
 * Decodes one SSE message's data as JSON. `[DONE]` is the OpenAI end marker; trailing spaces after
 * the JSON (seen in Anthropic captures) are fine. Invalid JSON is reported, not thrown, so a decoder
 * can skip it with a warning instead of killing a live stream.
 *
 * @example
 * decodeSseJson({ data: '[DONE]' }); // { kind: 'done' }
 */
export function decodeSseJson(message: SseMessage): SseJson {
  const raw = message.data;
  // Nearly every payload is a bare JSON object: `{…}` has nothing to trim.
  const data =
    raw.charCodeAt(0) === OPEN_BRACE && raw.charCodeAt(raw.length - 1) === CLOSE_BRACE ? raw : raw.trim();
  if (data === '[DONE]') return { kind: 'done' };
  if (data === '') return { kind: 'invalid', data, reason: 'empty data' };
  try {
    const value: unknown = JSON.parse(data);
    return message.event ? { kind: 'json', value, event: message.event } : { kind: 'json', value };
  } catch (error) {
    return {
      kind: 'invalid',
      data: data.slice(0, 200),
      reason: error instanceof Error ? error.message : 'invalid JSON',
    };
  }
}
