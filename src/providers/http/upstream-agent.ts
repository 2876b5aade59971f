import { Agent } from 'undici';

/**
 * One keep-alive undici Agent for every upstream: it keeps one connection pool per origin, so no
 * request pays for a new TCP or TLS handshake (DESIGN.md §6). Timeouts are set per request.
 */
export const upstreamAgent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 256,
  pipelining: 1,
});
