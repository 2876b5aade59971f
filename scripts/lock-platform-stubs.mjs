#!/usr/bin/env node
// The npm registry this project installs from carries only the Linux builds of some packages'
// per-platform optional binaries (biome's darwin/win32/musl builds are absent). npm then leaves
// them out of package-lock.json, and `npm ci` rejects the lock as "out of sync". This script adds
// lock entries for the missing ones, with their os/cpu/libc constraints, so `npm ci` accepts the
// lock and skips them on this platform. `--check` only reports (used by `npm run lint`).
import { readFileSync, writeFileSync } from 'node:fs';

const PLATFORM =
  /-(darwin|linux|win32|android|freebsd)-(x64|arm64|arm|ia32|riscv64)(?:-(gnu|musl|msvc|gnueabihf))?$/;
const lockPath = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const missing = [];

for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const match = PLATFORM.exec(name);
    const target = `node_modules/${name}`;
    if (!match || lock.packages[target]) continue;
    missing.push(name);
    lock.packages[target] = {
      version,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
      os: [match[1]],
      cpu: [match[2]],
      ...(match[3] === 'musl' || match[3] === 'gnu' ? { libc: [match[3] === 'gnu' ? 'glibc' : 'musl'] } : {}),
      ...(entry.license ? { license: entry.license } : {}),
      ...(entry.engines ? { engines: entry.engines } : {}),
    };
  }
}

if (process.argv.includes('--check')) {
  if (missing.length > 0) {
    process.stderr.write(
      `package-lock.json lacks ${missing.length} platform packages (${missing.join(', ')}): run node scripts/lock-platform-stubs.mjs\n`,
    );
    process.exit(1);
  }
} else if (missing.length > 0) {
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  );
  writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
  process.stdout.write(`added ${missing.length} platform stubs: ${missing.join(', ')}\n`);
}
