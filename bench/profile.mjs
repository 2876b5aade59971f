#!/usr/bin/env node
// CPU profile of the nodex gateway under load: starts the mock upstream and `nodex serve` with
// `node --cpu-prof`, warms it up, drives each route with autocannon, stops the gateway (SIGTERM,
// so V8 writes the profile) and prints the top functions by self time and inclusive time, and the
// time per file / package, mapped back to src/*.ts through dist's source maps.
//
//   node bench/profile.mjs [--seconds 10] [--connections 50] [--routes chat:openai-compatible:json,…]
//                          [--keep DIR] [--top 30]
//
// Route = client protocol : provider : json|sse. Default: chat → openai-compatible JSON and SSE,
// responses → codex SSE, messages → anthropic SSE. Only 127.0.0.1; every process is stopped on exit.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { bodyFor } from './lib/http-client.mjs';
import { prepareNodex, startNodex } from './lib/nodex.mjs';
import { onExit, startProcess, stopAll, stopProcess } from './lib/processes.mjs';
import { nodexTarget } from './lib/targets.mjs';

const ROOT = join(import.meta.dirname, '..');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index === -1 ? fallback : (process.argv[index + 1] ?? fallback);
}

const seconds = Number(option('seconds', '10'));
const connections = Number(option('connections', '50'));
const top = Number(option('top', '30'));
const routes = option(
  'routes',
  'chat:openai-compatible:json,chat:openai-compatible:sse,responses:codex:sse,messages:anthropic:sse',
)
  .split(',')
  .map((spec) => {
    const [protocol, provider, mode] = spec.split(':');
    return { protocol, provider, stream: mode === 'sse' };
  });
const keep = option('keep', undefined);

const run = (target, stream, duration) =>
  autocannon({
    url: `${target.origin}${target.path}`,
    method: 'POST',
    headers: target.headers,
    body: bodyFor(target, stream),
    connections,
    duration,
  });

// ---------------------------------------------------------------------------------------------
// profile analysis

const maps = new Map();
function sourceMapFor(path) {
  if (!maps.has(path)) {
    try {
      maps.set(path, new SourceMap(JSON.parse(readFileSync(`${path}.map`, 'utf8'))));
    } catch {
      maps.set(path, undefined);
    }
  }
  return maps.get(path);
}

/** "functionName (src/x/y.ts:line)" for our code, "fn (pkg)" for node_modules, "fn (node:…)" for Node. */
function describe(frame) {
  const name = frame.functionName || '(anonymous)';
  const url = frame.url ?? '';
  if (url === '') return { key: name, file: name.startsWith('(') ? name : '(native)' };
  if (url.startsWith('node:')) return { key: `${name} (${url})`, file: url };
  let path = url;
  try {
    if (url.startsWith('file:')) path = fileURLToPath(url);
  } catch {
    // keep the url
  }
  const nm = path.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const rest = path.slice(nm + 'node_modules/'.length).split('/');
    const pkg = rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
    return {
      key: `${name} (${pkg}/${rest.slice(pkg?.startsWith('@') ? 2 : 1).join('/')}:${frame.lineNumber + 1})`,
      file: `npm:${pkg}`,
    };
  }
  if (path.includes('/dist/')) {
    const entry = sourceMapFor(path)?.findEntry(frame.lineNumber, frame.columnNumber);
    if (entry?.originalSource) {
      const source = entry.originalSource.startsWith('file:')
        ? fileURLToPath(entry.originalSource)
        : join(path, '..', entry.originalSource);
      const rel = relative(ROOT, source);
      return { key: `${name} (${rel}:${entry.originalLine + 1})`, file: rel };
    }
    const rel = relative(ROOT, path);
    return { key: `${name} (${rel}:${frame.lineNumber + 1})`, file: rel };
  }
  return { key: `${name} (${path}:${frame.lineNumber + 1})`, file: path };
}

export function analyse(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const info = new Map(profile.nodes.map((node) => [node.id, describe(node.callFrame)]));
  const self = new Map();
  const selfFile = new Map();
  const inclusive = new Map();
  let total = 0;
  let idle = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    total += dt;
    const node = byId.get(id);
    const { key, file } = info.get(id) ?? { key: '?', file: '?' };
    if (node?.callFrame.functionName === '(idle)') {
      idle += dt;
      continue;
    }
    self.set(key, (self.get(key) ?? 0) + dt);
    selfFile.set(file, (selfFile.get(file) ?? 0) + dt);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = info.get(at)?.key ?? '?';
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
  }
  const sorted = (map) => [...map.entries()].sort((a, b) => b[1] - a[1]);
  return {
    totalMs: total,
    idleMs: idle,
    self: sorted(self),
    files: sorted(selfFile),
    inclusive: sorted(inclusive),
  };
}

function print(analysis, log) {
  const busy = analysis.totalMs - analysis.idleMs;
  const pct = (v) => `${((v / busy) * 100).toFixed(1).padStart(5)} %`;
  log(
    `profile: ${(analysis.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (percentages of busy time)`,
  );
  log(`\n-- top ${top} functions by self time --`);
  for (const [key, v] of analysis.self.slice(0, top)) log(`${pct(v)}  ${key}`);
  log(`\n-- top ${top} files / packages by self time --`);
  for (const [key, v] of analysis.files.slice(0, top)) log(`${pct(v)}  ${key}`);
  log(`\n-- top ${top} nodex functions (src/) by inclusive time --`);
  for (const [key, v] of analysis.inclusive.filter(([k]) => k.includes('(src/')).slice(0, top))
    log(`${pct(v)}  ${key}`);
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const log = (line) => process.stdout.write(`${line}\n`);
  const tmp = mkdtempSync(join(tmpdir(), 'nodex-profile-'));
  const cancelCleanup = onExit(() => rmSync(tmp, { recursive: true, force: true }));
  const profileDir = keep ?? join(tmp, 'cpuprofile');
  mkdirSync(profileDir, { recursive: true });
  try {
    const mock = await startProcess({
      name: 'mock-upstream',
      command: process.execPath,
      args: [join(ROOT, 'bench', 'mock-upstream.mjs')],
      logFile: join(tmp, 'mock.log'),
      ready: /listening on (http:\/\/127\.0\.0\.1:\d+)/,
    });
    const prepared = prepareNodex({
      dir: join(tmp, 'nodex'),
      mockUrl: mock.match[1],
      logLevel: option('log-level', 'info'),
    });
    const nodex = await startNodex({
      prepared,
      logFile: join(tmp, 'nodex.log'),
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
    });
    for (const route of routes) {
      const target = nodexTarget(route.protocol, route.provider, nodex.url, prepared.key);
      await run(target, route.stream, 2);
      const result = await run(target, route.stream, seconds);
      log(
        `${target.label} ${route.stream ? 'SSE' : 'JSON'} c=${connections}: ${Math.round(result['2xx'] / result.duration)} req/s, p99 ${result.latency.p99} ms`,
      );
    }
    await stopProcess(nodex.child, 30_000);
    await stopProcess(mock.child);
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile written in ${profileDir}`);
    print(analyse(JSON.parse(readFileSync(join(profileDir, file), 'utf8'))), log);
    if (keep) log(`\nprofile kept: ${join(profileDir, file)} (open it in Chrome DevTools → Performance)`);
  } finally {
    await stopAll();
    cancelCleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    async (error) => {
      process.stderr.write(
        `profile failed: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
      );
      await stopAll();
      process.exit(1);
    },
  );
}
