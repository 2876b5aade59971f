import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../cli/io.js';

export interface CapturedIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

/**
 * A CliIo that records stdout and stderr. HOME and NODEX_HOME point into `dir`, so a test never
 * reads or writes the real user's files.
 */
export function captureIo(dir: string, env: Record<string, string> = {}, signal?: AbortSignal): CapturedIo {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (chunk: string) => (out += chunk) },
    stderr: { write: (chunk: string) => (err += chunk) },
    env: { HOME: dir, NODEX_HOME: join(dir, '.nodex'), PATH: process.env.PATH, ...env },
    cwd: dir,
    ...(signal ? { signal } : {}),
  };
  return { io, stdout: () => out, stderr: () => err };
}

/** A fresh temporary directory and its cleanup. */
export function tempDir(prefix = 'nodex-test-'): { readonly path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
