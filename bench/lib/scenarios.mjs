// The measured scenarios (a)–(c) of the bench; (d) runs in bench/codec-worker.mjs, (e) below too.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { request } from 'undici';
import { bodyFor, connect, streamAgent, timedRequest, timedStream } from './http-client.mjs';
import { cpuSecondsOf, memoryOf } from './processes.mjs';
import { mean, median, quantile, roundOrder } from './stats.mjs';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Talks to the mock upstream's control endpoints. */
export function mockControl(mockUrl) {
  return {
    async setConfig(patch) {
      const response = await request(`${mockUrl}/__bench/config`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(patch),
      });
      return response.body.json();
    },
    async stats() {
      return (await request(`${mockUrl}/__bench/stats`)).body.json();
    },
    async resetStats() {
      return (await request(`${mockUrl}/__bench/stats/reset`, { method: 'POST' })).body.json();
    },
  };
}

/** The direct target of the same client protocol (the baseline "added" figures subtract). */
const directOf = (targets, target) =>
  targets.find((t) => t.contender === 'direct' && t.protocol === target.protocol);

/**
 * (a) Sequential added latency: one request at a time, contenders interleaved round by round
 * (rotated, every other round reversed), `perRound` non-streaming requests per target per round.
 * added = median over rounds of (the target's round median − direct's round median, same protocol).
 */
export async function sequentialLatency({ targets, rounds, perRound, warmup, log }) {
  const clients = new Map(targets.map((t) => [t.id, connect(t)]));
  const bodies = new Map(targets.map((t) => [t.id, bodyFor(t, false)]));
  const samples = new Map(targets.map((t) => [t.id, []]));
  const roundMedians = new Map(targets.map((t) => [t.id, []]));
  const errors = new Map(targets.map((t) => [t.id, 0]));
  try {
    for (const target of targets) {
      for (let i = 0; i < warmup; i++)
        await timedRequest(clients.get(target.id), target, bodies.get(target.id));
    }
    for (let round = 0; round < rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const client = clients.get(target.id);
        const these = [];
        for (let i = 0; i < perRound; i++) {
          const { ms, status } = await timedRequest(client, target, bodies.get(target.id));
          if (status !== 200) errors.set(target.id, (errors.get(target.id) ?? 0) + 1);
          these.push(ms);
        }
        samples.get(target.id)?.push(...these);
        roundMedians.get(target.id)?.push(median(these));
      }
      log?.(`  sequential round ${round + 1}/${rounds}`);
    }
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close()));
  }
  return targets.map((target) => {
    const direct = directOf(targets, target);
    const mine = roundMedians.get(target.id) ?? [];
    const theirs = direct ? (roundMedians.get(direct.id) ?? []) : [];
    const all = samples.get(target.id) ?? [];
    const p99 = quantile(all, 0.99);
    const directP99 = direct ? quantile(samples.get(direct.id) ?? [], 0.99) : undefined;
    return {
      id: target.id,
      label: target.label,
      contender: target.contender,
      protocol: target.protocol,
      provider: target.provider,
      n: all.length,
      errors: errors.get(target.id) ?? 0,
      median_ms: median(mine),
      p99_ms: p99,
      mean_ms: mean(all),
      added_median_ms: direct ? median(mine.map((m, i) => m - (theirs[i] ?? 0))) : undefined,
      added_p99_ms: p99 !== undefined && directP99 !== undefined ? p99 - directP99 : undefined,
    };
  });
}

function runAutocannon(target, { connections, stream, duration }) {
  return new Promise((resolve, reject) => {
    const options = {
      url: `${target.origin}${target.path}`,
      method: 'POST',
      headers: target.headers,
      body: bodyFor(target, stream),
      connections,
      pipelining: 1,
      timeout: 30,
      duration,
      // autocannon stops only on a sample tick: short (quick) runs need short ticks.
      sampleInt: duration < 2 ? 50 : 1000,
    };
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    instance.on('error', () => {});
  });
}

function cpuPerRequest(list) {
  if (list.some((r) => r.cpu_s === undefined)) return undefined;
  const requests = list.reduce((sum, r) => sum + r.requests, 0);
  return requests > 0 ? (list.reduce((sum, r) => sum + r.cpu_s, 0) / requests) * 1e6 : undefined;
}

/**
 * (b) Load: autocannon (closed loop, `connections` keep-alive connections) per target, for each
 * connections × streaming combination, targets interleaved round by round. req/s = 2xx answers /
 * the run's duration; p99 is autocannon's latency p99 (whole answer, ms). Each target gets one
 * warm-up run first. When a target names its server's `pid`, the CPU time that process used
 * during the runs is read from /proc: CPU µs per answer, a figure other load on the machine
 * disturbs much less than req/s.
 */
