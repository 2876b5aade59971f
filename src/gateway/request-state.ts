import type { FastifyRequest } from 'fastify';
import type { NodexError } from '../core/errors.js';
import type { CanonicalRequest } from '../core/request.js';
import type { CanonicalResponse } from '../core/response.js';
import type { TokenUsage } from '../core/usage.js';
import type { Warning } from '../core/warnings.js';
import type { DecodedClientRequest } from '../protocols/client-protocol.js';
import type { Route } from '../routing/router.js';
import type { Caller } from './key-auth.js';
import type { Reservation } from './limits/limiter.js';

/** Per-route hooks around the shared pipeline (the Responses route's session repair, say). */
export interface RouteHooks {
  /** After decoding and routing, before the provider call; may reject the request. */
  readonly prepare?: (
    request: CanonicalRequest,
    ctx: RequestState,
  ) => CanonicalRequest | Promise<CanonicalRequest>;
  /** After a complete (non-failed) response. */
  readonly completed?: (response: CanonicalResponse, ctx: RequestState) => void;
}

/** What the pipeline knows about one request as it goes. */
export interface RequestState {
  readonly id: string;
  readonly route: string;
  readonly started: number;
  /** Wall-clock start (Unix ms), for the usage record. */
  readonly startedAt: number;
  readonly http: FastifyRequest;
  readonly warnings: Warning[];
  /** Rate-limit headers for the answer (`x-ratelimit-*`). */
  readonly limitHeaders: Record<string, string>;
  caller?: Caller;
  decoded?: DecodedClientRequest;
  target?: Route;
  /** The tokens held for this request (tpm, quota) until its usage is committed. */
  reservation?: Reservation;
  firstContentAt?: number;
  status?: number;
  stream?: boolean;
  response?: CanonicalResponse;
  /** Usage seen on a stream that did not finish (the caller left, the gateway stopped). */
  partialUsage?: TokenUsage | null;
  /** Output text seen so far, for estimating usage the upstream never reported. */
  outputChars?: number;
  error?: NodexError;
  /** Set once the usage record is queued; awaited before the last bytes go out. */
  committed?: Promise<void>;
}
