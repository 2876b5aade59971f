import { ResponseAccumulator } from '../core/accumulate.js';
import { NodexError } from '../core/errors.js';
import type { StreamEvent } from '../core/events.js';
import type { CanonicalResponse } from '../core/response.js';
import type { Warning } from '../core/warnings.js';
import { SDKRequestError } from './errors.js';
import type { SdkResponse } from './sdk-response.js';

export interface ResponseStreamParts<Parsed> {
  readonly requestId: string;
  readonly first: StreamEvent;
  readonly rest: AsyncIterator<StreamEvent>;
  readonly controller: AbortController;
  readonly warnings: Warning[];
  /** Builds the final response (throws SDKRequestError for a failed one). */
  readonly finish: (response: CanonicalResponse) => SdkResponse<Parsed>;
  /** Called once when the stream ends, however it ends. */
  readonly onEnd: (response: CanonicalResponse, aborted: boolean) => Promise<void>;
  /** Why a stream ended before it finished: a timeout, a cancellation, or (undefined) the upstream. */
  readonly endCause: () => NodexError | undefined;
}

/**
 * A streamed response: iterate it for v1 events, or await `finalResponse()` / `finalText()`.
 * Leaving a `for await` early (or calling `abort()`) cancels the upstream request.
 *
 * @example
 * const stream = await client.responses.create({ model: 'mock-text', input: 'hi', stream: true });
 * for await (const event of stream) if (event.type === 'text_delta') process.stdout.write(event.delta);
 * const response = await stream.finalResponse();
 */
export class ResponseStream<Parsed = unknown> implements AsyncIterable<StreamEvent> {
  readonly requestId: string;
  /** Warnings so far; complete once the stream has ended. */
  readonly warnings: Warning[];
  readonly #parts: ResponseStreamParts<Parsed>;
  readonly #accumulator = new ResponseAccumulator();
  #iterated = false;
  #ended = false;
  #resolveEnded: () => void = () => {};
  readonly #endedPromise = new Promise<void>((resolve) => {
    this.#resolveEnded = resolve;
  });
  #failure: unknown;
  #endCause: NodexError | undefined;

  constructor(parts: ResponseStreamParts<Parsed>) {
    this.#parts = parts;
    this.requestId = parts.requestId;
    this.warnings = parts.warnings;
  }

  [Symbol.asyncIterator](): AsyncIterator<StreamEvent> {
    if (this.#iterated)
      throw new Error('a response stream can be iterated only once; use finalResponse() for the result');
    this.#iterated = true;
    return this.#pump();
  }

  /** Cancels the upstream request; iteration ends and `finalResponse()` rejects with `aborted`. */
  abort(): void {
    this.#parts.controller.abort();
  }

  async finalResponse(): Promise<SdkResponse<Parsed>> {
    if (!this.#iterated) for await (const _ of this);
    await this.#endedPromise;
    if (this.#failure) throw SDKRequestError.from(this.#failure, this.requestId);
    if (this.#endCause) throw SDKRequestError.from(this.#endCause, this.requestId);
    return this.#parts.finish(this.#accumulator.result());
  }

  async finalText(): Promise<string> {
    return (await this.finalResponse()).output_text;
  }

  async *#pump(): AsyncGenerator<StreamEvent> {
    const { first, rest, controller } = this.#parts;
    try {
      this.#accumulator.push(first);
      yield first;
      for (;;) {
        const next = await rest.next();
        if (next.done) return;
        this.#accumulator.push(next.value);
        yield next.value;
      }
    } catch (error) {
      this.#failure = error;
      throw SDKRequestError.from(error, this.requestId);
    } finally {
      const early = !this.#accumulator.finished;
      if (early) {
        // Classify first: aborting our own controller below would hide a timeout as a cancellation.
        this.#endCause =
          this.#parts.endCause() ??
          (controller.signal.aborted
            ? undefined
            : new NodexError('aborted', 'the response stream was left before it finished'));
        controller.abort();
        await rest.return?.().catch(() => undefined);
      }
      await this.#end(early && this.#endCause !== undefined);
    }
  }

  async #end(aborted: boolean): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    try {
      await this.#parts.onEnd(this.#accumulator.result(), aborted);
    } finally {
      this.#resolveEnded();
    }
  }
}
