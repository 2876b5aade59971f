import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { NodexError } from '../core/errors.js';

/** One server-sent event: its `event:` name (if any), its joined `data:` lines, its `id:`. */
export interface SseMessage {
  readonly event?: string;
  readonly data: string;
  readonly id?: string;
}

/** The largest single event accepted before the stream is treated as broken (16 MiB). */
export const MAX_SSE_EVENT_BYTES = 16 * 1024 * 1024;

function toMessage(message: EventSourceMessage): SseMessage {
  const out: { event?: string; data: string; id?: string } = { data: message.data };
  if (message.event) out.event = message.event;
  if (message.id) out.id = message.id;
  return out;
}

function overflow(): NodexError {
  return new NodexError('upstream_protocol', `an SSE event is larger than ${MAX_SSE_EVENT_BYTES} bytes`);
}

/**
 * Parses a byte (or text) stream as server-sent events with a spec-following parser
 * (eventsource-parser): comments, unknown fields, `\r\n` / `\r` line ends and a final event without
 * a trailing blank line are all handled. Parse once, at the edge (DESIGN.md §3).
 *
 * @example
 * for await (const message of parseSse(response.body)) console.log(message.event, message.data);
 */
export async function* parseSse(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  for await (const messages of parseSseChunks(source)) yield* messages;
}

/**
 * `parseSse` per network chunk: each chunk's complete events come out as one array (chunks that
 * complete none yield nothing), so a reader pays one `await` per chunk rather than per event. An
 * event split across chunks comes out with the chunk that completes it; the same parser, limits and
 * end-of-stream rule as `parseSse`.
 *
 * @example
 * for await (const messages of parseSseChunks(body)) for (const message of messages) handle(message);
 */
export async function* parseSseChunks(
  source: AsyncIterable<Uint8Array | string>,
): AsyncGenerator<SseMessage[]> {
  let batch: SseMessage[] = [];
  let failure: NodexError | undefined;
  const parser = createParser({
    maxBufferSize: MAX_SSE_EVENT_BYTES,
    onEvent: (message) => batch.push(toMessage(message)),
    onError: (error) => {
      // Unknown fields and bad `retry:` values are legal noise; only an oversized event is fatal.
      if (error.type === 'max-buffer-size-exceeded') failure = overflow();
    },
  });
  const decoder = new TextDecoder();
  for await (const chunk of source) {
    parser.feed(typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }));
    if (failure) throw failure;
    if (batch.length > 0) {
      const out = batch;
      batch = [];
      yield out;
    }
  }
  // A final event without its blank line still counts (cut-off streams); a clean end adds nothing.
  parser.feed(`${decoder.decode()}\n\n`);
  if (failure) throw failure;
  if (batch.length > 0) yield batch;
}

/**
 * Parses a complete SSE text (a fixture, a buffered body) into its events.
 *
 * @example
 * parseSseText('data: {"a":1}\n\n'); // [{ data: '{"a":1}' }]
 */
export function parseSseText(text: string): SseMessage[] {
  const out: SseMessage[] = [];
  const parser = createParser({ onEvent: (message) => out.push(toMessage(message)) });
  parser.feed(`${text}\n\n`);
  return out;
}
