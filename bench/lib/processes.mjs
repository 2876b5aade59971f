// Child processes of the bench: every one is registered here and killed by pid on exit, on errors
// and on SIGINT / SIGTERM, so a bench run never leaves a server behind.
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** @type {Set<() => void>} */
const cleanups = new Set();
let handlersInstalled = false;

/** Runs `fn` (synchronously) when the bench exits or is interrupted; returns a function that cancels it. */
export function onExit(fn) {
  installHandlers();
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

function killAllNow() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
  children.clear();
  for (const fn of cleanups) {
    try {
      fn();
    } catch {
      // best effort on the way out
    }
  }
  cleanups.clear();
}

function installHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping the servers it started\n`);
      killAllNow();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

/**
 * Spawns `command args` with stdout piped (to read its "listening on" line) and stderr to a file
 * (nothing to drain). Resolves once a stdout line matches `ready`, with the match.
 *
 * @param {{ name: string, command: string, args: string[], env?: NodeJS.ProcessEnv, cwd?: string,
 *   logFile: string, ready: RegExp, timeoutMs?: number }} options
 */
export async function startProcess(options) {
  installHandlers();
  const errFd = openSync(options.logFile, 'a');
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', errFd],
  });
  closeSync(errFd);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const timeoutMs = options.timeoutMs ?? 30_000;
  let buffered = '';
  try {
    const match = await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${options.name} did not start within ${timeoutMs} ms`)),
        timeoutMs,
      );
      child.stdout.on('data', (chunk) => {
        buffered += chunk.toString('utf8');
        const found = options.ready.exec(buffered);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        }
        if (buffered.length > 65_536) buffered = buffered.slice(-4096);
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        let tail = '';
        try {
          tail = readFileSync(options.logFile, 'utf8').slice(-2000);
        } catch {
          // no log
        }
        reject(new Error(`${options.name} exited (${code ?? signal}) before it was ready\n${tail}`));
      });
    });
    // Keep draining stdout so a chatty child never blocks on a full pipe.
    child.stdout.on('data', () => {});
    return { child, pid: /** @type {number} */ (child.pid), match };
  } catch (error) {
    await stopProcess(child);
    throw error;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
export async function stopProcess(child, graceMs = 5000) {
  if (!child || child.pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    children.delete(child);
    return;
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    process.kill(child.pid, 'SIGTERM');
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, graceMs);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/** Stops every registered child (used on the way out). */
export async function stopAll() {
  await Promise.all([...children].map((child) => stopProcess(child)));
}

/** `VmHWM` (peak RSS) and `VmRSS` of a process, in bytes, from /proc (Linux only). */
export function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name) => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) * 1024 : undefined;
    };
    return { hwm: kb('VmHWM'), rss: kb('VmRSS') };
  } catch {
    return { hwm: undefined, rss: undefined };
  }
}

let clockTicks;
function ticksPerSecond() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) a process has used so far, in seconds, from /proc (Linux only). */
export function cpuSecondsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond();
  } catch {
    return undefined;
  }
}
