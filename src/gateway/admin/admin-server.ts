import { chmodSync, existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { NodexError } from '../../core/errors.js';
import type { AdminApi } from './admin-api.js';
import { registerAdminRoutes } from './admin-routes.js';

export interface AdminServerOptions {
  readonly api: AdminApi;
  /** The unix socket (made 0600, in a 0700 directory). */
  readonly socketPath?: string;
  /** Also on TCP, behind `token` (required). */
  readonly tcp?: { readonly host: string; readonly port: number; readonly token: string };
}

export interface AdminServer {
  /** Where it listens: the socket path and/or `http://host:port`. */
  readonly socketPath?: string;
  readonly url?: string;
  close(): Promise<void>;
}

/** Whether something answers on a unix socket (a live gateway), as opposed to a stale file. */
function socketIsLive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function adminApp(api: AdminApi, token?: string): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });
  registerAdminRoutes(app, api, token);
  return app;
}

/**
 * Starts the admin API (keys CRUD, policy, add-tokens, usage, reset) on a unix socket — no token:
 * the socket file is 0600 in a 0700 directory, so only this user reaches it — and, when asked, on
 * TCP behind an admin token. A stale socket file (no one listening) is replaced; a live one means
 * another gateway owns it, which is an error. The socket file is removed on close.
 *
 * @example
 * const admin = await startAdminServer({ api, socketPath: '/home/me/.nodex/admin.sock' });
 */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const apps: FastifyInstance[] = [];
  const closeAll = async () => {
    for (const app of apps) await app.close();
  };
  try {
    let socketPath: string | undefined;
    let url: string | undefined;
    if (options.socketPath) {
      const path = options.socketPath;
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      if (existsSync(path)) {
        if (await socketIsLive(path))
          throw new NodexError('config_invalid', `the admin socket ${path} is in use by another gateway`);
        unlinkSync(path);
      }
      const app = adminApp(options.api);
      apps.push(app);
      await app.listen({ path });
      chmodSync(path, 0o600);
      socketPath = path;
    }
    if (options.tcp) {
      if (options.tcp.token.length < 16)
        throw new NodexError('config_invalid', 'the admin token must be at least 16 characters');
      const app = adminApp(options.api, options.tcp.token);
      apps.push(app);
      await app.listen({ host: options.tcp.host, port: options.tcp.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.tcp.port;
      url = `http://${options.tcp.host}:${port}`;
    }
    return {
      ...(socketPath ? { socketPath } : {}),
      ...(url ? { url } : {}),
      close: async () => {
        await closeAll();
        if (socketPath && existsSync(socketPath)) unlinkSync(socketPath);
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
