import type { FastifyRequest } from 'fastify';
import type { StreamEvent } from '../../core/events.js';
import type { ProviderCallContext, UpstreamRequestRecord } from '../../core/provider.js';
import type { CanonicalRequest } from '../../core/request.js';
import type { ClientProtocol, StreamEncoder } from '../../protocols/client-protocol.js';
import { presentedKey } from '../api-key-auth.js';
import type { RequestState } from '../request-state.js';
import { type AuditLine, auditFromState, type RequestOrigin } from './audit-line.js';
import { requestEndAttributes, upstreamEndAttributes, upstreamStartAttributes } from './genai-attributes.js';
import { redactHeaders, redactUrl } from './redact.js';
import type { Telemetry, TelemetrySpan } from './telemetry.js';
import type { TracePhase, TraceRecorder } from './trace-recorder.js';

/** What an observation writes to: each part is absent when it is off. */
export interface ObserveSinks {
  readonly trace?: TraceRecorder | undefined;
  readonly audit?: ((line: AuditLine) => void) | undefined;
  readonly telemetry?: Telemetry | undefined;
}

/** The HTTP status a request ended with, as the access log counts it (499: the caller left). */
function statusOf(state: RequestState): number {
  return state.status ?? (state.error?.code === 'aborted' ? 499 : (state.error?.status ?? 500));
}

/** The error code inside an error answer: OpenAI `error.code`, else Anthropic's `error.type`. */
function errorCodeOf(body: unknown): string | undefined {
  const error = (body as { error?: { code?: unknown; type?: unknown } } | null)?.error;
  const code = error?.code ?? error?.type;
  return typeof code === 'string' ? code : undefined;
}

/** The secrets a request carries, scrubbed wherever they show up in its trace. */
function secretsOf(req: FastifyRequest): string[] {
  const provider = req.headers['x-provider-key'];
  const candidates = [presentedKey(req.headers), Array.isArray(provider) ? provider[0] : provider];
  return candidates.filter((s): s is string => typeof s === 'string' && s.length >= 8);
}

/**
 * One request as the trace, the audit log and telemetry see it: created by the gateway's
 * onRequest hook, fed by the pipeline (canonical request, upstream calls, events, frames) and
 * finished once, by the pipeline or, for other routes, when the response closes.
 *
 * @example
 * const seen = new RequestObservation(sinks, req);
 * const context = { signal, ...seen.callContext() };
 */
export class RequestObservation implements RequestOrigin {
  readonly id: string;
  readonly method: string;
  readonly path: string;
  readonly startedAt = Date.now();
  readonly started = performance.now();
  readonly toolCalls: string[] = [];
  /** The pipeline handles this request (and finishes it). */
  state: RequestState | undefined;
  /** The error code of an answer rendered outside the pipeline (onError hook, or its body). */
  errorCode: string | undefined;
  private readonly literals: string[];
  private readonly span: TelemetrySpan | undefined;
  private upstream: TelemetrySpan | undefined;
  private responseModel: string | undefined;
  private attempts = 0;
  private received = false;
  private done = false;

  constructor(
    private readonly sinks: ObserveSinks,
    readonly req: FastifyRequest,
  ) {
    this.id = req.id;
    this.method = req.method;
    this.path = req.url.split('?')[0] ?? req.url;
    this.literals = secretsOf(req);
    // Named by the route pattern, never the raw path (unbounded names for unknown paths).
    const route = req.routeOptions.url;
    this.span = sinks.telemetry?.startRequest(route ? `${req.method} ${route}` : req.method, {
      'http.request.method': req.method,
      'url.path': this.path,
      ...(route ? { 'http.route': route } : {}),
      'nodex.request_id': this.id,
    });
  }

  get finished(): boolean {
    return this.done;
  }

  trace(phase: TracePhase, fields: Readonly<Record<string, unknown>>): void {
    this.sinks.trace?.record(this.id, phase, fields, this.literals);
  }

  /** The request as received: method, path, headers (credentials removed) and, once read, its body. */
  receivedRequest(withBody: boolean): void {
    if (this.received) return;
    this.received = true;
    if (!this.sinks.trace) return;
    this.trace('request', {
      method: this.method,
      path: redactUrl(this.req.url, this.literals),
      headers: redactHeaders(this.req.headers, this.literals),
      ...(!withBody ? { body_read: false } : this.req.body === undefined ? {} : { body: this.req.body }),
    });
  }

  /** The pipeline takes the request over: it calls `finishState` when done. */
  attach(state: RequestState): void {
    this.state = state;
  }

