#!/usr/bin/env node
import { nodexVersion } from './version.js';

const args = process.argv.slice(2);
// `nodex --version` answers before the command tree (and the gateway, stores, SDK under it) loads.
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  process.stdout.write(`${nodexVersion()}\n`);
} else {
  const { runCli } = await import('./run-cli.js');
  const controller = new AbortController();
  let interrupted = false;
  const stop = (): void => {
    // The first Ctrl-C (or SIGTERM) stops the running command cleanly; a second one exits at once.
    if (interrupted) process.exit(130);
    interrupted = true;
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.exitCode = await runCli(args, {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    stdin: process.stdin,
    signal: controller.signal,
  });
}
