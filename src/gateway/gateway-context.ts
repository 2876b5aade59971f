import type { Route } from '../routing/router.js';
import type { GatewayServices } from './gateway-services.js';
import type { Inflight } from './inflight.js';
import type { Logger } from './logger.js';
import type { GatewayMetrics } from './metrics.js';
import type { ResponseHistory } from './response-history.js';
import type { SessionCache } from './session-cache.js';

/** Everything a request needs, built once per gateway (create-gateway.ts). */
export interface GatewayContext {
  /** Model → provider (aliases, patterns, discovery). Throws model_not_found / provider_unavailable. */
  readonly route: (model: string) => Promise<Route>;
  /** Keys, limits, metering, payments. */
  readonly services: GatewayServices;
  readonly metrics: GatewayMetrics;
  readonly log: Logger;
  readonly sessions: SessionCache;
  /** Stored Responses turns, for `previous_response_id`. */
  readonly history: ResponseHistory;
  readonly inflight: Inflight;
  readonly defaultModel: string;
  /** Retries of an upstream call before the first byte (server.max_retries). */
  readonly maxRetries: number;
  readonly keepaliveMs: number;
  /** Output tokens reserved for a request without a max output (limits.reserve_output_tokens). */
  readonly reserveOutputTokens: number;
}
