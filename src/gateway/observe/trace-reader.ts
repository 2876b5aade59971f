import { readFile } from 'node:fs/promises';

/** One parsed trace line (see TracePhase in trace-recorder.ts). */
export type TraceLine = Readonly<Record<string, unknown>> & {
  readonly ts?: string;
  readonly request_id?: string;
  readonly phase?: string;
};

/** The routes a recorded request can be replayed on. */
export const REPLAYABLE_PATHS = ['/v1/responses', '/v1/chat/completions', '/v1/messages'];

/**
 * Every line of a JSONL file and its rotated copies, oldest first (`file.N` … `file.1`, `file`).
 * Files that do not exist and lines that are not JSON are skipped.
 *
 * @example
 * const lines = await readJsonlFiles('/home/me/.nodex/trace.jsonl', 5);
 */
export async function readJsonlFiles(path: string, maxFiles: number): Promise<TraceLine[]> {
  const names = [
    ...Array.from({ length: Math.max(maxFiles - 1, 0) }, (_, i) => `${path}.${maxFiles - 1 - i}`),
    path,
  ];
  const out: TraceLine[] = [];
  for (const name of names) {
    const text = await readFile(name, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as TraceLine);
      } catch {
        // A line cut by a crash mid-write: skipped.
      }
    }
  }
  return out;
}

function pathOf(line: TraceLine): string {
  return String(line.path ?? '').split('?')[0] ?? '';
}

/** A `request` line that can be sent again: a POST to a model route, with its body. */
export function isReplayable(line: TraceLine): boolean {
  return (
    line.phase === 'request' &&
    line.method === 'POST' &&
    line.body !== undefined &&
    REPLAYABLE_PATHS.includes(pathOf(line))
  );
}

/**
 * The request as received with this id (`latest`: the newest replayable one), or undefined.
 *
 * @example
 * findRequest(lines, 'latest')?.body;
 */
export function findRequest(lines: readonly TraceLine[], id: string): TraceLine | undefined {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const line = lines[i];
    if (line && isReplayable(line) && (id === 'latest' || line.request_id === id)) return line;
  }
  return undefined;
}

/** One row of `nodex replay --list`. */
export interface RecentRequest {
  readonly request_id: string;
  readonly ts: string;
  readonly path: string;
  readonly model?: string;
  readonly status?: number;
}

/**
 * The newest `count` replayable requests, newest first, with the model and status of their
 * `done` line when the trace has it.
 *
 * @example
 * recentRequests(lines, 20).map((r) => r.request_id);
 */
export function recentRequests(lines: readonly TraceLine[], count: number): RecentRequest[] {
  const done = new Map<string, TraceLine>();
  for (const line of lines) if (line.phase === 'done' && line.request_id) done.set(line.request_id, line);
  const out: RecentRequest[] = [];
  for (let i = lines.length - 1; i >= 0 && out.length < count; i -= 1) {
    const line = lines[i];
    if (!line || !isReplayable(line) || !line.request_id) continue;
    const end = done.get(line.request_id);
    const model = end?.model ?? (line.body as { model?: unknown } | undefined)?.model;
    out.push({
      request_id: line.request_id,
      ts: line.ts ?? '',
      path: pathOf(line),
      ...(typeof model === 'string' ? { model } : {}),
      ...(typeof end?.status === 'number' ? { status: end.status } : {}),
    });
  }
  return out;
}
