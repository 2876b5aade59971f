import type { JsonlWriter } from './jsonl-writer.js';
import { redactValue } from './redact.js';

/**
 * The phases of one request in the trace, in the order they happen:
 * `request` (as received: method, path, headers, body), `canonical_request`, `upstream_request`
 * (url, headers, body; one per attempt), `upstream_event` (each upstream SSE event as parsed),
 * `provider_event` (each canonical event), `client_event` (each SSE frame sent to the caller) or
 * `client_response` (a JSON answer, status and body), `error`, `done` (status, model, latency).
 */
export type TracePhase =
  | 'request'
  | 'canonical_request'
  | 'upstream_request'
  | 'upstream_event'
  | 'provider_event'
  | 'client_event'
  | 'client_response'
  | 'error'
  | 'done';

/** Fields that hold a payload, cut to `max_body` when larger. */
const PAYLOAD_FIELDS = new Set(['body', 'data', 'event', 'frame']);

interface Entry {
  readonly ts: string;
  readonly requestId: string;
  readonly phase: TracePhase;
  readonly fields: Readonly<Record<string, unknown>>;
  readonly literals: readonly string[];
}

/**
 * Writes trace lines `{ts, request_id, phase, …}`. `record()` only queues the entry: redaction,
 * serialization and the write happen on a later turn, off the request's path.
 *
 * @example
 * const trace = new TraceRecorder(new JsonlWriter({ path, maxBytes: 25 << 20, maxFiles: 5 }), 256 * 1024);
 * trace.record('req_1', 'request', { method: 'POST', path: '/v1/responses', body });
 * await trace.close();
 */
export class TraceRecorder {
  private queue: Entry[] = [];
  private scheduled = false;

  constructor(
    private readonly writer: JsonlWriter,
    private readonly maxBody: number,
  ) {}

  get path(): string {
    return this.writer.path;
  }

  /** Queues one phase of a request; `literals` are secrets to scrub wherever they appear. */
  record(
    requestId: string,
    phase: TracePhase,
    fields: Readonly<Record<string, unknown>>,
    literals: readonly string[] = [],
  ): void {
    this.queue.push({ ts: new Date().toISOString(), requestId, phase, fields, literals });
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.drain());
  }

  /** Writes everything queued and closes the file. */
  async close(): Promise<void> {
    this.drain();
    await this.writer.close();
  }

  private drain(): void {
    this.scheduled = false;
    const entries = this.queue;
    this.queue = [];
    for (const entry of entries) this.writer.write(this.serialize(entry));
  }

  private serialize(entry: Entry): string {
    const line: Record<string, unknown> = { ts: entry.ts, request_id: entry.requestId, phase: entry.phase };
    for (const [key, value] of Object.entries(entry.fields)) {
      if (value === undefined) continue;
      const clean = redactValue(value, entry.literals, key);
      line[key] = PAYLOAD_FIELDS.has(key) ? this.bounded(clean) : clean;
    }
    return JSON.stringify(line);
  }

  /** The value, or when it serializes larger than `max_body`, its head and a truncation marker. */
  private bounded(value: unknown): unknown {
    if (typeof value === 'string')
      return value.length <= this.maxBody
        ? value
        : `${value.slice(0, this.maxBody)}…[nodex: truncated, ${value.length} chars]`;
    const text = JSON.stringify(value) ?? '';
    if (text.length <= this.maxBody) return value;
    return { nodex_truncated: true, chars: text.length, head: text.slice(0, this.maxBody) };
  }
}
