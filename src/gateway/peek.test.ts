import { describe, expect, it } from 'vitest';
import { NodexError } from '../core/errors.js';
import { type StreamEvent, streamEvent } from '../core/events.js';
import { textTurn } from '../testing/scripted-provider.js';
import { peekFirstContent } from './peek.js';

async function* from(events: readonly StreamEvent[]): AsyncGenerator<StreamEvent> {
  yield* events;
}

describe('peekFirstContent', () => {
  it('holds the events up to and including the first content, and leaves the rest unread', async () => {
    const iterator = from(textTurn(['a', 'b']));
    const peeked = await peekFirstContent(iterator);
    expect(peeked.ended).toBe(false);
    expect(peeked.held.map((e) => e.type)).toEqual(['response_started', 'text_delta']);
    expect((await iterator.next()).value).toMatchObject({ type: 'text_delta', delta: 'b' });
  });

  it('turns an error before any content into a thrown NodexError (so it gets an HTTP status)', async () => {
    const events = [
      streamEvent('response_started', { response_id: 'r', model: 'm', created_at: 1 }),
      streamEvent('error', { code: 'upstream_overloaded', error: 'busy', status: 529, retryable: true }),
    ];
    const error = await peekFirstContent(from(events)).catch((e: unknown) => e);
    expect(NodexError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ code: 'upstream_overloaded', message: 'busy' });
  });

  it('reports a stream that ended before any content', async () => {
    const started = streamEvent('response_started', { response_id: 'r', model: 'm', created_at: 1 });
    expect(await peekFirstContent(from([started]))).toEqual({ held: [started], ended: true });
  });
});
