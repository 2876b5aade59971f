import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** A throw-away PostgreSQL server for one test file. */
export interface PgServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth, no password). */
  readonly url: string;
  /** Creates a fresh, empty database on this server and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown) and removes its directory. */
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, postgres) were not found on PATH, in $NODEX_PG_BIN or in ' +
  '/usr/lib/postgresql/*/bin. The PostgreSQL store tests need them: install PostgreSQL ' +
  '(Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql).';

/** The directory holding `initdb` and `postgres`: $NODEX_PG_BIN, PATH, then Debian's versioned dirs. */
function findBinDir(): string {
  const has = (dir: string) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'));
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '');
  const root = '/usr/lib/postgresql';
  const debian = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+(\.\d+)?$/.test(v))
        .sort((a, b) => Number(b) - Number(a))
        .map((v) => join(root, v, 'bin'))
    : [];
  const found = [process.env.NODEX_PG_BIN ?? '', ...path, ...debian].find((dir) => dir !== '' && has(dir));
  if (found === undefined) throw new Error(INSTALL_HINT);
  return found;
}

/** PostgreSQL refuses to run as root: as root, run it as `postgres` (or `nobody`) instead. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  for (const user of ['postgres', 'nobody']) {
    try {
      const id = (flag: string) => Number(execFileSync('id', [flag, user], { encoding: 'utf8' }).trim());
      return { uid: id('-u'), gid: id('-g') };
    } catch {
      // no such user: try the next one
    }
  }
  throw new Error('running as root, but there is no "postgres" user to run PostgreSQL as: create one');
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

/** Runs a program to completion, as `user` when given; rejects with its output when it fails. */
function run(file: string, args: string[], cwd: string, user?: { uid: number; gid: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd, env: childEnv(cwd), stdio: ['ignore', 'pipe', 'pipe'], ...user });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${file} failed (exit ${code}):\n${output}`)),
    );
  });
}

function childEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LC_ALL: 'C', TZ: 'UTC' };
}

// The server runs under a shell that waits on its stdin: when this process ends, even killed, the
// pipe closes, and the shell stops PostgreSQL (fast shutdown) and removes its directory.
const SUPERVISOR = `"$0" "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null' TERM
read -r _ || true
kill -INT "$pid" 2>/dev/null
wait "$pid"
rm -rf "$NODEX_PG_DIR"`;

/** Polls until the server accepts a connection, it exits, or 30 s pass. */
async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited before accepting connections:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
    }
    if (Date.now() > deadline) throw new Error(`postgres did not accept connections within 30 s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a throw-away PostgreSQL server: `initdb` into a fresh temporary directory, then `postgres`
 * on 127.0.0.1 with a free port, its unix socket inside that directory and fsync off. One per test
 * file (vitest runs files in parallel: each gets its own port and directory); `createDatabase()`
 * gives each test an empty database. Throws, never skips, when PostgreSQL is not installed. As root
 * it runs the server as the `postgres` user, which owns the directory.
 *
 * @example
 * let server: PgServer;
 * beforeAll(async () => { server = await startPgServer(); }, 60_000);
 * afterAll(() => server.stop());
 * it('…', async () => { const pool = await openPgPool(await server.createDatabase()); });
 */
export async function startPgServer(): Promise<PgServer> {
  const bin = findBinDir();
  const user = runAs();
  const dir = mkdtempSync(join(tmpdir(), 'nodex-pg-'));
  try {
    if (user) chownSync(dir, user.uid, user.gid);
    const data = join(dir, 'data');
    await run(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
      dir,
      user,
    );
    for (let attempt = 1; ; attempt++) {
      try {
        return await launch(bin, dir, data, await freePort(), user);
      } catch (error) {
        // Another test file may have taken the port between our probe and the server's bind.
        if (attempt >= 3 || !/could not bind|already in use/i.test(String(error))) throw error;
      }
    }
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function launch(
  bin: string,
  dir: string,
  data: string,
  port: number,
  user?: { uid: number; gid: number },
): Promise<PgServer> {
  const settings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir];
  for (const setting of settings) args.push('-c', setting);
  const child = spawn('/bin/sh', ['-c', SUPERVISOR, join(bin, 'postgres'), ...args], {
    cwd: dir,
    env: { ...childEnv(dir), NODEX_PG_DIR: dir },
    stdio: ['pipe', 'ignore', 'pipe'],
    ...user,
  });
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    tail = (tail + chunk).slice(-8000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stopNow = () => child.stdin?.end();
  process.once('exit', stopNow);
  try {
    await waitReady(url, child, () => tail);
  } catch (error) {
    stopNow();
    await exited;
    throw error;
  }
  let databases = 0;
  return {
    url,
    async createDatabase() {
      databases += 1;
      const name = `nodex_test_${databases}`;
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      try {
        // An identifier cannot be a bind parameter; this one is ours, never outside text.
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      return url.replace(/\/postgres$/, `/${name}`);
    },
    async stop() {
      process.removeListener('exit', stopNow);
      stopNow();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts one server for the enclosing test file (or `describe`) and stops it afterwards; the
 * returned function gives it to the tests.
 *
 * @example
 * const server = usePgServer();
 * it('…', async () => { const url = await server().createDatabase(); });
 */
export function usePgServer(): () => PgServer {
  let server: PgServer | undefined;
  beforeAll(async () => {
    server = await startPgServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the PostgreSQL server did not start (see the beforeAll error)');
    return server;
  };
}
