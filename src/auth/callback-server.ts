import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { NodexError } from '../core/errors.js';
import { errorPage, successPage } from './callback-pages.js';
import { authorizationCodeFrom, type CallbackParams } from './callback-result.js';

export interface CallbackServerOptions {
  /** Codex's registered port is 1455 (wire.md §1.1); 0 picks any free port (tests). */
  readonly port: number;
  /** Tried when `port` is busy: 1457, the other port on Codex's redirect allow-list. */
  readonly fallbackPort?: number;
  /** The `state` sent in the authorize URL. */
  readonly expectedState: string;
  /** The configured redirect URI; default `http://localhost:{port}/auth/callback`. */
  readonly redirectUri?: string;
  readonly signal?: AbortSignal;
  /** The redirect path: Codex's `/auth/callback` (default) or Claude's `/callback` (wire.md §4.1). */
  readonly path?: string;
  /** Checks the callback's query and returns the code, or throws (default: Codex's rules). */
  readonly readCode?: (params: CallbackParams, expectedState: string) => string;
  /** Named in the "port busy" message (default `nodex login codex`). */
  readonly loginCommand?: string;
}

export interface CallbackServer {
  readonly port: number;
  /** What to send as `redirect_uri` (the server binds 127.0.0.1, the URI names localhost as Codex's does). */
  readonly redirectUri: string;
  /** The authorization code; rejects on an error answer, a state mismatch, `/cancel` or abort. */
  readonly code: Promise<string>;
  close(): Promise<void>;
}

const CODEX_CALLBACK_PATH = '/auth/callback';

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

async function bind(
  server: Server,
  port: number,
  fallback: number | undefined,
  loginCommand: string,
): Promise<number> {
  try {
    return await listen(server, port);
  } catch (error) {
    const busy = (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
    if (busy && fallback !== undefined && fallback !== port) {
      try {
        return await listen(server, fallback);
      } catch {
        // fall through to the message naming both ports
      }
    }
    const ports = fallback !== undefined && fallback !== port ? `${port} and ${fallback} are` : `${port} is`;
    throw new NodexError(
      'provider_unavailable',
      `cannot start the sign-in callback server: port ${ports} busy (another login running?); ` +
        `finish or cancel it, or use \`${loginCommand} --no-browser\``,
      { cause: error },
    );
  }
}

/**
 * Starts the local OAuth redirect target on 127.0.0.1 (wire.md §1.1): `GET /auth/callback` with
 * `code` and `state`, `GET /cancel`. It answers one sign-in (success or error page), then closes.
 * oauth-codex had no such server and made users paste the failed redirect (seeds-spec §C.2 item 6).
 *
 * @example
 * const server = await startCallbackServer({ port: 1455, fallbackPort: 1457, expectedState: pkce.state });
 * const code = await server.code;
 */
export async function startCallbackServer(options: CallbackServerOptions): Promise<CallbackServer> {
  const path = options.path ?? CODEX_CALLBACK_PATH;
  const readCode = options.readCode ?? authorizationCodeFrom;
  let settle: { resolve(code: string): void; reject(error: NodexError): void } | undefined;
  const code = new Promise<string>((resolve, reject) => {
    settle = { resolve, reject };
  });
  code.catch(() => undefined); // the caller may stop listening first (abort); no unhandled rejection
  let done = false;
  const server = createServer((req, res) => handle(req, res));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  const finish = (res: ServerResponse, status: number, html: string, outcome: () => void) => {
    done = true;
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
    res.end(html, () => void close());
    outcome();
  };
  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (done || req.method !== 'GET') {
      res.writeHead(done ? 410 : 405).end();
      return;
    }
    if (url.pathname === '/cancel') {
      const error = new NodexError('aborted', 'sign-in cancelled (another login asked this one to stop)');
      finish(res, 200, errorPage('This sign-in was cancelled.'), () => settle?.reject(error));
      return;
    }
    if (url.pathname !== path) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    try {
      const value = readCode(Object.fromEntries(url.searchParams), options.expectedState);
      finish(res, 200, successPage(), () => settle?.resolve(value));
    } catch (error) {
      const failure = error as NodexError;
      finish(res, 400, errorPage(failure.message), () => settle?.reject(failure));
    }
  }
  const port = await bind(
    server,
    options.port,
    options.fallbackPort,
    options.loginCommand ?? 'nodex login codex',
  );
  const onAbort = () => {
    if (done) return;
    done = true;
    settle?.reject(new NodexError('aborted', 'sign-in cancelled'));
    void close();
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  void code.finally(() => options.signal?.removeEventListener('abort', onAbort)).catch(() => undefined);
  return {
    port,
    redirectUri: options.redirectUri ?? `http://localhost:${port}${path}`,
    code,
    close: async () => {
      if (!done) {
        done = true;
        settle?.reject(new NodexError('aborted', 'sign-in cancelled'));
      }
      if (server.listening) await close();
    },
  };
}