  canonical(request: CanonicalRequest, provider: string): void {
    this.trace('canonical_request', { provider, body: request });
  }

  /** Observers for the provider call: the upstream request of each attempt and each upstream event. */
  callContext(): Pick<ProviderCallContext, 'onUpstreamRequest' | 'onUpstreamEvent'> {
    return {
      onUpstreamRequest: (record) => this.upstreamRequest(record),
      ...(this.sinks.trace
        ? {
            onUpstreamEvent: (event) =>
              this.trace('upstream_event', {
                ...(event.event ? { name: event.event } : {}),
                data: event.data,
              }),
          }
        : {}),
    };
  }

  /** The provider's canonical events, seen on their way to the encoder. */
  tapEvents(iterator: AsyncIterator<StreamEvent>): AsyncIterator<StreamEvent> {
    return {
      next: async () => {
        const next = await iterator.next();
        if (!next.done) this.providerEvent(next.value);
        return next;
      },
      return: async (value?: unknown) =>
        iterator.return ? iterator.return(value) : { done: true as const, value: undefined },
    };
  }

  /** The protocol with its stream encoder tapped: each frame sent to the caller is traced. */
  tapProtocol(protocol: ClientProtocol): ClientProtocol {
    if (!this.sinks.trace) return protocol;
    return {
      ...protocol,
      createStreamEncoder: (context) => this.tapEncoder(protocol.createStreamEncoder(context)),
    };
  }

  private tapEncoder(encoder: StreamEncoder): StreamEncoder {
    const frame = (text: string) => {
      if (text) this.trace('client_event', { frame: text });
      return text;
    };
    return {
      event: (event) => frame(encoder.event(event)),
      end: () => frame(encoder.end()),
      error: (error) => frame(encoder.error(error)),
    };
  }

  /** An answer fastify sends (not a stream): traced, and its error code kept for the audit line. */
  answered(status: number, payload: unknown): void {
    // Answered before the body was read (a refused key, a body too large): the request first.
    this.receivedRequest(false);
    if (status < 400 && !this.sinks.trace) return;
    const text =
      typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString() : undefined;
    if (text === undefined) return;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (metrics text): kept as text.
    }
    if (status >= 400) this.errorCode ??= errorCodeOf(body);
    this.trace('client_response', { status, body });
  }

  /** Ends a request the pipeline handled, from what its state says. */
  finishState(state: RequestState): void {
    this.finish(auditFromState(this, state, statusOf(state)));
  }

  /** Ends the request: the trace's `error` and `done` lines, the audit line and the spans. */
  finish(line: AuditLine): void {
    if (this.done) return;
    this.done = true;
    this.sinks.audit?.(line);
    const state = this.state;
    if (!this.received) this.receivedRequest(false);
    if (line.error_code)
      this.trace('error', {
        code: line.error_code,
        status: line.status,
        ...(state?.error ? { message: state.error.message } : {}),
      });
    this.trace('done', { ...line, ts: undefined, request_id: undefined, started_at: line.ts });
    if (!this.span) return;
    if (state && this.upstream) this.upstream.set(upstreamEndAttributes(state, this.responseModel));
    this.upstream?.end(state?.error ? { code: state.error.code, message: state.error.message } : undefined);
    this.span.set(
      state
        ? requestEndAttributes(state, line.status, this.responseModel)
        : {
            'http.response.status_code': line.status,
            ...(line.key_id ? { 'nodex.key_id': line.key_id } : {}),
          },
    );
    this.span.end(line.error_code ? { code: line.error_code, message: `status ${line.status}` } : undefined);
  }

  private upstreamRequest(record: UpstreamRequestRecord): void {
    this.attempts += 1;
    this.trace('upstream_request', {
      attempt: this.attempts,
      method: record.method,
      url: redactUrl(record.url, this.literals),
      headers: redactHeaders(record.headers, this.literals),
      body: record.body,
    });
    if (!this.span || !this.state) return;
    // A new attempt means the previous one failed before its first byte and was retried.
    this.upstream?.end({ code: 'retried', message: 'retried before the first byte' });
    const model = this.state.target?.model ?? 'unknown';
    this.upstream = this.span.child(`chat ${model}`, upstreamStartAttributes(this.state, record));
  }

  private providerEvent(event: StreamEvent): void {
    if (event.type === 'tool_call_started') this.toolCalls.push(event.name);
    else if (event.type === 'response_started') this.responseModel = event.model;
    this.trace('provider_event', { event });
  }
}
