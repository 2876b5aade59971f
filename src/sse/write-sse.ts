/** The OpenAI stream terminator frame. */
export const SSE_DONE = 'data: [DONE]\n\n';

/** A keep-alive comment frame: legal in every SSE stream, ignored by every client. */
export const SSE_KEEP_ALIVE = ': keep-alive\n\n';

/**
 * Formats one SSE frame. Objects are JSON-encoded; multi-line text data is split over several
 * `data:` lines, as the SSE spec requires.
 *
 * @example
 * formatSse({ type: 'ping' }, 'ping'); // 'event: ping\ndata: {"type":"ping"}\n\n'
 */
export function formatSse(data: unknown, event?: string): string {
  if (typeof data !== 'string') return formatSseJson(JSON.stringify(data), event);
  const text = data;
  const body = text.includes('\n')
    ? text
        .split('\n')
        .map((line) => `data: ${line}`)
        .join('\n')
    : `data: ${text}`;
  return event ? `event: ${event}\n${body}\n\n` : `${body}\n\n`;
}

/**
 * Formats one SSE frame from JSON text (`JSON.stringify` output, or pieces of it): such text never
 * holds a raw line break, so it needs no splitting over `data:` lines.
 *
 * @example
 * formatSseJson('{"type":"ping"}', 'ping'); // 'event: ping\ndata: {"type":"ping"}\n\n'
 */
export function formatSseJson(json: string, event?: string): string {
  return event ? `event: ${event}\ndata: ${json}\n\n` : `data: ${json}\n\n`;
}

/** Formats an SSE comment frame (`: text`). */
export function formatSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}
