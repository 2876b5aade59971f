import { Agent } from 'undici';

/**
 * One keep-alive undici Agent for every upstream: it keeps one connection pool per origin, so no
 * request pays for a new TCP or TLS handshake (DESIGN.md §6). Timeouts are set per request.
 */
export const upstreamAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  // Per origin. Streams hold a connection for their whole life: 1,024 concurrent streams to one
  // provider must not queue inside the gateway (each idle socket costs a few KB).
  connections: 1024,
  pipelining: 1,
});
