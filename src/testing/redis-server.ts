import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** A throw-away Redis server for one test file. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` (no password). */
  readonly url: string;
  readonly port: number;
  /** Stops the server (its data is gone: nothing is saved) and removes its directory; `restart()` may follow. */
  stop(): Promise<void>;
  /** Stops the server if it runs, then starts an empty one on the same port (after `stop()` too). */
  restart(): Promise<void>;
}

const INSTALL_HINT =
  'redis-server was not found on PATH or in $NODEX_REDIS_SERVER. The Redis store tests need it: ' +
  'install Redis (Debian/Ubuntu: apt-get install -y redis-server; macOS: brew install redis).';

function findRedisServer(): string {
  const explicit = process.env.NODEX_REDIS_SERVER;
  if (explicit && existsSync(explicit)) return explicit;
  const dirs = [
    ...(process.env.PATH ?? '').split(delimiter),
    '/usr/bin',
    '/usr/local/bin',
    '/opt/homebrew/bin',
  ];
  const found = dirs.filter((dir) => dir !== '').find((dir) => existsSync(join(dir, 'redis-server')));
  if (found === undefined) throw new Error(INSTALL_HINT);
  return join(found, 'redis-server');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

/** True when a PING on the port gets +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}

// The server runs under a shell that waits on its stdin: when this process ends, even killed, the
// pipe closes and the shell stops Redis.
const SUPERVISOR = `"$0" "$@" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null' TERM
read -r _ || true
kill -TERM "$pid" 2>/dev/null
wait "$pid"`;

interface Running {
  readonly child: ChildProcess;
  readonly exited: Promise<void>;
  readonly stopNow: () => void;
}

async function launch(bin: string, dir: string, port: number): Promise<Running> {
  mkdirSync(dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  args.push('--dir', dir, '--daemonize', 'no', '--protected-mode', 'no', '--loglevel', 'warning');
  const child = spawn('/bin/sh', ['-c', SUPERVISOR, bin, ...args], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (chunk: Buffer) => {
    log = (log + chunk).slice(-8000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stopNow = () => child.stdin?.end();
  process.once('exit', stopNow);
  const deadline = Date.now() + 15_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      stopNow();
      await exited;
      process.removeListener('exit', stopNow);
      throw new Error(`redis-server did not start on port ${port}:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, exited, stopNow };
}

async function halt(running: Running): Promise<void> {
  process.removeListener('exit', running.stopNow);
  running.stopNow();
  await running.exited;
}

/**
 * Starts a throw-away `redis-server` on 127.0.0.1 with a free port, nothing saved (`--save ''
 * --appendonly no`) and its working directory in a fresh temporary one. One per test file (vitest
 * runs files in parallel: each gets its own port). `restart()` brings an empty server back on the
 * same port, to test reconnection. Throws, never skips, when Redis is not installed.
 *
 * @example
 * let redis: RedisServer;
 * beforeAll(async () => { redis = await startRedisServer(); });
 * afterAll(() => redis.stop());
 * it('…', async () => { const client = await openRedis(redis.url); });
 */
export async function startRedisServer(): Promise<RedisServer> {
  const bin = findRedisServer();
  const dir = mkdtempSync(join(tmpdir(), 'nodex-redis-'));
  let port = 0;
  let running: Running | undefined;
  try {
    for (let attempt = 1; running === undefined; attempt++) {
      port = await freePort();
      try {
        running = await launch(bin, dir, port);
      } catch (error) {
        // Another test file may have taken the port between our probe and the server's bind.
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async stop() {
      if (running) await halt(running);
      running = undefined;
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      if (running) await halt(running);
      running = undefined;
      running = await launch(bin, dir, port);
    },
  };
}
