import type { ServerResponse } from 'node:http';
import { SSE_KEEP_ALIVE } from '../sse/write-sse.js';

/**
 * Writes SSE text straight to the socket: honours backpressure (waits for `drain` rather than
 * buffering without bound), sends `: keep-alive` comments after `keepaliveMs` of silence (one timer,
 * re-armed on every write), and reports whether the client is still there.
 */
export class SseWriter {
  readonly #raw: ServerResponse;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(raw: ServerResponse, keepaliveMs: number) {
    this.#raw = raw;
    raw.once('close', () => {
      this.#closed = true;
    });
    if (keepaliveMs > 0) {
      const timer = setTimeout(() => {
        if (!raw.writableEnded && !raw.destroyed) raw.write(SSE_KEEP_ALIVE);
        timer.refresh();
      }, keepaliveMs);
      timer.unref();
      this.#timer = timer;
    }
  }

  /** Whether the client went away (the upstream should be cancelled). */
  get closed(): boolean {
    return this.#closed || this.#raw.destroyed;
  }

  /** Writes frames; resolves once the socket can take more. */
  async write(text: string): Promise<void> {
    if (text === '' || this.closed) return;
    this.#timer?.refresh();
    if (!this.#raw.write(text)) await this.#drained();
  }

  /** Resolves on `drain` or `close`, removing both listeners (a long stream waits many times). */
  #drained(): Promise<void> {
    const raw = this.#raw;
    return new Promise((resolve) => {
      const done = () => {
        raw.off('drain', done);
        raw.off('close', done);
        resolve();
      };
      raw.on('drain', done);
      raw.on('close', done);
    });
  }

  /** Writes the last frames and ends the response. */
  end(text = ''): void {
    clearTimeout(this.#timer);
    if (this.closed || this.#raw.writableEnded) return;
    this.#raw.end(text);
  }
}
