import Fastify, { type FastifyInstance } from 'fastify';
import type { NodexConfig } from '../config/schema.js';
import { NodexError } from '../core/errors.js';
import type { ClientProtocol } from '../protocols/client-protocol.js';
import type { BuiltProviders } from '../providers/registry.js';
import { createRouter } from '../routing/create-router.js';
import { ModelDirectory } from '../routing/model-directory.js';
import { routeWithDiscovery } from '../routing/route-with-discovery.js';
import { type AdminServer, startAdminServer } from './admin/admin-server.js';
import { handleError } from './error-handler.js';
import type { GatewayContext } from './gateway-context.js';
import type { GatewayServices } from './gateway-services.js';
import { Inflight } from './inflight.js';
import type { Logger } from './logger.js';
import { GatewayMetrics } from './metrics.js';
import { GatewayObserver } from './observe/gateway-observer.js';
import { authenticateRequest } from './request-caller.js';
import { requestIdFrom } from './request-id.js';
import { ResponseHistory } from './response-history.js';
import { registerInfoRoutes } from './routes/info-routes.js';
import { registerProtocolRoutes } from './routes/protocol-routes.js';
import { SessionCache } from './session-cache.js';

export interface GatewayOptions {
  readonly config: NodexConfig;
  readonly providers: BuiltProviders;
  readonly log: Logger;
  readonly version: string;
  /** Keys, limits, metering, payments (openGatewayServices); the gateway closes them on close. */
  readonly services: GatewayServices;
  /** Serve the admin API on this unix socket (and `config.server.admin_listen` with its token). */
  readonly adminSocket?: string;
  /** The admin token for `server.admin_listen`. */
  readonly adminToken?: string;
}

export interface Gateway {
  readonly app: FastifyInstance;
  readonly context: GatewayContext;
  /** Listens; resolves to the bound address (`http://127.0.0.1:39001`, the real port for port 0). */
  listen(host: string, port: number): Promise<string>;
  /** The admin API's addresses once listening (socket path, TCP URL), when it is on. */
  readonly admin: { socketPath?: string; url?: string };
  /**
   * Graceful stop: no new requests (503 while closing), in-flight requests get `graceMs` to finish,
   * then the rest are cut (each ends with its protocol's error event).
   */
  close(graceMs: number): Promise<void>;
}

/**
 * The gateway as a library: a fastify app speaking the three client protocols over the configured
 * providers. `nodex serve` is a thin command around it; tests use it directly.
 *
 * @example
 * const gateway = createGateway({ config, providers: buildProviders(config, ctx), log, version });
 * const url = await gateway.listen('127.0.0.1', 0);
 */
export function createGateway(options: GatewayOptions): Gateway {
  const { config, providers, log } = options;
  const directory = new ModelDirectory({
    providers: () => [...providers.providers.values()],
    onWarning: (w) => log.warn({ feature: w.feature }, w.details),
  });
  const router = createRouter(config, providers, (model) => directory.providerOf(model));
  const inflight = new Inflight();
  const context: GatewayContext = {
    route: (model) => {
      if (!model)
        return Promise.reject(new NodexError('invalid_request', 'model is required', { param: 'model' }));
      return routeWithDiscovery(router, directory, model).catch((error: unknown) => {
        // A gateway client learns what it can ask for from GET /v1/models: say so.
        if (!NodexError.isInstance(error) || error.code !== 'model_not_found') throw error;
        throw new NodexError('model_not_found', `${error.message} (GET /v1/models lists the models served)`, {
          param: 'model',
          cause: error,
        });
      });
    },
    services: options.services,
    reserveOutputTokens: config.limits.reserve_output_tokens,
    metrics: new GatewayMetrics(),
    log,
    sessions: new SessionCache({ ttlMs: config.server.session_ttl }),
    history: new ResponseHistory({ ttlMs: config.server.session_ttl }),
    inflight,
    defaultModel: config.exec.model,
    maxRetries: config.server.max_retries,
    keepaliveMs: config.server.keepalive_interval,
  };
  context.metrics.observeMeter(() => options.services.meter.stats());
  context.metrics.observeLimits(options.services.limitsHealth);
  const app = Fastify({
    logger: false,
    bodyLimit: config.server.body_limit,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    requestIdHeader: false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true },
  });
  // Traces, audit, telemetry (when configured): their hooks go first, so refused requests are seen.
  const observer = GatewayObserver.create({
    config,
    log,
    version: options.version,
    authenticate: (headers) => options.services.auth.authenticate(headers),
  });
  observer?.register(app);
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const protocol = (req.routeOptions.config as { protocol?: ClientProtocol } | undefined)?.protocol;
    if (protocol) return authenticateRequest(req, reply, protocol, context);
    return undefined;
  });
  // JSON only: anything else is a 415 in the protocol's shape (fastify would parse text/plain).
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send({
      error: {
        message: `no route for ${req.method} ${req.url.split('?')[0]}`,
        type: 'invalid_request_error',
        param: null,
        code: 'not_found',
      },
    });
  });
  registerProtocolRoutes(app, context);
  registerInfoRoutes(app, context, directory, options.version);
  const admin: { socketPath?: string; url?: string } = {};
  let adminServer: AdminServer | undefined;
  return {
    app,
    context,
    admin,
    listen: async (host, port) => {
      adminServer = await startAdmin(options);
      if (adminServer?.socketPath) admin.socketPath = adminServer.socketPath;
      if (adminServer?.url) admin.url = adminServer.url;
      await observer?.ready;
      await app.listen({ host, port });
      const address = app.server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      return `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
    },
    close: async (graceMs) => {
      inflight.beginShutdown();
      const timer = setTimeout(() => inflight.abortAll('shutdown'), graceMs);
      timer.unref();
      // Keep-alive connections whose last response just ended would hold the close until the client
      // drops them: close each one as soon as it goes idle, and every connection left (opened but
      // never used, say) once no request is in flight.
      const sweep = setInterval(() => {
        if (inflight.size === 0) app.server.closeAllConnections();
        else app.server.closeIdleConnections();
      }, 50);
      sweep.unref();
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        clearInterval(sweep);
        // In-flight requests are done: their usage is flushed, then the database closes.
        await adminServer?.close();
        await observer?.close();
        await options.services.close();
      }
    },
  };
}

/** `HOST:PORT` (IPv6 in brackets) of `server.admin_listen`. */
function hostPort(listen: string): { host: string; port: number } {
  const colon = listen.lastIndexOf(':');
  const host = listen.slice(0, colon).replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port: Number(listen.slice(colon + 1)) };
}

/** The admin API on the socket (and TCP) the options name; undefined when both are off. */
async function startAdmin(options: GatewayOptions): Promise<AdminServer | undefined> {
  const listen = options.config.server.admin_listen;
  if (!options.adminSocket && !listen) return undefined;
  if (listen && !options.adminToken)
    throw new NodexError(
      'config_invalid',
      `server.admin_listen needs an admin token in $${options.config.server.admin_token_env}`,
    );
  return startAdminServer({
    api: options.services.admin,
    ...(options.adminSocket ? { socketPath: options.adminSocket } : {}),
    ...(listen && options.adminToken ? { tcp: { ...hostPort(listen), token: options.adminToken } } : {}),
  });
}
