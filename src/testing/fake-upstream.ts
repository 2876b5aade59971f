import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fixtureText, splitSseFrames } from './fixtures.js';

/** A request the fake received, for assertions: headers lower-cased, body as text and as JSON. */
export interface RecordedRequest {
  readonly method: string;
  /** Path with query string, as sent. */
  readonly url: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
}

/** A fault to inject into a reply. */
export type Fault =
  /** Accept the request and never answer (a hung upstream). */
  | { readonly kind: 'stall-before' }
  /** Send the status, headers and `afterFrames` SSE frames, then hang. */
  | { readonly kind: 'stall-during'; readonly afterFrames: number }
  /** Send the status, headers and `afterFrames` SSE frames, then drop the connection. */
  | { readonly kind: 'disconnect'; readonly afterFrames: number }
  /** Drop the connection without answering (connection reset). */
  | { readonly kind: 'reset' };

export interface Reply {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (content-type application/json). */
  readonly json?: unknown;
  /** A raw body. */
  readonly body?: string;
  /** SSE to stream: raw text, a list of frames, or `{ fixture: 'codex-text.sse' }`. */
  readonly sse?: string | readonly string[] | { readonly fixture: string };
  readonly pacing?: { readonly firstByteDelayMs?: number; readonly frameIntervalMs?: number };
  readonly fault?: Fault;
}

export type ReplyFn = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface Script {
  readonly method?: string;
  /** Exact path (without query), or a RegExp tested against it. */
  readonly path?: string | RegExp;
  /** Extra predicate over the recorded request (body fields, headers). */
  readonly match?: (request: RecordedRequest) => boolean;
  readonly reply: Reply | ReplyFn;
  /** How many requests this script answers before it is used up (default: unlimited). */
  readonly times?: number;
}

export interface FakeUpstream {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Adds a script; scripts added later are tried first, so a test can override a default. */
  script(script: Script): void;
  /** How many answers the client abandoned (closed the connection before the answer ended). */
  abandoned(): number;
  /** How many TCP connections clients opened so far (keep-alive reuse shows as fewer than requests). */
  connections(): number;
  /** Clears scripts and recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

interface ActiveScript extends Script {
  remaining: number;
}

function framesOf(sse: NonNullable<Reply['sse']>): readonly string[] {
  if (typeof sse === 'string') return splitSseFrames(sse);
  if ('fixture' in sse) return splitSseFrames(fixtureText(sse.fixture));
  return sse;
}

async function readRequest(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks).toString('utf8');
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  const url = new URL(req.url ?? '/', 'http://fake');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    path: url.pathname,
    query: url.searchParams,
    headers,
    body,
    json,
  };
}

function matches(script: ActiveScript, request: RecordedRequest): boolean {
  if (script.remaining <= 0) return false;
  if (script.method && script.method.toUpperCase() !== request.method) return false;
  if (typeof script.path === 'string' && script.path !== request.path) return false;
  if (script.path instanceof RegExp && !script.path.test(request.path)) return false;
  return script.match ? script.match(request) : true;
}

/** Answers the fake itself cut short (reset / disconnect faults): not abandoned by the client. */
const dropped = new WeakSet<ServerResponse>();

async function send(res: ServerResponse, reply: Reply, closing: AbortSignal): Promise<void> {
  const { fault, pacing = {} } = reply;
  if (fault?.kind === 'reset') {
    dropped.add(res);
    res.socket?.destroy();
    return;
  }
  if (fault?.kind === 'stall-before') return; // never answer; close() destroys the socket
  if (pacing.firstByteDelayMs) await sleep(pacing.firstByteDelayMs, undefined, { signal: closing });
  const status = reply.status ?? 200;
  if (reply.sse !== undefined) {
    res.writeHead(status, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      ...reply.headers,
    });
    res.flushHeaders();
    const frames = framesOf(reply.sse);
    const stopAt = fault && 'afterFrames' in fault ? fault.afterFrames : frames.length;
    for (let i = 0; i < Math.min(stopAt, frames.length); i++) {
      if (i > 0 && pacing.frameIntervalMs)
        await sleep(pacing.frameIntervalMs, undefined, { signal: closing });
      if (res.destroyed) return;
      // Wait until the frame is handed to the socket, so a fault that follows cannot swallow it.
      await new Promise<void>((resolve) => res.write(frames[i] as string, () => resolve()));
    }
    if (fault?.kind === 'disconnect') {
      dropped.add(res);
      res.socket?.destroy();
      return;
    }
    if (fault?.kind === 'stall-during') return;
    res.end();
    return;
  }
  if (reply.json !== undefined) {
    res.writeHead(status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.json));
    return;
  }
  res.writeHead(status, { ...reply.headers });
  res.end(reply.body ?? '');
}

/**
 * Starts a fake upstream on 127.0.0.1 (port 0): it records every request, answers from scripts
 * (SSE fixture replay with pacing, JSON, raw bodies) and injects faults (status codes, stalls before
 * or during a stream, disconnects). Unscripted requests get a 404 naming the route.
 *
 * @example
 * const fake = await startFakeUpstream();
 * fake.script({ method: 'POST', path: '/v1/chat/completions', reply: { sse: { fixture: 'chat-completions-text.sse' } } });
 * // … point a provider at fake.url …
 * expect(fake.requests[0]?.json).toMatchObject({ stream: true });
 * await fake.close();
 */
export async function startFakeUpstream(scripts: readonly Script[] = []): Promise<FakeUpstream> {
  const active: ActiveScript[] = scripts.map((s) => ({
    ...s,
    remaining: s.times ?? Number.POSITIVE_INFINITY,
  }));
  const requests: RecordedRequest[] = [];
  let abandoned = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.once('close', () => {
      if (!res.writableFinished && !closing.signal.aborted && !dropped.has(res)) abandoned += 1;
    });
    try {
      const request = await readRequest(req);
      requests.push(request);
      const script = [...active].reverse().find((s) => matches(s, request));
      if (!script) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            error: { message: `fake upstream: no script for ${request.method} ${request.path}` },
          }),
        );
        return;
      }
      script.remaining -= 1;
      const reply = typeof script.reply === 'function' ? await script.reply(request) : script.reply;
      await send(res, reply, closing.signal);
    } catch (error) {
      if (closing.signal.aborted) return;
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake upstream failed: ${(error as Error).message}` } }));
    }
  }
  server.on('connection', (socket) => {
    sockets.add(socket);
    connections += 1;
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script: (script) => {
      active.push({ ...script, remaining: script.times ?? Number.POSITIVE_INFINITY });
    },
    abandoned: () => abandoned,
    connections: () => connections,
    reset: () => {
      active.length = 0;
      requests.length = 0;
    },
    close: async () => {
      closing.abort();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * A loopback URL nothing answers at (a fake upstream started and closed again).
 *
 * @example
 * const url = await deadUrl(); // http://127.0.0.1:PORT, connection refused
 */
export async function deadUrl(): Promise<string> {
  const fake = await startFakeUpstream();
  await fake.close();
  return fake.url;
}
