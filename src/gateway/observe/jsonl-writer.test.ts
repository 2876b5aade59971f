import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/capture-io.js';
import { JsonlWriter } from './jsonl-writer.js';

let dir: ReturnType<typeof tempDir>;
afterEach(() => dir?.cleanup());

const line = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(80) });

describe('JsonlWriter', () => {
  it('writes queued lines on a later turn, and everything on close, in a 0600 file', async () => {
    dir = tempDir();
    const path = join(dir.path, 'sub', 'audit.jsonl');
    const writer = new JsonlWriter({ path, maxBytes: 1 << 20, maxFiles: 3 });
    for (let i = 0; i < 100; i += 1) writer.write(line(i));
    await writer.close();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    writer.write(line(100)); // after close: ignored
    expect(readFileSync(path, 'utf8').trimEnd().split('\n')).toHaveLength(100);
  });

  it('rotates by size and keeps at most max_files files', async () => {
    dir = tempDir();
    const path = join(dir.path, 'trace.jsonl');
    const writer = new JsonlWriter({ path, maxBytes: 1000, maxFiles: 3 });
    // ~100 bytes a line, 10 a file: 60 lines would make 6 files without the cap.
    for (let i = 0; i < 60; i += 1) {
      writer.write(line(i));
      if (i % 7 === 0) await writer.flush();
    }
    await writer.close();
    expect(readdirSync(dir.path).sort()).toEqual(['trace.jsonl', 'trace.jsonl.1', 'trace.jsonl.2']);
    const read = (name: string) =>
      readFileSync(join(dir.path, name), 'utf8')
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).i as number);
    for (const name of readdirSync(dir.path))
      expect(statSync(join(dir.path, name)).size).toBeLessThanOrEqual(1000);
    // Newest in the live file, older ones in .1 then .2, no gaps between them.
    const kept = [...read('trace.jsonl.2'), ...read('trace.jsonl.1'), ...read('trace.jsonl')];
    expect(kept.at(-1)).toBe(59);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, k) => 60 - kept.length + k));
  });

  it('max_files 1 keeps only the live file', async () => {
    dir = tempDir();
    const path = join(dir.path, 'a.jsonl');
    const writer = new JsonlWriter({ path, maxBytes: 300, maxFiles: 1 });
    for (let i = 0; i < 20; i += 1) writer.write(line(i));
    await writer.close();
    expect(readdirSync(dir.path)).toEqual(['a.jsonl']);
    expect(readFileSync(path, 'utf8')).toContain('"i":19');
  });

  it('drops lines past the memory cap and says how many', async () => {
    dir = tempDir();
    const path = join(dir.path, 'a.jsonl');
    const writer = new JsonlWriter({ path, maxBytes: 1 << 20, maxFiles: 2, maxPendingBytes: 500 });
    for (let i = 0; i < 10; i += 1) writer.write(line(i)); // same turn: nothing written yet
    await writer.close();
    const lines = readFileSync(path, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    const kept = Math.floor(500 / (line(0).length + 1));
    expect(lines.at(-1)).toMatchObject({ nodex_dropped_lines: 10 - kept });
    expect(lines.slice(0, -1).map((l) => l.i)).toEqual(Array.from({ length: kept }, (_, i) => i));
  });

  it('reports a write failure and keeps going', async () => {
    dir = tempDir();
    const errors: unknown[] = [];
    // A directory where the file should be: open fails.
    const writer = new JsonlWriter({
      path: dir.path,
      maxBytes: 1000,
      maxFiles: 2,
      onError: (e) => errors.push(e),
    });
    writer.write('{}');
    await writer.close();
    expect(errors).toHaveLength(1);
  });
});
