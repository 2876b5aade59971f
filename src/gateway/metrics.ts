import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MeterStats } from './metering/meter.js';
import type { LimitsHealth } from './shared-limits.js';

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * The gateway's Prometheus metrics, in their own registry (one per gateway, so tests and several
 * gateways in one process do not mix), plus prom-client's Node.js process metrics.
 */
export class GatewayMetrics {
  readonly registry = new Registry();

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  /** Reports the usage writer's queue and failed flushes (read at each scrape). */
  observeMeter(stats: () => MeterStats): void {
    new Gauge({
      name: 'nodex_usage_records_queued',
      help: 'Usage records waiting to be committed (grows while the store is unavailable)',
      registers: [this.registry],
      collect() {
        this.set(stats().queued);
      },
    });
    new Gauge({
      name: 'nodex_usage_flush_failures',
      help: 'Usage write transactions that failed and were retried, since start',
      registers: [this.registry],
      collect() {
        this.set(stats().failedFlushes);
      },
    });
  }

  /** Reports whether the limit store (Redis) answers, and the calls refused while it did not. */
  observeLimits(health: () => LimitsHealth): void {
    new Gauge({
      name: 'nodex_limit_store_available',
      help: 'Whether the rate-limit store answers (1) or limited requests fail closed (0)',
      registers: [this.registry],
      collect() {
        this.set(health().available ? 1 : 0);
      },
    });
    new Gauge({
      name: 'nodex_limit_store_failures',
      help: 'Rate-limit store calls refused because it could not be reached, since start',
      registers: [this.registry],
      collect() {
        this.set(health().failures);
      },
    });
  }

  readonly requests = new Counter({
    name: 'nodex_requests_total',
    help: 'Requests by route, model, provider and HTTP status',
    labelNames: ['route', 'model', 'provider', 'status'],
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'nodex_request_duration_seconds',
    help: 'Request latency, first byte in to last byte out',
    labelNames: ['route', 'provider'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly ttft = new Histogram({
    name: 'nodex_time_to_first_token_seconds',
    help: 'Time from request to the first content event',
    labelNames: ['route', 'provider'],
    buckets: SECONDS,
    registers: [this.registry],
  });
  readonly tokens = new Counter({
    name: 'nodex_tokens_total',
    help: 'Tokens by provider, model and kind (input, output, cached, reasoning)',
    labelNames: ['provider', 'model', 'kind'],
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'nodex_upstream_errors_total',
    help: 'Upstream failures by provider and error code',
    labelNames: ['provider', 'code'],
    registers: [this.registry],
  });
  readonly activeStreams = new Gauge({
    name: 'nodex_active_streams',
    help: 'Streams being sent right now',
    registers: [this.registry],
  });
  readonly warnings = new Counter({
    name: 'nodex_warnings_total',
    help: 'Codec warnings (dropped or approximated features)',
    labelNames: ['feature'],
    registers: [this.registry],
  });
}
