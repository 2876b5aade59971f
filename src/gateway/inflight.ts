/** Why an in-flight request was cut: the client left, or the gateway is shutting down. */
export type AbortCause = 'client_closed' | 'shutdown';

interface Entry {
  readonly controller: AbortController;
}

/**
 * The requests being served, so a graceful shutdown can let them finish and, after the grace
 * period, cut the rest (each then ends with its protocol's error event).
 */
export class Inflight {
  readonly #entries = new Set<Entry>();
  #shuttingDown = false;

  /** Registers a request; the returned function unregisters it. */
  track(controller: AbortController): () => void {
    const entry = { controller };
    this.#entries.add(entry);
    return () => this.#entries.delete(entry);
  }

  get size(): number {
    return this.#entries.size;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  beginShutdown(): void {
    this.#shuttingDown = true;
  }

  /** Cuts every in-flight request. */
  abortAll(cause: AbortCause): void {
    for (const entry of this.#entries) entry.controller.abort(cause);
  }
}
