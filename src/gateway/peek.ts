import { errorFromEvent } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';

/** Events that commit a response: once one arrives, the HTTP status goes out (DESIGN.md §3). */
function isContent(event: StreamEvent): boolean {
  return event.type !== 'response_started' && event.type !== 'usage' && event.type !== 'error';
}

export interface Peeked {
  /** The events read so far, to send first. */
  readonly held: readonly StreamEvent[];
  /** The stream ended while peeking. */
  readonly ended: boolean;
}

/**
 * Reads the provider stream until its first content event, so a failure before any content — an
 * upstream error, an `error` event right after `response_started` — becomes a proper HTTP error
 * with the right status instead of a 200 stream that carries an error.
 */
export async function peekFirstContent(iterator: AsyncIterator<StreamEvent>): Promise<Peeked> {
  const held: StreamEvent[] = [];
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { held, ended: true };
    if (next.value.type === 'error') throw errorFromEvent(next.value);
    held.push(next.value);
    if (isContent(next.value)) return { held, ended: false };
  }
}
