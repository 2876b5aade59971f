#!/usr/bin/env node
// `npm run bench` (= `npm run build && node bench/run.mjs`): nodex against a mock upstream, a thin
// fastify + undici floor and Portkey, all in one run, interleaved round by round. Writes
// bench/results/<YYYY-MM-DD>.json and regenerates docs/benchmarks.md + docs/benchmarks.svg.
//
// Flags:
//   --quick          fewer rounds, short load runs, 100 streams instead of 1,000, Portkey only if
//                    already installed; proves the harness works (< 60 s). Results go to a temp
//                    file (or --out) and the docs are never touched.
//   --no-docs        do not regenerate docs/benchmarks.md and docs/benchmarks.svg
//   --out FILE       write the results JSON here
//   --skip-portkey   leave Portkey out (recorded as unavailable)
//   --log-level L    nodex's log.level (default info: the access log is on, written to a file)
//   --keep-tmp       keep the temporary folder (configs, logs, the nodex database)
//
// Only 127.0.0.1 is used. Every process the bench starts is stopped on exit, on errors and on
// SIGINT / SIGTERM. There are no pass/fail exit codes for timings: the targets are reported.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import pkg from '../package.json' with { type: 'json' };
import { bodyFor } from './lib/http-client.mjs';
import { NODEX_CLI, prepareNodex, startNodex } from './lib/nodex.mjs';
import {
  ensurePortkey,
  HONO_NODE_SERVER_PIN,
  PORTKEY_DIR,
  PORTKEY_VERSION,
  startPortkey,
} from './lib/portkey.mjs';
import { memoryOf, onExit, startProcess, stopAll, stopProcess } from './lib/processes.mjs';
import { evaluateTargets, printSummary, writeDocs } from './lib/report.mjs';
import {
  commandTime,
  concurrentStreams,
  loadTest,
  machine,
  mockControl,
  sequentialLatency,
  streamingLatency,
} from './lib/scenarios.mjs';
import {
  directTarget,
  floorTarget,
  NODEX_LOAD_ROUTES,
  NODEX_ROUTES,
  nodexTarget,
  portkeyTarget,
} from './lib/targets.mjs';

const ROOT = join(import.meta.dirname, '..');
const PROTOCOLS = ['chat', 'responses', 'messages'];

const FULL = {
  sequential: { rounds: 15, perRound: 40, warmup: 30 },
  load: { connectionsList: [50, 200], rounds: 3, duration: 4, warmup: { duration: 2 } },
  streaming: { rounds: 10, perRound: 5, warmup: 3, mock: { intervalMs: 3, deltas: 10, latencyMs: 0 } },
  concurrent: { count: 1000, mock: { intervalMs: 200, deltas: 20, latencyMs: 0 } },
  codecSeconds: 3,
  startupRuns: 20,
};
const QUICK = {
  sequential: { rounds: 3, perRound: 5, warmup: 3 },
  load: { connectionsList: [50, 200], rounds: 1, duration: 0.2, warmup: { duration: 0.15, modes: [false] } },
  streaming: { rounds: 2, perRound: 2, warmup: 1, mock: { intervalMs: 3, deltas: 10, latencyMs: 0 } },
  concurrent: { count: 100, mock: { intervalMs: 50, deltas: 10, latencyMs: 0 } },
  codecSeconds: 0.5,
  startupRuns: 2,
};
const FAST_MOCK = { latencyMs: 0, intervalMs: 0, deltas: 8, deltaSize: 6 };

function parseArgs(argv) {
  const args = {
    quick: false,
    docs: true,
    out: undefined,
    skipPortkey: false,
    logLevel: 'info',
    keepTmp: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') args.quick = true;
    else if (arg === '--no-docs') args.docs = false;
    else if (arg === '--out') args.out = argv[++i];
    else if (arg === '--skip-portkey') args.skipPortkey = true;
    else if (arg === '--log-level') args.logLevel = argv[++i] ?? 'info';
    else if (arg === '--keep-tmp') args.keepTmp = true;
    else {
      process.stderr.write(`bench: unknown argument ${arg}\n`);
      process.exit(2);
    }
  }
  return args;
}

const log = (line) => process.stdout.write(`${line}\n`);
const benchStart = performance.now();
/** 1-minute load average at the start of each phase: other work on the machine shows up here. */
const loadAverages = [];
const phase = (line) => {
  const [one] = os.loadavg();
  loadAverages.push({ phase: line, at_s: (performance.now() - benchStart) / 1000, loadavg_1m: one });
  log(
    `[${((performance.now() - benchStart) / 1000).toFixed(1)} s] ${line} (load average ${one?.toFixed(2)})`,
  );
};

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** One request (JSON and SSE) per target: every contender must answer 200 with text before timing starts. */
async function checkTargets(targets) {
  for (const target of targets) {
    for (const stream of [false, true]) {
      const response = await request(`${target.origin}${target.path}`, {
        method: 'POST',
        headers: target.headers,
        body: bodyFor(target, stream),
      });
      const text = await response.body.text();
      if (response.statusCode !== 200 || !/Hello|there/.test(text)) {
        throw new Error(
          `${target.label} (${stream ? 'stream' : 'json'}) answered ${response.statusCode}: ${text.slice(0, 300)}`,
        );
      }
    }
  }
}

