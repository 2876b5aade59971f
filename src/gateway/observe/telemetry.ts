import type { Attributes, Span, Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';

/** `telemetry` in the config (config/schema.ts). */
export interface TelemetrySettings {
  readonly otlp_endpoint?: string | undefined;
  readonly service_name: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** One span: attributes set as they become known, children, and the end with an optional error. */
export interface TelemetrySpan {
  set(attributes: Attributes): void;
  /** A child span (an upstream call), kind CLIENT. */
  child(name: string, attributes: Attributes): TelemetrySpan;
  end(error?: { readonly code: string; readonly message: string }): void;
}

/** Spans for the gateway: one per request (kind SERVER); flushed and stopped by `close()`. */
export interface Telemetry {
  startRequest(name: string, attributes: Attributes): TelemetrySpan;
  close(): Promise<void>;
}

let imports = 0;

/**
 * How many times the OpenTelemetry SDK was loaded in this process: it is imported on demand, only
 * when `telemetry.otlp_endpoint` is set, so a gateway without telemetry pays nothing for it.
 *
 * @example
 * telemetryLoads(); // 0 until a gateway with telemetry starts
 */
export function telemetryLoads(): number {
  return imports;
}

/** `http://collector:4318` → `http://collector:4318/v1/traces`; a full traces URL stays. */
export function tracesUrl(endpoint: string): string {
  const url = endpoint.replace(/\/+$/, '');
  return url.endsWith('/v1/traces') ? url : `${url}/v1/traces`;
}

type OtelApi = typeof import('@opentelemetry/api');

class OtelSpan implements TelemetrySpan {
  constructor(
    private readonly api: OtelApi,
    private readonly tracer: Tracer,
    private readonly span: Span,
  ) {}

  set(attributes: Attributes): void {
    this.span.setAttributes(attributes);
  }

  child(name: string, attributes: Attributes): TelemetrySpan {
    const parent = this.api.trace.setSpan(this.api.context.active(), this.span);
    const span = this.tracer.startSpan(name, { kind: this.api.SpanKind.CLIENT, attributes }, parent);
    return new OtelSpan(this.api, this.tracer, span);
  }

  end(error?: { readonly code: string; readonly message: string }): void {
    if (error) {
      this.span.setAttribute('error.type', error.code);
      this.span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: error.message });
    }
    this.span.end();
  }
}

/**
 * Starts OpenTelemetry tracing when `otlp_endpoint` is set: the SDK is loaded with dynamic
 * `import()` here and nowhere else, spans are batched (BatchSpanProcessor) and exported over
 * OTLP/HTTP (JSON). Resolves to undefined when telemetry is off. `close()` flushes and stops.
 *
 * @example
 * const telemetry = await startTelemetry({ otlp_endpoint: 'http://127.0.0.1:4318', service_name: 'nodex', headers: {} });
 * const span = telemetry?.startRequest('POST /v1/responses', { 'http.request.method': 'POST' });
 * span?.end();
 * await telemetry?.close();
 */
export async function startTelemetry(
  settings: TelemetrySettings,
  version = '0.0.0',
): Promise<Telemetry | undefined> {
  const endpoint = settings.otlp_endpoint;
  if (!endpoint) return undefined;
  imports += 1;
  const [api, sdk, resources, otlp] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/exporter-trace-otlp-http'),
  ]);
  const exporter = new otlp.OTLPTraceExporter({ url: tracesUrl(endpoint), headers: { ...settings.headers } });
  const provider: BasicTracerProvider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      'service.name': settings.service_name,
      'service.version': version,
    }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('nodex', version);
  return {
    startRequest: (name, attributes) =>
      new OtelSpan(api, tracer, tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes })),
    close: async () => {
      await provider.forceFlush();
      await provider.shutdown();
    },
  };
}
