import type { Env } from '../config/paths.js';

export interface OutputStream {
  write(chunk: string): unknown;
  readonly isTTY?: boolean;
}

/** Everything a command touches outside itself, so tests can run the CLI in-process. */
export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
  readonly env: Env;
  readonly cwd: string;
  /** Where interactive answers come from (a pasted redirect URL, a yes/no); default process.stdin. */
  readonly stdin?: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  /** Aborted on Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** Exit codes (docs/cli.md): success, runtime failure, usage or config error, interrupted. */
export const EXIT = { ok: 0, failure: 1, usage: 2, interrupted: 130 } as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