const today = () => new Date().toISOString().slice(0, 10);

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const settings = args.quick ? QUICK : FULL;
  const t0 = performance.now();
  const tmp = mkdtempSync(join(os.tmpdir(), 'nodex-bench-'));
  const logs = join(tmp, 'logs');
  mkdirSync(logs);
  const cancelCleanup = args.keepTmp ? () => {} : onExit(() => rmSync(tmp, { recursive: true, force: true }));
  if (!existsSync(NODEX_CLI)) throw new Error(`${NODEX_CLI} is missing: run \`npm run build\` first`);
  const results = {
    schema: 1,
    date: today(),
    started_at: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    nodex_version: pkg.version,
    machine: machine(os),
    settings: { ...settings, mock: FAST_MOCK, nodex_log_level: args.logLevel },
    notes: [],
    portkey: { version: PORTKEY_VERSION, hono_node_server: HONO_NODE_SERVER_PIN, available: false },
  };
  log(
    `nodex bench (${results.mode}) on ${results.machine.cpu}, ${results.machine.cores} cores, Node ${process.version}`,
  );

  let nodex;
  let floor;
  let portkey;
  try {
    // Portkey first, so its install (if any) happens before anything is timed.
    const pk = args.skipPortkey
      ? { ok: false, reason: '--skip-portkey' }
      : await ensurePortkey({ allowInstall: !args.quick });
    if (pk.ok && pk.installed)
      log(`portkey ${PORTKEY_VERSION} installed into ${PORTKEY_DIR} in ${pk.seconds.toFixed(1)} s`);
    if (!pk.ok) {
      results.portkey.reason = pk.reason;
      log(`portkey: unavailable (${pk.reason}); its columns stay empty`);
    }

    const mock = await startProcess({
      name: 'mock-upstream',
      command: process.execPath,
      args: [join(ROOT, 'bench', 'mock-upstream.mjs')],
      logFile: join(logs, 'mock.log'),
      ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    });
    const mockUrl = mock.match[1];
    const control = mockControl(mockUrl);
    await control.setConfig(FAST_MOCK);
    const startFloor = () =>
      startProcess({
        name: 'floor',
        command: process.execPath,
        args: [join(ROOT, 'bench', 'floor-proxy.mjs'), '--upstream', mockUrl],
        logFile: join(logs, 'floor.log'),
        ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
      });
    const startPk = async () => startPortkey({ port: await freePort(), logFile: join(logs, 'portkey.log') });
    floor = await startFloor();
    if (pk.ok) {
      try {
        portkey = await startPk();
        results.portkey.available = true;
      } catch (error) {
        results.portkey.reason = `did not start: ${String(error).slice(0, 300)}`;
        log(`portkey: ${results.portkey.reason}`);
      }
    }
    const prepared = prepareNodex({ dir: join(tmp, 'nodex'), mockUrl, logLevel: args.logLevel });
    nodex = await startNodex({ prepared, logFile: join(logs, 'nodex.log') });
    log(
      `mock ${mockUrl}, floor ${floor.match[1]}, nodex ${nodex.url}${portkey ? `, portkey ${portkey.url}` : ''}`,
    );

    const direct = PROTOCOLS.map((p) => directTarget(p, mockUrl));
    const floors = PROTOCOLS.map((p) => floorTarget(p, floor.match[1]));
    const peers = portkey ? [portkeyTarget(portkey.url, mockUrl)] : [];
    const nodexAll = NODEX_ROUTES.map(([p, provider]) => nodexTarget(p, provider, nodex.url, prepared.key));
    const nodexLoad = nodexAll.filter((t) =>
      NODEX_LOAD_ROUTES.some(([p, pr]) => t.protocol === p && t.provider === pr),
    );
    // The server process of each target, for its CPU time per answer under load.
    for (const t of direct) t.pid = mock.pid;
    for (const t of floors) t.pid = floor.pid;
    for (const t of peers) t.pid = portkey?.pid;
    for (const t of nodexAll) t.pid = nodex.pid;
    await checkTargets([...direct, ...floors, ...peers, ...nodexAll]);

    phase('(a) sequential added latency');
    results.sequential = await sequentialLatency({
      targets: [...direct, ...floors, ...peers, ...nodexAll],
      ...settings.sequential,
      log,
    });

    phase('(b) load (autocannon)');
    const loadSettings = settings.load;
    results.load = await loadTest({
      targets: [...direct, ...floors, ...peers, ...nodexLoad],
      connectionsList: loadSettings.connectionsList,
      rounds: loadSettings.rounds,
      duration: loadSettings.duration,
      warmup: loadSettings.warmup,
      log,
    });
    results.nodex_rss_after_load_mb = (memoryOf(nodex.pid).rss ?? 0) / 1e6;
    results.nodex_hwm_after_load_mb = (memoryOf(nodex.pid).hwm ?? 0) / 1e6;

    phase('(c) streaming: TTFT and inter-event delay');
    await control.setConfig(settings.streaming.mock);
    results.streaming = await streamingLatency({
      targets: [...direct, ...floors, ...peers, ...nodexAll],
      rounds: settings.streaming.rounds,
      perRound: settings.streaming.perRound,
      warmup: settings.streaming.warmup,
      log,
    });

    // Fresh processes for the concurrency test, one at a time, so peaks are theirs alone.
    await stopProcess(nodex.child);
    await stopProcess(floor.child);
    if (portkey) await stopProcess(portkey.child);
    nodex = undefined;
    floor = undefined;
    portkey = undefined;
    const count = settings.concurrent.count;
    phase(
      `(c) ${count} concurrent slow streams (${settings.concurrent.mock.deltas} deltas every ${settings.concurrent.mock.intervalMs} ms)`,
    );
    await control.setConfig(settings.concurrent.mock);
    results.concurrent = [];
    {
      const fresh = await startNodex({ prepared, logFile: join(logs, 'nodex-streams.log') });
      const target = nodexTarget('chat', 'openai-compatible', fresh.url, prepared.key);
      results.concurrent.push(await concurrentStreams({ target, pid: fresh.pid, count, mock: control, log }));
      await stopProcess(fresh.child);
    }
    {
      const fresh = await startFloor();
      const target = floorTarget('chat', fresh.match[1]);
      results.concurrent.push(await concurrentStreams({ target, pid: fresh.pid, count, mock: control, log }));
      await stopProcess(fresh.child);
    }
    if (results.portkey.available) {
      const fresh = await startPk();
      const target = portkeyTarget(fresh.url, mockUrl);
      results.concurrent.push(await concurrentStreams({ target, pid: fresh.pid, count, mock: control, log }));
      await stopProcess(fresh.child);
    }
    await stopProcess(mock.child);

    phase('(d) codec throughput (one core, in-process)');
    const codec = spawnSync(
      process.execPath,
      [join(ROOT, 'bench', 'codec-worker.mjs'), '--seconds', String(settings.codecSeconds)],
      { encoding: 'utf8', maxBuffer: 1 << 20 },
    );
    if (codec.status !== 0) throw new Error(`codec worker failed: ${codec.stderr.slice(-1000)}`);
    results.codec = JSON.parse(codec.stdout);

    phase('(e) CLI start-up');
    const cliEnv = { ...prepared.env };
    const n = settings.startupRuns;
    results.startup = [
      commandTime({
        label: 'node -e 0 (bare Node start-up)',
        command: process.execPath,
        args: ['-e', '0'],
        env: cliEnv,
        n,
      }),
      commandTime({
        label: 'nodex --version',
        command: process.execPath,
        args: [NODEX_CLI, '--version'],
        env: cliEnv,
        n,
      }),
      commandTime({
        label: 'nodex exec --mock "say this back"',
        command: process.execPath,
        args: [NODEX_CLI, '--config', prepared.configPath, 'exec', '--mock', 'say this back'],
        env: cliEnv,
        n,
      }),
    ];
  } finally {
    await stopAll();
    cancelCleanup();
    if (args.keepTmp) log(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }

  results.duration_s = (performance.now() - t0) / 1000;
  results.load_average = loadAverages;
  results.load_average_end = os.loadavg()[0];
  results.targets = evaluateTargets(results);
  const outPath =
    args.out ??
    (args.quick
      ? join(os.tmpdir(), `nodex-bench-quick-${Date.now()}.json`)
      : join(ROOT, 'bench', 'results', `${results.date}.json`));
  mkdirSync(join(outPath, '..'), { recursive: true });
  writeFileSync(outPath, `${JSON.stringify(results, null, 2)}\n`);
  printSummary(results, log);
  log(`results: ${relative(process.cwd(), outPath) || outPath}`);
  if (args.docs && !args.quick) {
    const written = writeDocs(results, { root: ROOT, resultsPath: outPath });
    log(`docs: ${written.map((p) => relative(ROOT, p)).join(', ')}`);
  } else if (args.docs) {
    log('docs: left alone (--quick proves the harness; run the full bench to regenerate docs/benchmarks.md)');
  }
  if (args.quick && !results.portkey.available)
    log(`note: Portkey skipped in --quick (${results.portkey.reason})`);
  log(`bench finished in ${results.duration_s.toFixed(1)} s`);
}

main().then(
  () => process.exit(0),
  async (error) => {
    process.stderr.write(
      `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    await stopAll();
    process.exit(1);
  },
);
