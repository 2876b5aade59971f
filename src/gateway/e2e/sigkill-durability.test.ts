import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';

// The metering guarantee of docs/gateway.md "Usage durability": a request whose answer the caller
// received in full has its usage record on disk, even when the gateway process is killed with
// SIGKILL right after (no shutdown, no flush). The real CLI serves, under concurrent load.

const root = fileURLToPath(new URL('../../../', import.meta.url));
const home = tempDir('nodex-sigkill-');
let server: ChildProcess | undefined;

afterEach(() => {
  server?.kill('SIGKILL');
  server = undefined;
});

async function serve(configPath: string): Promise<{ url: string; process: ChildProcess }> {
  if (!existsSync(`${root}dist/cli/main.js`)) throw new Error('dist/ is missing: run `npm run build`');
  const child = spawn(
    process.execPath,
    ['dist/cli/main.js', '--config', configPath, 'serve', '--listen', '127.0.0.1:0'],
    { cwd: root, env: { PATH: process.env.PATH, HOME: home.path, NODEX_HOME: join(home.path, '.nodex') } },
  );
  server = child;
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await vi.waitFor(
    () => {
      const match = /^listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(output);
      if (!match?.[1]) throw new Error(`not listening yet: ${output}`);
      return match[1];
    },
    { timeout: 15_000, interval: 25 },
  );
  return { url, process: child };
}

const body = (stream: boolean) =>
  JSON.stringify({ model: 'mock-text', stream, messages: [{ role: 'user', content: 'hi' }] });

describe('usage durability', () => {
  it('every request completed before a SIGKILL has its usage record after the restart', async () => {
    const configPath = join(home.path, 'nodex.yaml');
    // A paced mock keeps requests in flight at the moment of the kill.
    writeFileSync(
      configPath,
      'server:\n  allow_any_key: true\nusage:\n  history: true\nproviders:\n  mock:\n    delta_interval_ms: 2\n',
    );
    const first = await serve(configPath);
    const dispatcher = new Agent({ connections: 32 });
    const completed: string[] = [];
    let sent = 0;
    let stop = false;
    const worker = async (lane: number) => {
      while (!stop) {
        const id = `kill-${lane}-${sent++}`;
        try {
          const answer = await request(`${first.url}/v1/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: 'Bearer any', 'x-request-id': id },
            body: body(sent % 2 === 0),
            dispatcher,
          });
          const text = await answer.body.text();
          // Complete = the whole answer arrived: a JSON completion, or a stream through [DONE].
          if (answer.statusCode === 200 && (text.includes('"chat.completion"') || text.includes('[DONE]')))
            completed.push(id);
        } catch {
          // Cut off by the kill: not completed, no promise made.
        }
      }
    };
    const lanes = Array.from({ length: 24 }, (_, lane) => worker(lane));
    await vi.waitFor(
      () => {
        if (completed.length < 300) throw new Error(`${completed.length} completed so far`);
      },
      { timeout: 30_000, interval: 20 },
    );
    // Stall the database (another writer holds its lock), so usage commits wait: answers must
    // wait with them rather than complete unmetered. Then kill, in flight, mid-stall; whatever
    // finished before this instant was promised.
    const dbPath = join(home.path, '.nodex', 'nodex.db');
    const blocker = new Database(dbPath);
    blocker.exec('BEGIN IMMEDIATE');
    await new Promise((resolve) => setTimeout(resolve, 400));
    const promised = [...completed];
    const exited = new Promise((resolve) => first.process.once('exit', resolve));
    first.process.kill('SIGKILL');
    await exited;
    blocker.exec('ROLLBACK');
    blocker.close();
    stop = true;
    await Promise.all(lanes);
    await dispatcher.destroy();
    expect(sent).toBeGreaterThan(promised.length);

    const db = new Database(dbPath);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(
        (db.prepare('SELECT request_id FROM usage_requests').all() as Array<{ request_id: string }>).map(
          (row) => row.request_id,
        ),
      );
      const missing = promised.filter((id) => !stored.has(id));
      expect(missing).toEqual([]);
      // Totals and per-request rows are written in one transaction: the crash split none.
      const totals = db.prepare('SELECT SUM(requests) AS n FROM usage_hourly').get() as { n: number };
      expect(totals.n).toBe(stored.size);
      expect(stored.size).toBeGreaterThanOrEqual(promised.length);
    } finally {
      db.close();
    }

    // The database opens and the gateway serves again after the crash.
    const second = await serve(configPath);
    const again = await request(`${second.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer any' },
      body: body(false),
    });
    expect(again.statusCode).toBe(200);
    await again.body.text();
  }, 60_000);
});
