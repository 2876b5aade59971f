import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Env } from '../../config/paths.js';
import type { NodexConfig } from '../../config/schema.js';
import { NodexError } from '../../core/errors.js';
import type { Caller } from '../api-key-auth.js';
import { fromFastifyError } from '../error-handler.js';
import type { Logger } from '../logger.js';
import { callerOf } from '../request-caller.js';
import { type AuditLine, auditFromHttp } from './audit-line.js';
import { JsonlWriter } from './jsonl-writer.js';
import { observePath } from './observe-paths.js';
import { type ObserveSinks, RequestObservation } from './request-observation.js';
import { startTelemetry, type Telemetry } from './telemetry.js';
import { TraceRecorder } from './trace-recorder.js';

const observations = new WeakMap<FastifyRequest, RequestObservation>();

/**
 * The observation of a request, when traces, the audit log or telemetry are on (undefined
 * otherwise, so the pipeline's `seen?.…` calls cost nothing when all three are off).
 *
 * @example
 * const seen = observationOf(http);
 * seen?.attach(state);
 */
export function observationOf(req: FastifyRequest): RequestObservation | undefined {
  return observations.get(req);
}

export interface GatewayObserverOptions {
  readonly config: NodexConfig;
  readonly log: Logger;
  readonly version: string;
  /** Resolves relative paths (NODEX_HOME) and `~`; default process.env. */
  readonly env?: Env;
  /** Names the caller of routes that check the key themselves (`/v1/models`), for the audit. */
  readonly authenticate: (headers: IncomingHttpHeaders) => Promise<Caller>;
}

/**
 * Traces (`server.trace`), the audit log (`server.audit`) and OpenTelemetry spans (`telemetry`)
 * for one gateway. `create()` answers undefined when all are off: then no hook is added and the
 * OpenTelemetry SDK is never loaded.
 *
 * @example
 * const observer = GatewayObserver.create({ config, log, version, authenticate });
 * observer?.register(app);
 * await observer?.ready; // telemetry loaded
 * await observer?.close(); // flushes the files and the span exporter
 */
export class GatewayObserver {
  /** Resolves once telemetry (if on) is loaded; it never rejects. */
  readonly ready: Promise<void>;
  private readonly sinks: { trace?: TraceRecorder; audit?: (line: AuditLine) => void; telemetry?: Telemetry };
  private readonly auditFile: JsonlWriter | undefined;
  private readonly pending = new Set<Promise<void>>();

  private constructor(private readonly options: GatewayObserverOptions) {
    const { config, log } = options;
    const onError = (what: string) => (error: unknown) =>
      log.warn({ error: error instanceof Error ? error.message : String(error) }, `${what} write failed`);
    this.sinks = {};
    const trace = config.server.trace;
    if (trace)
      this.sinks.trace = new TraceRecorder(
        new JsonlWriter({
          path: observePath(trace.path, options.env),
          maxBytes: trace.max_bytes,
          maxFiles: trace.max_files,
          onError: onError('trace'),
        }),
        trace.max_body,
      );
    const audit = config.server.audit;
    if (audit) {
      const file = new JsonlWriter({
        path: observePath(audit.path, options.env),
        maxBytes: audit.max_bytes,
        maxFiles: audit.max_files,
        onError: onError('audit'),
      });
      this.auditFile = file;
      this.sinks.audit = (line) => file.write(JSON.stringify(line));
    }
    this.ready = startTelemetry(config.telemetry, options.version).then(
      (telemetry) => {
        if (telemetry) this.sinks.telemetry = telemetry;
      },
      (error: unknown) =>
        log.error(
          { error: error instanceof Error ? error.message : String(error) },
          'telemetry could not start; continuing without it',
        ),
    );
  }

  /** The observer the config asks for, or undefined when traces, audit and telemetry are all off. */
  static create(options: GatewayObserverOptions): GatewayObserver | undefined {
    const { server, telemetry } = options.config;
    if (!server.trace && !server.audit && !telemetry.otlp_endpoint) return undefined;
    return new GatewayObserver(options);
  }

  /** Adds the hooks; call before any other onRequest hook, so refused requests are seen too. */
  register(app: FastifyInstance): void {
    app.addHook('onRequest', (req, reply, done) => {
      // Scrapes and probes are not client traffic: they would bury it (every 15 s, forever).
      const path = req.url.split('?', 1)[0];
      if (path === '/metrics' || path === '/health') return done();
      const seen = new RequestObservation(this.sinks as ObserveSinks, req);
      observations.set(req, seen);
      // Requests the pipeline takes are finished by it; the rest when their response closes.
      reply.raw.once('close', () => {
        if (seen.state || seen.finished) return;
        const finishing = this.finishHttp(seen, reply).finally(() => this.pending.delete(finishing));
        this.pending.add(finishing);
      });
      done();
    });
    app.addHook('preHandler', (req, _reply, done) => {
      observations.get(req)?.receivedRequest(true);
      done();
    });
    app.addHook('onError', (req, _reply, error: FastifyError, done) => {
      const seen = observations.get(req);
      if (seen) seen.errorCode = NodexError.isInstance(error) ? error.code : fromFastifyError(error).code;
      done();
    });
    app.addHook('onSend', (req, reply, payload, done) => {
      observations.get(req)?.answered(reply.statusCode, payload);
      done(null, payload);
    });
  }

  /** Writes what is queued, flushes the span exporter and closes the files. */
  async close(): Promise<void> {
    await this.ready;
    await Promise.allSettled([...this.pending]);
    await Promise.allSettled([
      this.sinks.trace?.close(),
      this.auditFile?.close(),
      this.sinks.telemetry?.close(),
    ]);
  }

  /** A request outside the pipeline (or refused before it): its line from the reply. */
  private async finishHttp(seen: RequestObservation, reply: FastifyReply): Promise<void> {
    const latencyMs = performance.now() - seen.started;
    const status = reply.raw.writableFinished ? reply.statusCode : 499;
    let caller: Caller | undefined = callerOf(seen.req);
    // /v1/models checks the key itself; ask again (a cached lookup) to name the caller.
    if (!caller && status < 400 && seen.path.startsWith('/v1/'))
      caller = await this.options.authenticate(seen.req.headers).catch(() => undefined);
    seen.finish(
      auditFromHttp(seen, {
        route: seen.req.routeOptions.url ?? seen.path,
        status,
        latencyMs,
        caller,
        errorCode: seen.errorCode ?? (status === 499 ? 'aborted' : undefined),
      }),
    );
  }
}