export async function loadTest({ targets, connectionsList, rounds, duration, warmup, log }) {
  const combos = [];
  for (const connections of connectionsList)
    for (const stream of [false, true]) combos.push({ connections, stream });
  const runs = new Map();
  for (const target of targets) {
    for (const stream of warmup.modes ?? [false, true]) {
      await runAutocannon(target, { connections: 50, stream, duration: warmup.duration });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (const combo of combos) {
      for (const target of roundOrder(targets, round)) {
        const cpuBefore = target.pid ? cpuSecondsOf(target.pid) : undefined;
        const result = await runAutocannon(target, { ...combo, duration });
        const cpuAfter = target.pid ? cpuSecondsOf(target.pid) : undefined;
        const key = `${target.id}|${combo.connections}|${combo.stream}`;
        const list = runs.get(key) ?? [];
        const ok = result['2xx'] ?? 0;
        list.push({
          rps: ok / result.duration,
          p50_ms: result.latency.p50,
          p99_ms: result.latency.p99,
          non2xx: result.non2xx ?? 0,
          errors: result.errors ?? 0,
          timeouts: result.timeouts ?? 0,
          requests: ok,
          seconds: result.duration,
          cpu_s: cpuBefore !== undefined && cpuAfter !== undefined ? cpuAfter - cpuBefore : undefined,
        });
        runs.set(key, list);
        log?.(
          `  load r${round + 1} c=${combo.connections} ${combo.stream ? 'sse ' : 'json'} ${target.label}: ${Math.round(ok / result.duration)} req/s p99 ${result.latency.p99} ms${result.non2xx || result.errors ? ` (non2xx ${result.non2xx}, errors ${result.errors})` : ''}`,
        );
      }
    }
  }
  const out = [];
  for (const target of targets) {
    for (const combo of combos) {
      const list = runs.get(`${target.id}|${combo.connections}|${combo.stream}`) ?? [];
      out.push({
        id: target.id,
        label: target.label,
        contender: target.contender,
        protocol: target.protocol,
        provider: target.provider,
        connections: combo.connections,
        stream: combo.stream,
        rounds: list.length,
        rps: median(list.map((r) => r.rps)),
        rps_min: Math.min(...list.map((r) => r.rps)),
        rps_max: Math.max(...list.map((r) => r.rps)),
        p50_ms: median(list.map((r) => r.p50_ms)),
        p99_ms: median(list.map((r) => r.p99_ms)),
        non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
        errors: list.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
        requests: list.reduce((sum, r) => sum + r.requests, 0),
        // CPU the contender's own process used per answer (the mock's for direct), all rounds together.
        cpu_us_per_request: cpuPerRequest(list),
      });
    }
  }
  return out;
}

/**
 * (c1) Streaming latency: paced streams (the mock writes a delta every `intervalMs`), one at a time,
 * targets interleaved round by round. TTFT = send → first text delta at the client; the
 * inter-event delay is the mean gap between text deltas. Added figures subtract direct's (same
 * protocol) round by round.
 */
export async function streamingLatency({ targets, rounds, perRound, warmup, log }) {
  const clients = new Map(targets.map((t) => [t.id, connect(t)]));
  const bodies = new Map(targets.map((t) => [t.id, bodyFor(t, true)]));
  const ttfts = new Map(targets.map((t) => [t.id, []]));
  const roundTtft = new Map(targets.map((t) => [t.id, []]));
  const gaps = new Map(targets.map((t) => [t.id, []]));
  const roundGap = new Map(targets.map((t) => [t.id, []]));
  const problems = new Map(targets.map((t) => [t.id, 0]));
  const deltaCounts = new Map(targets.map((t) => [t.id, new Set()]));
  try {
    for (const target of targets) {
      for (let i = 0; i < warmup; i++)
        await timedStream(clients.get(target.id), target, bodies.get(target.id));
    }
    for (let round = 0; round < rounds; round++) {
      for (const target of roundOrder(targets, round)) {
        const these = [];
        const theseGaps = [];
        for (let i = 0; i < perRound; i++) {
          const result = await timedStream(clients.get(target.id), target, bodies.get(target.id));
          if (result.status !== 200 || result.ttft === undefined) {
            problems.set(target.id, (problems.get(target.id) ?? 0) + 1);
            continue;
          }
          deltaCounts.get(target.id)?.add(result.deltas);
          these.push(result.ttft);
          theseGaps.push(...result.gaps);
        }
        ttfts.get(target.id)?.push(...these);
        gaps.get(target.id)?.push(...theseGaps);
        roundTtft.get(target.id)?.push(median(these));
        roundGap.get(target.id)?.push(mean(theseGaps));
      }
      log?.(`  streaming round ${round + 1}/${rounds}`);
    }
  } finally {
    await Promise.all([...clients.values()].map((client) => client.close()));
  }
  return targets.map((target) => {
    const direct = directOf(targets, target);
    const mineT = roundTtft.get(target.id) ?? [];
    const theirsT = direct ? (roundTtft.get(direct.id) ?? []) : [];
    const mineG = roundGap.get(target.id) ?? [];
    const theirsG = direct ? (roundGap.get(direct.id) ?? []) : [];
    return {
      id: target.id,
      label: target.label,
      contender: target.contender,
      protocol: target.protocol,
      provider: target.provider,
      n: ttfts.get(target.id)?.length ?? 0,
      failures: problems.get(target.id) ?? 0,
      deltas_seen: [...(deltaCounts.get(target.id) ?? [])],
      ttft_median_ms: median(mineT),
      ttft_p99_ms: quantile(ttfts.get(target.id) ?? [], 0.99),
      gap_mean_ms: mean(gaps.get(target.id) ?? []),
      added_ttft_ms: direct ? median(mineT.map((m, i) => m - (theirsT[i] ?? 0))) : undefined,
      added_gap_ms: direct ? median(mineG.map((m, i) => m - (theirsG[i] ?? 0))) : undefined,
    };
  });
}

/**
 * (c2) Many concurrent slow streams through one freshly started server: opens `count` streams at
 * once (one connection each) and samples the server's RSS every 50 ms; reports the peak (and
 * VmHWM, the kernel's own high-water mark), how many streams the mock saw at once, and TTFT
 * percentiles (queueing shows there).
 */
export async function concurrentStreams({ target, pid, count, mock, log }) {
  const body = bodyFor(target, true);
  // A few warm-up streams so the baseline is a warmed-up server, not a cold one.
  const warmAgent = streamAgent(4);
  await Promise.all(Array.from({ length: 4 }, () => timedStream(warmAgent, target, body)));
  await warmAgent.close();
  await sleep(200);
  const baseline = memoryOf(pid);
  await mock.resetStats();
  const agent = streamAgent(count + 16);
  let peakRss = baseline.rss ?? 0;
  const sampler = setInterval(() => {
    const { rss } = memoryOf(pid);
    if (rss !== undefined && rss > peakRss) peakRss = rss;
  }, 50);
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, () =>
      timedStream(agent, target, body).catch((error) => ({ error: String(error) })),
    ),
  );
  const seconds = (performance.now() - start) / 1000;
  clearInterval(sampler);
  const end = memoryOf(pid);
  const stats = await mock.stats();
  await agent.close();
  const ok = results.filter((r) => !('error' in r) && r.status === 200 && r.ttft !== undefined);
  const ttft = ok.map((r) => r.ttft);
  log?.(
    `  ${count} streams via ${target.label}: ${ok.length} ok in ${seconds.toFixed(1)} s, peak RSS ${(peakRss / 1e6).toFixed(1)} MB`,
  );
  return {
    id: target.id,
    label: target.label,
    contender: target.contender,
    streams: count,
    ok: ok.length,
    seconds,
    baseline_rss_mb: (baseline.rss ?? 0) / 1e6,
    peak_rss_mb: Math.max(peakRss, end.rss ?? 0) / 1e6,
    vm_hwm_mb: (end.hwm ?? 0) / 1e6,
    upstream_peak_concurrent: stats.peakActive,
    ttft_p50_ms: median(ttft),
    ttft_p99_ms: quantile(ttft, 0.99),
  };
}

/** (e) Wall time of a command, median (and min / p90) of `n` runs after one warm-up run. */
export function commandTime({ label, command, args, env, n }) {
  spawnSync(command, args, { env, stdio: 'ignore' });
  const times = [];
  let status = 0;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    times.push(performance.now() - start);
    if (result.status !== 0) status = result.status ?? -1;
  }
  return {
    label,
    n,
    median_ms: median(times),
    min_ms: Math.min(...times),
    p90_ms: quantile(times, 0.9),
    status,
  };
}

/** The machine, for the report. */
export function machine(os) {
  const cpus = os.cpus();
  let distro;
  try {
    distro = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
  } catch {
    distro = undefined;
  }
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    ram_gb: os.totalmem() / 1024 ** 3,
    node: process.version,
    os: `${distro ?? os.type()} (${os.type()} ${os.release()}, ${os.arch()})`,
  };
}
