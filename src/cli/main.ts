#!/usr/bin/env node
import { runCli } from './run-cli.js';

const controller = new AbortController();
let interrupted = false;
function stop(): void {
  // The first Ctrl-C (or SIGTERM) stops the running command cleanly; a second one exits at once.
  if (interrupted) process.exit(130);
  interrupted = true;
  controller.abort();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  signal: controller.signal,
});
